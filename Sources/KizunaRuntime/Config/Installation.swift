import KizunaCore
import KizunaHardware
import KizunaNet

/// Where and how the flat's record is kept.
public struct StoreSettings: Sendable {
    public var path: String
    public var commitEvery: Span = .seconds(5)
    public var keepEvents: Span = .days(90)
    public var keepHourly: Span = .days(730)
    public init(path: String) { self.path = path }
}

/// One flat's installation, parsed and validated from `kizuna.yaml` and its board profile:
/// everything the runtime needs to start.
public struct Installation: Sendable {
    public var configFile: String
    public var deviceID: String
    public var flatID: String
    public var board: BoardProfile
    public var settings: EngineSettings
    public var wiring: Wiring
    /// Per sensor, the config line that defines it (for later error messages).
    public var sensorLines: [String: Int]
    /// The flat's record (nil: none kept).
    public var store: StoreSettings?
    /// The authority's log-pull API (nil: not served).
    public var api: APISettings?
    /// Where alarm steps are delivered (nil: nowhere; the store still keeps them).
    public var delivery: DeliverySettings? = nil
    /// Environment sensors on I2C chips.
    public var environment: [EnvironmentWire] = []
    /// The technician shell's control socket and PIN (nil: no shell).
    public var shell: ShellSettings? = nil
    /// Where the board profiles were found, and whether short timers were allowed: the shell
    /// checks an edited config the same way this one was.
    public var boardsDirectory: String? = nil
    public var shortTimers = false
    /// What is wrong but must not keep the device from watching over her (an upgraded
    /// device whose old config lacks a key now needed): `run` logs it and goes on,
    /// `check-config` refuses it, the heartbeat names its key as a fault.
    public var warnings: [ConfigError] = []

    public var sensors: SensorRegistry { settings.sensors }
}
