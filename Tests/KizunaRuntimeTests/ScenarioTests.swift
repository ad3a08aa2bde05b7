import Foundation
import KizunaCore
import KizunaHardware
import Testing
@testable import KizunaRuntime

@Suite("Scenarios end to end")
struct ScenarioTests {
    /// Plays a scenario as fast as possible and returns the JSON lines and the result.
    static func play(_ name: String) throws -> (lines: [[String: String]], result: Demo.Result, demo: Demo) {
        let (installation, scenario) = try Demo.load(config: Paths.demoConfig, scenario: name, boards: Paths.boards)
        let demo = Demo(installation: installation, scenario: scenario, speed: nil, style: .json, statusLine: false)
        var output = ""
        let result = try demo.run { output += $0 }
        let lines = try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            return object.mapValues { "\($0)" }
        }
        return (lines, result, demo)
    }

    @Test("hot day: the heat rules see the scenario's climate through the whole runtime")
    func hotDay() throws {
        let (lines, _, _) = try Self.play("hot-day")
        let heat = lines.filter { $0["kind"] == "heat" && $0["type"] == "alarm" }
        let danger = lines.filter { $0["kind"] == "heat-danger" && $0["type"] == "alarm" }
        #expect(!heat.isEmpty)
        #expect(heat.first?["severity"] == "warning")
        #expect(heat.first?["reason"]?.contains("severe warning (厳重警戒, WBGT ≥ 28.0) for 10m 00s") == true)
        #expect(danger.first?["severity"] == "critical")
        // The danger band comes later in the day than the severe-warning band.
        #expect((danger.first?["at"] ?? "") > (heat.first?["at"] ?? "~"))
        #expect(!lines.contains { $0["kind"] == "inactivity" })
    }

    @Test("collapse day: the network alarm comes exactly when the thresholds say")
    func collapse() throws {
        let (lines, result, demo) = try Self.play("collapse-day")
        let settings = demo.installation.settings
        // The last thing the resident did before collapsing, from the scenario itself.
        let collapse = try #require(demo.scenario.collapseTime)
        let lastMotion = try #require(demo.scenario.timeline().last { $0.at < collapse && $0.action.isResident })
        // Seen until the PIR output fell; then the day limit, then the pre-alarm's grace.
        let lastSeen = lastMotion.at + result.flat.pirPulse
        let preAlarm = lastSeen + settings.rules.inactivityByDay
        let alarm = preAlarm + settings.ladder.preAlarmGrace
        let offset = settings.utcOffset

        let inactivity = lines.filter { $0["kind"] == "inactivity" }
        #expect(inactivity.first?["type"] == "prealarm")
        #expect(inactivity.first?["at"] == CivilTime.iso8601(preAlarm, offset: offset, fractionDigits: 3))
        let network = try #require(inactivity.first { $0["type"] == "alarm" })
        #expect(network["at"] == CivilTime.iso8601(alarm, offset: offset, fractionDigits: 3))
        // And in plain numbers: last motion 13:56:00, output high 2.5 s, +3 h, +3 min.
        #expect(network["at"] == "2026-07-01T16:59:02.500+09:00")
        #expect(network["severity"] == "critical")
        #expect(network["reason"] == "no sign of life for 3h 00m since pir.living (day limit 3h 00m)")
        // Repeated every 15 minutes to the end of the day, never resolved.
        #expect(inactivity.filter { $0["type"] == "repeat" }.count == 28)
        #expect(!inactivity.contains { $0["type"] == "resolve" || $0["type"] == "cancel" })
        #expect(result.flat.isOn(.buzzer) == false)  // outputs off when the loop ends
    }

    @Test("day out: away while out, home on return, no inactivity alarm")
    func dayOut() throws {
        let (lines, _, _) = try Self.play("day-out")
        #expect(!lines.contains { $0["kind"]?.hasPrefix("inactivity") == true })
        let states = lines.filter { $0["type"] == "state" }.map { ($0["to"]!, $0["at"]!) }
        let away = try #require(states.first { $0.0 == "away" })
        #expect(away.1 == "2026-07-02T09:15:12.005+09:00")  // door settled at 09:00:12.005, +15 min
        let back = try #require(states.first { $0.0 == "home" && $0.1 > away.1 })
        #expect(back.1 == "2026-07-02T18:00:15.000+09:00")
    }

    @Test("a normal day raises no alarm at all")
    func normalDay() throws {
        let (lines, result, _) = try Self.play("normal-day")
        #expect(!lines.contains { $0["type"] != "state" })
        #expect(result.engine.openAlarms.isEmpty)
        #expect(result.statistics.events[.doorOpened] == 2)
    }

    @Test("every JSON line has type, kind, at and reason")
    func jsonShape() throws {
        let (lines, _, _) = try Self.play("collapse-day")
        #expect(!lines.isEmpty)
        for line in lines {
            for key in ["type", "kind", "at", "reason"] { #expect(line[key] != nil, "missing \(key) in \(line)") }
        }
    }

    @Test("a scenario naming a room without a PIR is refused with file, line and key")
    func badScenario() throws {
        let dir = try temporaryFolder("scn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml").path
        try "date: 2026-07-01\nsteps:\n  - { at: \"07:00\", motion: attic }\n".write(toFile: file, atomically: true, encoding: .utf8)
        let installation = try ConfigLoader.load(file: Paths.demoConfig, boardsDirectory: Paths.boards)
        #expect {
            try ScenarioLoader.load(file, boards: Paths.boards, installation: installation)
        } throws: { e in
            let e = e as! ConfigError
            return e.line == 3 && e.key == "steps[0].motion" && e.message.hasPrefix("no PIR in room 'attic'")
        }
    }

    @Test("the demo in JSON prints nothing but JSON lines")
    func demoCommandJSON() throws {
        let kizuna = try #require(Paths.kizuna, "the kizuna executable is built by swift test")
        let r = try run(kizuna, ["demo", "--speed", "max", "--json", "--boards", Paths.boards])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count > 5)
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)") }
        let bad = try run(kizuna, ["demo", "--speed", "fast", "--boards", Paths.boards])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--speed"))
    }
}

@Suite("Scenario files")
struct ScenarioFileTests {
    static func load(_ text: String) throws -> Scenario {
        let dir = try temporaryFolder("scn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let installation = try ConfigLoader.load(file: Paths.demoConfig, boardsDirectory: Paths.boards)
        return try ScenarioLoader.load(file, boards: Paths.boards, installation: installation)
    }

    @Test("sensor: names the door or button a step uses")
    func sensorKey() throws {
        let s = try Self.load("date: 2026-07-01\nsteps:\n  - { at: \"07:00\", door: open, sensor: door.entrance }\n")
        #expect(s.steps.first?.action == .doorOpen(sensor: "door.entrance"))
    }

    @Test("keys that would do nothing are refused, with the line", arguments: [
        ("  - { at: \"07:00\", door: open, sensor: door.garage }\n", "no sensor 'door.garage'"),
        ("  - { at: \"07:00\", motion: living, sensor: pir.living }\n", "sensor: goes with door or button"),
        ("  - { at: \"07:00\", door: open, room: living }\n", "room: goes with a reading"),
        ("  - { at: \"07:00\", motion: living, every: 5m }\n", "every: needs until"),
    ])
    func refused(_ step: String, _ message: String) {
        #expect {
            _ = try Self.load("date: 2026-07-01\nsteps:\n" + step)
        } throws: { e in
            guard let e = e as? ConfigError else { return false }
            return e.line == 3 && e.description.contains(message)
        }
    }
}
