import KizunaCore

/// What an output line drives.
public enum OutputRole: String, Sendable, CaseIterable {
    case buzzer
    case statusLED = "led.status"
}

/// The pull resistor asked of the line (PIR modules drive their output; reed contacts and
/// buttons to ground need a pull-up).
public enum LineBias: String, Sendable, CaseIterable {
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

/// A line as the config names it: by chip label and offset (header pins resolve to
/// this through the board profile), or by the line's name, found on the running system.
public enum LineReference: Hashable, Sendable, CustomStringConvertible {
    case address(LineAddress)
    case named(String)

    public var description: String {
        switch self {
        case .address(let a): a.description
        case .named(let n): "line \"\(n)\""
        }
    }

    public var address: LineAddress? {
        if case .address(let a) = self { a } else { nil }
    }
}

/// A configured input: which sensor, on which line, with which bias, and the config key
/// that says so (for error messages).
public struct InputWire: Sendable {
    public var sensor: SensorID
    public var line: LineReference
    public var bias: LineBias
    public var key: String
    public init(sensor: SensorID, line: LineReference, bias: LineBias = .asIs, key: String = "") {
        self.sensor = sensor
        self.line = line
        self.bias = bias
        self.key = key
    }
}

public struct OutputWire: Sendable {
    public var role: OutputRole
    public var line: LineReference
    public var key: String
    public init(role: OutputRole, line: LineReference, key: String = "") {
        self.role = role
        self.line = line
        self.key = key
    }
}

/// One installation's wiring: which line each sensor and output is on.
public struct Wiring: Sendable {
    public var inputs: [InputWire]
    public var outputs: [OutputWire]

    public init(inputs: [InputWire] = [], outputs: [OutputWire] = []) {
        self.inputs = inputs
        self.outputs = outputs
    }

    public func line(of sensor: SensorID) -> LineReference? { inputs.first { $0.sensor == sensor }?.line }
    public func line(of role: OutputRole) -> LineReference? { outputs.first { $0.role == role }?.line }
}

/// Where the runtime's observations come from (GPIO edges, sensor reads, a simulated flat).
/// The loop sleeps in `poll()` on `pollDescriptors` until `nextDeadline()`, then collects.
public protocol InputSource: AnyObject {
    /// File descriptors that become readable when input is waiting (GPIO line events).
    var pollDescriptors: [Int32] { get }
    /// When the source next has something to do without an fd waking the loop
    /// (a scheduled sensor read, a retry, the next step of a simulation).
    func nextDeadline() -> MonotonicInstant
    /// Appends the observations available up to `now`, in time order.
    func collect(upTo now: Timestamp, into observations: inout [Observation])
    /// The raw level of each two-level input at start, for `WatchEngine.prime`.
    func initialLevels() -> [(SensorID, Bool)]
}

/// Where the runtime's outputs go (buzzer, status LED).
public protocol OutputSink: AnyObject {
    func set(_ role: OutputRole, on: Bool, at time: Timestamp)
    /// Every output off: on shutdown and before a restart.
    func allOff()
}
