import Foundation
import KizunaCore

/// Which of a recording's sensors are what for the engine: a PIR in a room, the entrance
/// door, an activity contact, or nothing.
///
/// Activity contacts (fridge, freezer, cupboards, drawers: someone opened them) are a
/// sign of life as strong as motion, and carry no door meaning (opening the fridge must
/// not start the "gone out?" count). They are given to the engine as PIR-like sensors,
/// named `activity.NAME` with kind `.pir`: opening and closing are each a moment of
/// motion (a rise and a fall, the PIR hold its episode); left open is no one moving. Not a
/// button: the engine reads a button press outside a pre-alarm as a call for help. (The PIR
/// health rule watches them too: one unused for days while the door is used may be
/// reported `pir-silent`.)
///
/// A mapping file (`kizuna replay --map FILE`) is small YAML:
/// ```yaml
/// timezone: "-05:00"      # the flat's local time, for the night window (default: per format)
/// defaults: true          # start from the format's default mapping (default: false)
/// sensors:                # recording's sensor → pir.NAME, door.NAME, activity.NAME, button.NAME or ignore
///   bedhead: pir.bed
///   door: door.entrance
///   refrigerator: activity.fridge
///   tv: ignore
/// ```
/// The recording's sensor is NEARS's `subject`, CASAS's `sensor/location` (AL home, with
/// a location column) or `sensor` (CIL homes), or the sensor name of a Kizuna export.
/// Sensors not listed are ignored (their events still show the system was up), except in
/// the Kizuna format, where a name such as `pir.living` stands for itself.
public struct ReplayMapping: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        case sensor(SensorDescriptor)
        case ignore
    }

    public var roles: [String: Role]
    /// Unlisted names that are sensor names (`pir.living`) stand for themselves.
    public var identityFallback: Bool
    /// The flat's local time for the night window; nil: the format's default.
    public var local: UTCOffset?
    /// The recording's sensors a mapping file names, in its order (the defaults are not
    /// listed: they cover several homes, and a home has only some of them).
    public var listed: [String] = []

    public init(roles: [String: Role], identityFallback: Bool = false, local: UTCOffset? = nil) {
        self.roles = roles
        self.identityFallback = identityFallback
        self.local = local
    }

    public func role(for key: String) -> Role {
        if let r = roles[key] { return r }
        if identityFallback, let d = SensorDescriptor(name: key) { return .sensor(d) }
        return .ignore
    }

    /// `pir.NAME`, `door.NAME`, `button.NAME`, `activity.NAME` or `ignore`; with `readings`,
    /// also the measured kinds (`temperature.living`).
    public static func role(parsing value: String, readings: Bool = false) -> Role? {
        if value == "ignore" { return .ignore }
        if value.hasPrefix(SensorDescriptor.activityPrefix) {
            let name = value.dropFirst(SensorDescriptor.activityPrefix.count)
            guard !name.isEmpty, !name.contains(" ") else { return nil }
            return .sensor(SensorDescriptor(name: value, kind: .pir, room: String(name)))
        }
        guard let d = SensorDescriptor(name: value), !value.contains(" "), readings || d.kind.isBinary else { return nil }
        return .sensor(d)
    }

    // MARK: - Defaults

    public static func defaults(for format: RecordingFormat) -> ReplayMapping {
        switch format {
        case .casas: casas
        case .nears: nears
        case .kizuna: ReplayMapping(roles: [:], identityFallback: true)
        }
    }

    static func sensor(_ name: String) -> Role { role(parsing: name)! }

    /// The CASAS homes of ../shared/data. AL (`sensor/location` keys): a PIR per room, the
    /// front door contact; light switches and the closet ignored. CIL tm000 (`sensor`
    /// keys): every motion and area sensor is a PIR; the home has no door contact, so the
    /// main entryway's motion sensor stands in for the entrance door (entryway, then
    /// silence, reads as gone out: without it a multi-day absence could never read as away).
    public static let casas: ReplayMapping = {
        var roles: [String: Role] = [
            "Kitchen/Kitchen": ReplayMapping.sensor("pir.kitchen"), "Bathroom/Bathroom": ReplayMapping.sensor("pir.bathroom"),
            "Bedroom/Bedroom": ReplayMapping.sensor("pir.bedroom"), "LivingRoom/LivingRoom": ReplayMapping.sensor("pir.living"),
            "LoungeChair/LivingRoom": ReplayMapping.sensor("pir.lounge"), "WorkArea/WorkArea": ReplayMapping.sensor("pir.work"),
            "OutsideDoor/Entry": ReplayMapping.sensor("pir.entrance"), "OutsideDoor/FrontDoor": ReplayMapping.sensor("door.entrance"),
            "MainEntryway": ReplayMapping.sensor("door.entrance"),
        ]
        for name in ["KitchenASink", "KitchenAStove", "KitchenARefrigerator", "KitchenADiningChair", "KitchenAArea",
                     "BedroomAArea", "BedroomABed", "BedroomADoor", "BedroomBArea", "BedroomBBed", "BedroomBDoor",
                     "BathroomAArea", "BathroomAToilet", "BathroomASink", "BathroomBArea",
                     "LivingRoomAArea", "LivingRoomAChair", "DiningRoomAArea", "HallwayA", "EntrywayB",
                     "OfficeAChair", "OfficeAArea"] {
            roles[name] = ReplayMapping.sensor("pir.\(name)")
        }
        return ReplayMapping(roles: roles)
    }()

    /// NEARS hub 0104 (by `subject`): its PIRs, the entrance door, and its kitchen,
    /// bedroom and bathroom contacts as activity; plugs, readings and tamper alarms ignored.
    /// Local time -05:00 (Sherbrooke, Québec, standard time all year).
    public static let nears: ReplayMapping = {
        // The PIR at the head of the bed is `pir.bed`: a room of rest (`routine: rest_rooms`).
        var roles: [String: Role] = ["door": ReplayMapping.sensor("door.entrance"), "bedhead": ReplayMapping.sensor("pir.bed")]
        for name in ["bedroom", "kitchen", "living", "entrance", "bathroom", "shower"] {
            roles[name] = ReplayMapping.sensor("pir.\(name)")
        }
        // Each in the room the recording gives it (`location`): a silence after the wardrobe
        // began in the bedroom, as one after the bedroom's PIR does (`routine: rest_rooms`).
        for (name, room) in [("refrigerator", "kitchen"), ("freezer", "kitchen"), ("food_storage", "kitchen"), ("plates_cabinet", "kitchen"),
                             ("utensils_drawer", "kitchen"), ("clothes", "bedroom"), ("vanity", "bathroom")] {
            roles[name] = .sensor(SensorDescriptor(name: SensorDescriptor.activityPrefix + name, kind: .pir, room: room))
        }
        return ReplayMapping(roles: roles, local: UTCOffset(seconds: -5 * 3600))
    }()

    // MARK: - Mapping files

    public static func load(file: String, format: RecordingFormat) throws(ConfigError) -> ReplayMapping {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: "", message: "cannot read the file")
        }
        return try parse(text, file: file, format: format)
    }

    public static func parse(_ text: String, file: String, format: RecordingFormat) throws(ConfigError) -> ReplayMapping {
        let root = try YAMLNode.parse(text, file: file)
        let top = try root.mapping(allowed: ["timezone", "defaults", "sensors"])
        var local: UTCOffset?
        var useDefaults = false
        var entries: [(key: String, value: YAMLNode)] = []
        var sawSensors = false
        for (key, node) in top {
            switch key {
            case "timezone":
                guard let o = UTCOffset(parsing: try node.string()) else { throw node.error("expected an offset from UTC such as +09:00 or -05:00") }
                local = o
            case "defaults":
                useDefaults = try node.bool()
            default:
                sawSensors = true
                entries = try node.mapping()
            }
        }
        guard sawSensors else {
            throw ConfigError(file: file, line: nil, key: "sensors", message: "missing: list the recording's sensors (name: pir.ROOM, door.NAME, activity.NAME or ignore)")
        }
        let base = useDefaults ? defaults(for: format) : ReplayMapping(roles: [:], identityFallback: format == .kizuna)
        var roles = base.roles
        for (key, _) in entries { roles[key] = nil }
        // Which source already feeds each engine sensor (two sources on one sensor would mix their levels).
        var used: [String: String] = [:]
        for (key, role) in roles.sorted(by: { $0.key < $1.key }) {   // the same name in the message at every run
            if case .sensor(let d) = role, used[d.name] == nil { used[d.name] = key }
        }
        for (key, node) in entries {
            let value = try node.string()
            guard let parsed = role(parsing: value, readings: format == .kizuna) else {
                let kinds = format == .kizuna ? "a sensor name (pir.NAME, door.NAME, temperature.NAME, …), activity.NAME" : "pir.NAME, door.NAME, button.NAME, activity.NAME"
                throw node.error("expected \(kinds) or ignore, got \"\(value)\"")
            }
            if case .sensor(let d) = parsed {
                if let other = used[d.name] { throw node.error("\(d.name) is already fed by '\(other)'") }
                used[d.name] = key
            }
            roles[key] = parsed
        }
        // The format's clock whether or not its sensors are taken (NEARS is -05:00 either way).
        var mapping = ReplayMapping(roles: roles, identityFallback: base.identityFallback, local: local ?? defaults(for: format).local)
        mapping.listed = entries.map(\.key)
        return mapping
    }
}
