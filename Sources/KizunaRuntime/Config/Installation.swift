import KizunaCore
import KizunaHardware

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

    public var sensors: SensorRegistry { settings.sensors }
}
