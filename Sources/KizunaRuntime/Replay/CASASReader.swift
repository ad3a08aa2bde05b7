import KizunaCore

/// Reads WSU CASAS text recordings (`date time sensor [location] state [label]`, space or
/// tab separated) into observations for the engine, on the recording's own clock.
///
/// The default mapping for the CASAS "AL" home: each room's motion sensor is a PIR
/// (`Kitchen`, `Bathroom`, `Bedroom`, `LivingRoom`, `LoungeChair`, `WorkArea`, and
/// `OutsideDoor` at the `Entry`), `OutsideDoor`/`FrontDoor` OPEN/CLOSE is the entrance
/// door; light switches and the closet are ignored.
public struct CASASReader {
    public struct Mapping: Sendable {
        /// CASAS sensor (and location, for sensors with several) → Kizuna sensor name.
        public var pirs: [String: String]
        public var door: [String: String]
        public init(pirs: [String: String], door: [String: String]) {
            self.pirs = pirs
            self.door = door
        }

        public static let aruba = Mapping(
            pirs: ["Kitchen/Kitchen": "pir.kitchen", "Bathroom/Bathroom": "pir.bathroom", "Bedroom/Bedroom": "pir.bedroom",
                   "LivingRoom/LivingRoom": "pir.living", "LoungeChair/LivingRoom": "pir.lounge", "WorkArea/WorkArea": "pir.work",
                   "OutsideDoor/Entry": "pir.entrance"],
            door: ["OutsideDoor/FrontDoor": "door.entrance"])

        /// The sensors this mapping produces, for an engine's registry.
        public var sensorNames: [String] { Array(Set(pirs.values).union(door.values)).sorted() }
    }

    public struct LineError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public let mapping: Mapping
    public let registry: SensorRegistry
    public let offset: UTCOffset
    var ids: [String: SensorID] = [:]

    public init(mapping: Mapping, registry: SensorRegistry, offset: UTCOffset = .utc) {
        self.mapping = mapping
        self.registry = registry
        self.offset = offset
        for (k, v) in mapping.pirs.merging(mapping.door, uniquingKeysWith: { a, _ in a }) {
            if let id = registry.id(named: v) { ids[k] = id }
        }
    }

    /// Parses one line. Returns nil for a line of an ignored sensor; throws for a broken one.
    /// The monotonic stamp is the wall time itself (a recording has one clock).
    public func observation(_ line: Substring, number: Int) throws(LineError) -> Observation? {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 4 else { throw LineError(line: number, message: "expected date, time, sensor and state") }
        guard let wall = CivilTime.parseISO8601("\(fields[0])T\(fields[1])", defaultOffset: offset) else {
            throw LineError(line: number, message: "bad date or time '\(fields[0]) \(fields[1])'")
        }
        let sensor = fields[2]
        // With a location column: sensor location state [label]; without: sensor state [label].
        let hasLocation = fields.count >= 5 && !["ON", "OFF", "OPEN", "CLOSE"].contains(String(fields[3]))
        let location = hasLocation ? fields[3] : sensor
        let state = hasLocation ? fields[4] : fields[3]
        guard let id = ids["\(sensor)/\(location)"] ?? ids[String(sensor)] else { return nil }
        let high: Bool
        switch state {
        case "ON", "OPEN": high = true
        case "OFF", "CLOSE": high = false
        default: throw LineError(line: number, message: "unknown state '\(state)'")
        }
        let t = Timestamp(monotonic: MonotonicInstant(nanoseconds: wall.nanosecondsSinceEpoch), wall: wall)
        return .level(id, high: high, at: t)
    }
}
