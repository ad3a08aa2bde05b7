import KizunaCore

/// A virtual flat for driving the engine in tests: named sensors, a virtual clock whose
/// times are read from 2026-07-01 00:00 in Japan, an engine started at `start` (09:00 by
/// default: a silence is counted from the engine's start), and the decisions collected.
struct TestFlat {
    static let names = ["pir.living", "pir.bedroom", "door.entrance", "button.help", "temperature.living"]
    var engine: WatchEngine
    var decisions: [Decision] = []
    let origin: Timestamp

    init(start: String = "09:00:00", _ configure: (inout EngineSettings) -> Void = { _ in }) {
        var settings = EngineSettings(sensors: SensorRegistry(Self.names.map { SensorDescriptor(name: $0)! }))
        configure(&settings)
        origin = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                           wall: CivilTime.parseISO8601("2026-07-01T00:00:00", defaultOffset: .japan)!)
        engine = WatchEngine(settings: settings, start: Self.time(start, from: origin))
        engine.prime(id("door.entrance"), rawLevel: false)
        engine.prime(id("button.help"), rawLevel: false)
    }

    func id(_ name: String) -> SensorID { engine.settings.sensors.id(named: name)! }

    /// `"13:00:00"` on the first day, or `"+1 07:00:00"` on a later one.
    func t(_ text: String) -> Timestamp { Self.time(text, from: origin) }

    static func time(_ text: String, from origin: Timestamp) -> Timestamp {
        var day: Int64 = 0
        var clock = Substring(text)
        if text.hasPrefix("+") {
            let parts = text.dropFirst().split(separator: " ")
            day = Int64(parts[0])!
            clock = parts[1]
        }
        let p = clock.split(separator: ":").map { Int64($0)! }
        let seconds = day * 86_400 + p[0] * 3600 + p[1] * 60 + (p.count > 2 ? p[2] : 0)
        return origin.advanced(by: .seconds(seconds))
    }

    mutating func level(_ sensor: String, _ high: Bool, at time: Timestamp) {
        engine.handle(.level(id(sensor), high: high, at: time), into: &decisions)
    }

    /// A PIR trigger: output high for 2 s.
    mutating func motion(_ sensor: String = "pir.living", at time: Timestamp) {
        level(sensor, true, at: time)
        level(sensor, false, at: time.advanced(by: .seconds(2)))
    }

    /// A door opening or closing, with the contact settled (no bounce).
    mutating func door(open: Bool, at time: Timestamp) { level("door.entrance", open, at: time) }

    mutating func press(at time: Timestamp) {
        level("button.help", true, at: time)
        level("button.help", false, at: time.advanced(by: .milliseconds(300)))
    }

    mutating func tick(_ time: Timestamp) { engine.tick(at: time, into: &decisions) }

    var steps: [AlarmStep] {
        decisions.compactMap { if case .alarm(let s) = $0 { s } else { nil } }
    }
    var transitions: [OccupancyTransition] {
        decisions.compactMap { if case .occupancy(let t) = $0 { t } else { nil } }
    }
    var buzzer: [BuzzerPattern] {
        decisions.compactMap { if case .buzzer(let p, _) = $0 { p } else { nil } }
    }
    var events: [Event] { Array(engine.ring.oldestFirst) }

    func steps(_ kind: AlarmKind) -> [AlarmStep] { steps.filter { $0.kind == kind } }
}
