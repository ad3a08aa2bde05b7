import Foundation
import KizunaCore
import KizunaHardware

/// Reads a scenario (`boards/sim/scenarios/NAME.yaml`): a day of timed actions.
///
/// ```yaml
/// name: collapse-day
/// description: A normal morning; the resident collapses at 14:00.
/// extends: normal-day          # optional: the steps of another scenario come first
/// date: 2026-07-01             # the local day simulated
/// duration: 24h
/// steps:
///   - { at: "07:00", motion: kitchen, every: 2m, until: "07:40" }
///   - { at: "09:00", door: open }
///   - { at: "14:00", collapse: true }
///   - { at: "12:00", temperature: 33.5, room: living }
/// ```
public enum ScenarioLoader {
    public static func directory(boards: String) -> String { boards + "/sim/scenarios" }

    public static func available(boards: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory(boards: boards))) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Loads by name (from the scenarios folder) or by path.
    public static func load(_ nameOrPath: String, boards: String, installation: Installation) throws(ConfigError) -> Scenario {
        let file = nameOrPath.contains("/") || nameOrPath.hasSuffix(".yaml") ? nameOrPath : "\(directory(boards: boards))/\(nameOrPath).yaml"
        return try load(file: file, boards: boards, installation: installation, depth: 0)
    }

    static func load(file: String, boards: String, installation: Installation, depth: Int) throws(ConfigError) -> Scenario {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            let known = available(boards: boards).joined(separator: ", ")
            throw ConfigError(file: file, line: nil, key: "", message: "cannot read the scenario (known scenarios: \(known))")
        }
        let offset = installation.settings.utcOffset
        let root = try YAMLNode.parse(text, file: file)
        var name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var description = ""
        var date: (String, YAMLNode)?
        var duration = Span.hours(24)
        var parent: Scenario?
        var stepNodes: [YAMLNode] = []
        for (k, v) in try root.mapping(allowed: ["name", "description", "extends", "date", "duration", "steps"]) {
            switch k {
            case "name": name = try v.string()
            case "description": description = try v.string()
            case "extends":
                guard depth < 4 else { throw v.error("scenarios extend each other too deeply") }
                let base = try v.string()
                parent = try load(file: "\(directory(boards: boards))/\(base).yaml", boards: boards, installation: installation, depth: depth + 1)
            case "date": date = (try v.string(), v)
            case "duration": duration = try v.span(in: .minutes(1) ... .days(14))
            default: stepNodes = try v.sequence()
            }
        }
        var start: WallTime
        if let (text, node) = date {
            guard let t = CivilTime.parseISO8601(text + "T00:00", defaultOffset: offset) else { throw node.error("expected a date as YYYY-MM-DD") }
            start = t
        } else if let parent {
            start = parent.start
        } else {
            throw ConfigError(file: file, line: nil, key: "date", message: "missing: the day to simulate, as YYYY-MM-DD")
        }
        if date == nil, let parent { duration = parent.duration }
        var steps = parent?.steps.map { step -> ScenarioStep in
            // A child may move the whole day: shift the parent's steps with it.
            var s = step
            let shift = start - parent!.start
            s.at = s.at + shift
            s.until = s.until.map { $0 + shift }
            return s
        } ?? []

        let sensors = installation.sensors
        for node in stepNodes {
            var at: WallTime?
            var until: WallTime?
            var every: Span?
            var action: ScenarioAction?
            var room: String?
            var sensorName: String?
            var quantity: (SensorKind, Double)?
            func time(_ v: YAMLNode) throws(ConfigError) -> WallTime {
                let text = try v.string()
                let parts = text.split(separator: ":")
                guard parts.count >= 2, parts.count <= 3, let day = TimeOfDay(parsing: "\(parts[0]):\(parts[1])"),
                      parts.count == 2 || (Int(parts[2]).map { (0..<60).contains($0) } ?? false) else {
                    throw v.error("expected a time of the day as HH:MM or HH:MM:SS")
                }
                let seconds = parts.count == 3 ? Int64(parts[2])! : 0
                return start + .minutes(Int64(day.minutes)) + .seconds(seconds)
            }
            let kinds = ["temperature", "humidity", "co2", "voc", "light", "pressure"]
            for (k, v) in try node.mapping(allowed: ["at", "until", "every", "motion", "door", "button", "collapse", "room", "sensor"] + kinds) {
                switch k {
                case "at": at = try time(v)
                case "until": until = try time(v)
                case "every": every = try v.span(in: .seconds(1) ... .hours(24))
                case "room": room = try v.string()
                case "motion":
                    let r = try v.string()
                    guard sensors.ids(of: .pir).contains(where: { sensors[$0].room == r }) else {
                        let rooms = Set(sensors.ids(of: .pir).map { sensors[$0].room }).sorted().joined(separator: ", ")
                        throw v.error("no PIR in room '\(r)' in \(installation.configFile) (rooms with a PIR: \(rooms))")
                    }
                    action = .motion(room: r)
                case "door":
                    switch try v.string() {
                    case "open": action = .doorOpen(sensor: nil)
                    case "close": action = .doorClose(sensor: nil)
                    default: throw v.error("expected open or close")
                    }
                    guard !sensors.ids(of: .door).isEmpty else { throw v.error("the installation has no door contact") }
                case "button":
                    guard try v.string() == "press" else { throw v.error("expected press") }
                    guard !sensors.ids(of: .button).isEmpty else { throw v.error("the installation has no button") }
                    action = .buttonPress(sensor: nil)
                case "collapse":
                    guard try v.bool() else { throw v.error("write collapse: true, or leave it out") }
                    action = .collapse
                case "sensor":
                    let name = try v.string()
                    guard sensors.id(named: name) != nil else {
                        throw v.error("no sensor '\(name)' in \(installation.configFile)")
                    }
                    sensorName = name
                default:
                    let kind = SensorKind(rawValue: k)!
                    quantity = (kind, try v.double(in: -100...100_000))
                }
            }
            if let (kind, value) = quantity { action = .environment(kind, value: value, room: room) }
            if room != nil, quantity == nil { throw node.error("room: goes with a reading (temperature, humidity, ...)") }
            // `sensor:` picks one door or button where the flat has several.
            if let sensorName {
                switch action {
                case .doorOpen?: action = .doorOpen(sensor: sensorName)
                case .doorClose?: action = .doorClose(sensor: sensorName)
                case .buttonPress?: action = .buttonPress(sensor: sensorName)
                default: throw node.error("sensor: goes with door or button")
                }
            }
            guard let at else { throw node.error("a step needs at: HH:MM") }
            guard let action else { throw node.error("a step needs an action: motion, door, button, collapse, or a reading") }
            if every != nil, until == nil { throw node.error("every: needs until: HH:MM") }
            if let until, until < at { throw node.error("until is before at") }
            steps.append(ScenarioStep(at: at, action: action, every: every, until: until, line: node.line ?? 0))
        }
        return Scenario(name: name, description: description.isEmpty ? parent?.description ?? "" : description,
                        start: start, duration: duration, utcOffset: offset, steps: steps)
    }
}
