import KizunaCore

/// What an output line drives.
public enum OutputRole: String, Sendable, CaseIterable {
    case buzzer
    case statusLED = "led.status"
}

/// One installation's wiring: which line each sensor and output is on.
public struct Wiring: Sendable {
    public var inputs: [(sensor: SensorID, line: LineAddress)]
    public var outputs: [(role: OutputRole, line: LineAddress)]

    public init(inputs: [(sensor: SensorID, line: LineAddress)] = [], outputs: [(role: OutputRole, line: LineAddress)] = []) {
        self.inputs = inputs
        self.outputs = outputs
    }

    public func line(of sensor: SensorID) -> LineAddress? { inputs.first { $0.sensor == sensor }?.line }
    public func line(of role: OutputRole) -> LineAddress? { outputs.first { $0.role == role }?.line }
}

/// Where the runtime's observations come from (GPIO edges, sensor reads, a simulated flat).
/// The loop sleeps in `poll()` on `pollDescriptors` until `nextDeadline()`, then collects.
public protocol InputSource: AnyObject {
    /// File descriptors that become readable when input is waiting (GPIO line events).
    var pollDescriptors: [Int32] { get }
    /// When the source next has something to do without an fd waking the loop
    /// (a scheduled sensor read, the next step of a simulation).
    func nextDeadline() -> MonotonicInstant
    /// Appends the observations available up to `now`, in time order.
    func collect(upTo now: Timestamp, into observations: inout [Observation])
}

/// Where the runtime's outputs go (buzzer, status LED).
public protocol OutputSink: AnyObject {
    func set(_ role: OutputRole, on: Bool, at time: Timestamp)
    /// Every output off: on shutdown and before a restart.
    func allOff()
}
