/// A small index that names a configured sensor on the hot path. Names such as
/// `pir.living` live in the `SensorRegistry`; events carry only the index.
public struct SensorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: UInt16
    @inlinable public init(_ index: UInt16) { self.index = index }
    @inlinable public init(_ index: Int) { self.index = UInt16(index) }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
    public var description: String { "#\(index)" }
    /// For events that come from no sensor (the help line of the engine itself, a test alarm).
    public static let none = SensorID(UInt16.max)
}

/// What a sensor is. The prefix of a configured name (`pir.living`) says it.
public enum SensorKind: String, CaseIterable, Sendable {
    /// Passive infrared motion sensor: a sign of life in a room.
    case pir
    /// Door contact (reed switch); the entrance door drives away/home.
    case door
    /// The resident's button: cancels a pre-alarm, or calls for help.
    case button
    case temperature, humidity, pressure, co2, voc, light

    /// Whether it is a two-level GPIO input (as opposed to a measured quantity).
    public var isBinary: Bool {
        switch self {
        case .pir, .door, .button: true
        default: false
        }
    }

    /// Unit of a measured quantity, for display.
    public var unit: String {
        switch self {
        case .temperature: "°C"
        case .humidity: "%RH"
        case .pressure: "hPa"
        case .co2: "ppm"
        case .voc: "index"
        case .light: "lx"
        default: ""
        }
    }
}

/// A configured sensor: its name, kind and the room it watches.
public struct SensorDescriptor: Hashable, Sendable {
    public var name: String
    public var kind: SensorKind
    public var room: String

    public init(name: String, kind: SensorKind, room: String) {
        self.name = name
        self.kind = kind
        self.room = room
    }

    /// Splits `pir.living` into kind `.pir` and room `living`.
    public init?(name: String) {
        guard let dot = name.firstIndex(of: "."), let kind = SensorKind(rawValue: String(name[..<dot])) else { return nil }
        let room = String(name[name.index(after: dot)...])
        guard !room.isEmpty else { return nil }
        self.init(name: name, kind: kind, room: room)
    }

    /// How a replay names an activity contact (fridge, cupboard: `activity.NAME`, kind `.pir`):
    /// each change of state is a moment of activity, and one unused for days is no dead sensor.
    public static let activityPrefix = "activity."

    /// An activity contact of a replay (`activityPrefix`), not a PIR.
    public var isActivityContact: Bool { name.hasPrefix(Self.activityPrefix) }
}

/// The sensors of one installation, in a fixed order: a `SensorID` is an index here.
/// Two registries are equal when they list the same sensors (name, kind, room) in the same order.
public struct SensorRegistry: Sendable, Equatable {
    public private(set) var sensors: [SensorDescriptor]

    public init(_ sensors: [SensorDescriptor]) { self.sensors = sensors }

    public var count: Int { sensors.count }
    public subscript(id: SensorID) -> SensorDescriptor { sensors[Int(id.index)] }

    public func name(_ id: SensorID) -> String {
        id == .none || Int(id.index) >= sensors.count ? "-" : sensors[Int(id.index)].name
    }

    public func id(named name: String) -> SensorID? {
        sensors.firstIndex { $0.name == name }.map { SensorID($0) }
    }

    public func ids(of kind: SensorKind) -> [SensorID] {
        sensors.indices.filter { sensors[$0].kind == kind }.map { SensorID($0) }
    }
}
