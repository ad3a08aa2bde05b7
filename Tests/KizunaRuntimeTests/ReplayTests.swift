import Foundation
import KizunaCore
import Testing
@testable import KizunaRuntime

/// `kizuna replay`: the readers on real lines (Fixtures/replay, copied from ../shared/data),
/// broken lines, mapping files, and what cuts, `until` and data gaps do to the engine.
@Suite("Replay")
struct ReplayTests {
    static let fixtures = Paths.repository + "/Tests/KizunaRuntimeTests/Fixtures/replay"

    static func wall(_ text: String, _ offset: UTCOffset = .utc) -> WallTime { CivilTime.parseISO8601(text, defaultOffset: offset)! }

    static func names(_ r: Recording) -> [String] { r.sensors.sensors.map(\.name) }

    @Test("CASAS AL: a PIR per room and the front door; light switches only show the system was up")
    func casasAL() throws {
        let r = try RecordingLoader.load(files: [Self.fixtures + "/casas-al.txt"], format: .casas, mapping: nil, lenient: false)
        #expect(Self.names(r) == ["pir.bedroom", "pir.entrance", "door.entrance"])
        #expect(r.observations.count == 9)
        #expect(r.otherEvents.count == 2)
        #expect(r.first == Self.wall("2011-06-15T01:03:39.14962"))
        #expect(r.last == Self.wall("2011-06-15T08:47:38.793429"))
        #expect(r.clock == .utc && r.local == .utc)
        #expect(r.observations[5] == .level(SensorID(2), high: true, at: Recording.stamp(Self.wall("2011-06-15T08:35:02.171933"))))
    }

    @Test("CASAS CIL: tab separated, no location; the main entryway stands in for the door")
    func casasCIL() throws {
        let r = try RecordingLoader.load(files: [Self.fixtures + "/casas-cil.txt"], format: .casas, mapping: nil, lenient: false)
        #expect(Self.names(r) == ["pir.BedroomABed", "door.entrance"])
        #expect(r.observations.count == 8)
        #expect(r.first == Self.wall("2016-07-12T00:00:30.600670"))
    }

    @Test("NEARS: motion and contacts to the engine, readings and plugs only as signs the hub was up, UTC times")
    func nears() throws {
        let r = try RecordingLoader.load(files: [Self.fixtures + "/nears.json"], format: .nears, mapping: nil, lenient: false)
        #expect(Self.names(r) == ["pir.bed", "door.entrance", "activity.refrigerator"])
        #expect(r.sensors.sensors[2].kind == .pir)
        #expect(r.observations.count == 5)   // the fridge opened: a rise and a fall
        #expect(r.eventCount == 6)
        #expect(r.otherEvents == [Self.wall("2023-05-05T04:02:33.657Z"), Self.wall("2023-05-05T04:38:17.927Z")])
        #expect(r.first == Self.wall("2023-05-05T04:02:33.657Z"))
        #expect(r.last == Self.wall("2023-05-05T10:48:03.841Z"))
        #expect(r.local == UTCOffset(seconds: -5 * 3600))
    }

    @Test("NEARS: events of several files are sorted by time; same-instant events keep their order")
    func nearsSorted() throws {
        let late = #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T10:00:00.000Z"},"state":"ON"}"#
        let early = #"{"subject":"door","sensor":"contact","sentAt":{"$date":"2023-05-05T09:00:00.000Z"},"state":"OPEN"}"#
        let early2 = #"{"subject":"door","sensor":"contact","sentAt":{"$date":"2023-05-05T09:00:00.000Z"},"state":"CLOSED"}"#
        let r = try RecordingLoader.parse([late, early, early2].joined(separator: "\n"), format: .nears)
        #expect(r.observations.map(\.time.wall) == [Self.wall("2023-05-05T09:00:00Z"), Self.wall("2023-05-05T09:00:00Z"), Self.wall("2023-05-05T10:00:00Z")])
        guard case .level(_, let first, _) = r.observations[0], case .level(_, let second, _) = r.observations[1] else {
            Issue.record("levels expected")
            return
        }
        #expect(first == true && second == false)
    }

    @Test("Kizuna NDJSON: events back to levels and readings, on the file's own clock")
    func kizuna() throws {
        let r = try RecordingLoader.load(files: [Self.fixtures + "/kizuna.ndjson"], format: .kizuna, mapping: nil, lenient: false)
        #expect(Self.names(r) == ["pir.living", "temperature.living", "door.entrance"])
        #expect(r.observations.count == 5)
        #expect(r.otherEvents.count == 1)
        #expect(r.clock == .japan)
        #expect(r.observations[2] == .reading(SensorID(1), value: 27.5, at: Recording.stamp(Self.wall("2026-07-01T07:05:00+09:00"))))
    }

    @Test("Kizuna NDJSON: a stray trigger the device did not take as her is still the PIR's output (the replay judges it again)")
    func kizunaStrayMotion() throws {
        let text = #"{"seq":1,"at":"2026-07-01T07:00:00.000+09:00","sensor":"pir.living","kind":"stray-motion-start"}"# + "\n" +
            #"{"seq":2,"at":"2026-07-01T07:00:03.000+09:00","sensor":"pir.living","kind":"stray-motion-end"}"#
        let r = try RecordingLoader.parse(text, file: "events.ndjson", format: .kizuna)
        #expect(r.observations == [.level(SensorID(0), high: true, at: Recording.stamp(Self.wall("2026-07-01T07:00:00+09:00"))),
                                   .level(SensorID(0), high: false, at: Recording.stamp(Self.wall("2026-07-01T07:00:03+09:00")))])
        #expect(r.otherEvents.isEmpty)
    }

    @Test("a broken line names the file and the line; --lenient skips and counts it")
    func brokenLines() throws {
        let text = """
            2011-06-15 01:03:39.14962 Bedroom Bedroom ON Sleep
            2011-06-15 01:03:4 Bedroom Bedroom OFF Sleep
            2011-06-15 01:03:41.0 Bedroom Bedroom MAYBE Sleep

            2011-06-15 01:03:42.0 Bedroom
            2011-06-15 01:03:43.0 Bedroom Bedroom OFF Sleep
            """
        #expect(throws: RecordingError(file: "al.txt", line: 2, message: "bad date and time '2011-06-15 01:03:4'")) {
            try RecordingLoader.parse(text, file: "al.txt", format: .casas)
        }
        let r = try RecordingLoader.parse(text, file: "al.txt", format: .casas, lenient: true)
        #expect(r.skipped == 3)
        #expect(r.observations.count == 2)

        let json = #"{"subject":"door","sensor":"contact","sentAt":{"$date":"2023-05-05T09:00:00.000Z"},"state":"OPEN"}"# + "\n" +
            #"{"subject":"door","sensor":"contact","sentAt":{"$date":"2023-05-05T09:00:01"# + "\n" +
            #"{"subject":"door","sensor":"contact","sentAt":{"$date":"2023-05-05T09:00:02.000Z"},"state":"AJAR"}"#
        do throws(RecordingError) {
            _ = try RecordingLoader.parse(json, file: "7.json", format: .nears)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix("7.json:2: "))
        }
        let lenient = try RecordingLoader.parse(json, file: "7.json", format: .nears, lenient: true)
        #expect(lenient.skipped == 2)
        #expect(lenient.observations.count == 1)
    }

    @Test("mapping files: roles, defaults, and errors naming file, line and key")
    func mapping() throws {
        let good = """
            timezone: "+09:00"
            defaults: true
            sensors:
              tv: pir.tv
              clothes: ignore
            """
        let m = try ReplayMapping.parse(good, file: "map.yaml", format: .nears)
        #expect(m.local == .japan)
        #expect(m.role(for: "tv") == .sensor(SensorDescriptor(name: "pir.tv")!))
        #expect(m.role(for: "clothes") == .ignore)
        #expect(m.role(for: "door") == .sensor(SensorDescriptor(name: "door.entrance")!))

        #expect(throws: ConfigError(file: "map.yaml", line: 3, key: "sensors.fridge",
                                    message: "expected pir.NAME, door.NAME, button.NAME, activity.NAME or ignore, got \"fridge.kitchen\"")) {
            try ReplayMapping.parse("sensors:\n  kitchen: pir.kitchen\n  fridge: fridge.kitchen\n", file: "map.yaml", format: .nears)
        }
        #expect(throws: ConfigError(file: "map.yaml", line: 3, key: "sensors.b", message: "pir.x is already fed by 'a'")) {
            try ReplayMapping.parse("sensors:\n  a: pir.x\n  b: pir.x\n", file: "map.yaml", format: .casas)
        }
        do throws(ConfigError) {
            _ = try ReplayMapping.parse("sensor:\n  a: pir.x\n", file: "map.yaml", format: .casas)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "map.yaml" && error.line == 1 && error.key == "sensor")
        }
        let custom = try ReplayMapping.parse("sensors:\n  Kitchen/Kitchen: activity.kitchen\n", file: "map.yaml", format: .casas)
        let r = try RecordingLoader.parse("2011-06-15 01:03:39.1 Kitchen Kitchen ON\n2011-06-15 01:03:40.1 Bedroom Bedroom ON\n",
                                          format: .casas, mapping: custom)
        #expect(Self.names(r) == ["activity.kitchen"])
        #expect(r.otherEvents.count == 1)
    }

    @Test("a date the clock cannot hold, or that does not exist, is a broken line: never a trap, never another day")
    func impossibleDates() throws {
        for (line, bad) in [("2300-01-01 00:00:00.0 Kitchen Kitchen ON", "2300-01-01 00:00:00.0"),
                            ("1600-01-01 00:00:00.0 Kitchen Kitchen ON", "1600-01-01 00:00:00.0"),
                            ("2011-06-31 08:00:00.0 Kitchen Kitchen ON", "2011-06-31 08:00:00.0"),
                            ("2011-02-29 08:00:00.0 Kitchen Kitchen ON", "2011-02-29 08:00:00.0")] {
            #expect(throws: RecordingError(file: "al.txt", line: 1, message: "bad date and time '\(bad)'")) {
                try RecordingLoader.parse(line, file: "al.txt", format: .casas)
            }
            #expect(try RecordingLoader.parse(line, file: "al.txt", format: .casas, lenient: true).skipped == 1)
        }
        #expect(try RecordingLoader.parse("2012-02-29 08:00:00.0 Kitchen Kitchen ON", format: .casas).observations.count == 1)
        let far = #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2300-01-01T00:00:00.000Z"},"state":"ON"}"#
        do throws(RecordingError) {
            _ = try RecordingLoader.parse(far, file: "1.json", format: .nears)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 1)
        }
    }

    @Test("CASAS: tabs or several spaces between the date and the time; a CIL line whose state is not one is broken")
    func casasSeparators() throws {
        for text in ["2016-07-12\t00:00:30.6\tBedroomABed\tON\tSleep", "2016-07-12  00:00:30.6 BedroomABed ON Sleep",
                     "2016-07-12 \t00:00:30.6\tBedroomABed\tON"] {
            let r = try RecordingLoader.parse(text, format: .casas)
            #expect(r.observations == [.level(SensorID(0), high: true, at: Recording.stamp(Self.wall("2016-07-12T00:00:30.6")))])
        }
        #expect(throws: RecordingError(file: "cil.txt", line: 1, message: "unknown state 'MAYBE' for BedroomABed (expected ON, OFF, OPEN or CLOSE)")) {
            try RecordingLoader.parse("2016-07-12\t00:00:30.6\tBedroomABed\tMAYBE\tSleep", file: "cil.txt", format: .casas)
        }
        // A sensor the mapping ignores, with a location and a state, is no error.
        #expect(try RecordingLoader.parse("2011-06-15 01:03:39.1 LivingRoomLight LivingRoom ON", format: .casas).otherEvents.count == 1)
    }

    @Test("a mapping file without defaults keeps the format's clock; its sensors never seen are listed; nothing read is an error")
    func mappingChecks() throws {
        let m = try ReplayMapping.parse("sensors:\n  door: door.entrance\n  kitchen: pir.kitchen\n  Kitchen: pir.cook\n", file: "map.yaml", format: .nears)
        #expect(m.local == UTCOffset(seconds: -5 * 3600))
        let json = #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T12:00:00.000Z"},"state":"ON"}"#
        let r = try RecordingLoader.parse(json, format: .nears, mapping: m)
        #expect(r.local == UTCOffset(seconds: -5 * 3600))
        #expect(r.unseenMapped == ["door", "Kitchen"])

        let dir = try temporaryFolder("replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("al.txt").path
        try "2011-06-15 01:03:4 Bedroom Bedroom OFF Sleep\nnot a line\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: RecordingError(file: file, line: 0, message: "all 2 lines broken (skipped): is --format right?")) {
            try RecordingLoader.load(files: [file], format: .casas, mapping: ReplayMapping.casas, lenient: true)
        }
    }

    @Test("an activity contact left open is no one moving: each opening and closing is a moment of activity")
    func activityContactPulses() throws {
        func line(_ subject: String, _ sensor: String, _ time: String, _ state: String) -> String {
            #"{"subject":"\#(subject)","sensor":"\#(sensor)","sentAt":{"$date":"2023-05-05T\#(time).000Z"},"state":"\#(state)"}"#
        }
        // 08:00 local is 13:00Z. The wardrobe opened at 09:00 and closed 9 h later.
        // Hourly readings: the hub was up all along.
        let text = ([line("kitchen", "motion", "13:00:00", "ON"), line("kitchen", "motion", "13:00:05", "OFF"),
                     line("clothes", "contact", "14:00:00", "OPEN"), line("clothes", "contact", "23:00:00", "CLOSED"),
                     // Its periodic report of the state it has: nobody (NEARS sends these at night).
                     line("clothes", "contact", "15:00:00", "OPEN")]
                    + (14...22).map { line("kitchen", "temperature", "\($0):30:00", "24.0 °C") })
            .joined(separator: "\n")
        let r = try RecordingLoader.parse(text, format: .nears)
        #expect(r.observations.count == 6)
        #expect(r.eventCount == 14)
        #expect(r.otherEvents.contains(Self.wall("2023-05-05T15:00:00Z")))
        let outcome = Replay.run(r, settings: r.engineSettings(), until: Self.wall("2023-05-06T04:00:00Z"))
        #expect(!outcome.steps.contains { $0.kind == .pirStuck })
        // Silent from the opening (09:00 local): alarmed before she closed it at 18:00.
        #expect(outcome.gaps.isEmpty)
        let alarm = try #require(outcome.steps.first { $0.kind == .inactivity && $0.step == .alarm })
        #expect(alarm.at.wall < Self.wall("2023-05-05T23:00:00Z"))
        #expect(ReplaySummary.json(outcome, recording: r).contains(#""events":4,"#))   // motion and contacts, readings aside
    }

    // MARK: - The engine through a replay

    /// A day of a CASAS home: kitchen motion every 20 minutes from 08:00 to 12:00, then
    /// again 12:40 to 16:00 (the cut tests drop the afternoon).
    static let day: Recording = {
        var lines: [String] = []
        for minutes in stride(from: 8 * 60, through: 16 * 60, by: 20) where !(minutes > 12 * 60 && minutes < 12 * 60 + 40) {
            let h = minutes / 60, m = minutes % 60
            let hm = (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
            lines.append("2011-06-20 \(hm):00.000 Kitchen Kitchen ON Cook")
            lines.append("2011-06-20 \(hm):05.000 Kitchen Kitchen OFF Cook")
        }
        return try! RecordingLoader.parse(lines.joined(separator: "\n"), format: .casas)
    }()

    @Test("a cut: no sign of life after it, and the inactivity alarm comes the day limit later")
    func cut() throws {
        let r = Self.day
        let outcome = Replay.run(r, settings: r.engineSettings(), cutAt: Self.wall("2011-06-20T11:10:00"), until: Self.wall("2011-06-20T20:00:00"))
        let inactivity = outcome.steps.filter { $0.kind == .inactivity }
        // Last motion 11:00:00–11:00:05; the day limit is 3 h.
        let first = try #require(inactivity.first)
        #expect(first.step == .preAlarm)
        #expect(first.at.wall >= Self.wall("2011-06-20T14:00:05") && first.at.wall <= Self.wall("2011-06-20T14:00:20"))
        #expect(inactivity.contains { $0.step == .alarm })
        #expect(outcome.alarmCount()[.inactivity] == 1)
        #expect(outcome.gaps.isEmpty)
        #expect(outcome.last == Self.wall("2011-06-20T20:00:00"))
    }

    @Test("without --until the clock stops at the last event: nothing fires after it")
    func noUntil() {
        let r = Self.day
        let outcome = Replay.run(r, settings: r.engineSettings())
        #expect(outcome.last == r.last)
        #expect(outcome.steps.allSatisfy { $0.at.wall <= r.last })
        #expect(outcome.alarmCount().isEmpty)
        // The whole recording goes to the engine, and the time adds up.
        #expect(outcome.events == r.observations.count)
        let total = outcome.timeIn.values.reduce(Span.zero, +)
        #expect(total == r.last - r.first)
    }

    @Test("a 10 h hole in a recording: one offline gap, no inactivity alarm, occupancy unknown after it")
    func dataGap() {
        let text = """
            2011-06-20 08:00:00.000 Kitchen Kitchen ON Cook
            2011-06-20 08:00:05.000 Kitchen Kitchen OFF Cook
            2011-06-20 18:00:05.000 Kitchen Kitchen ON Cook
            2011-06-20 18:00:10.000 Kitchen Kitchen OFF Cook
            """
        let r = try! RecordingLoader.parse(text, format: .casas)
        var reported: [(WallTime, WallTime)] = []
        let outcome = Replay.run(r, settings: r.engineSettings(), until: Self.wall("2011-06-20T19:00:00"), offline: { reported.append(($0, $1)) })
        #expect(outcome.gaps.count == 1)
        #expect(reported.count == 1)
        #expect(outcome.gaps.first?.from == Self.wall("2011-06-20T08:00:05"))
        #expect(outcome.gaps.first?.to == Self.wall("2011-06-20T18:00:05"))
        #expect(!outcome.steps.contains { $0.kind == .inactivity })
        #expect(outcome.gapTime == .hours(10))
        // Back home with the first motion after the gap.
        #expect(outcome.transitions.contains { $0.from == .unknown && $0.to == .home && $0.at.wall == Self.wall("2011-06-20T18:00:05") })

        // Without the gap detection (a limit longer than the hole) the same silence is an alarm.
        let blind = Replay.run(r, settings: r.engineSettings(), until: Self.wall("2011-06-20T19:00:00"), gapLimit: .hours(12))
        #expect(blind.gaps.isEmpty)
        #expect(blind.steps.contains { $0.kind == .inactivity })

        // Stopped inside the outage (`--until`, or a cut): offline from its start to there,
        // not 7 h of her silence (the hole's end is in the recording, after the stop).
        for stopped in [Replay.run(r, settings: r.engineSettings(), until: Self.wall("2011-06-20T15:00:00")),
                        Replay.run(r, settings: r.engineSettings(), cutAt: Self.wall("2011-06-20T15:00:00"), until: Self.wall("2011-06-20T15:00:00"))] {
            #expect(stopped.gaps.count == 1)
            #expect(stopped.gaps.first?.from == Self.wall("2011-06-20T08:00:05"))
            #expect(stopped.gaps.first?.to == Self.wall("2011-06-20T15:00:00"))
            #expect(!stopped.steps.contains { $0.kind.isInactivity })
        }
    }

    @Test("periodic readings keep the system up: silence with readings is the resident's")
    func readingsAreNotGaps() {
        var lines = [#"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T12:00:00.000Z"},"state":"ON"}"#,
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T12:00:05.000Z"},"state":"OFF"}"#]
        for h in 13...23 {
            lines.append(#"{"subject":"kitchen","sensor":"temperature","sentAt":{"$date":"2023-05-05T\#(h):00:00.000Z"},"state":"24.0 °C"}"#)
        }
        let r = try! RecordingLoader.parse(lines.joined(separator: "\n"), format: .nears)
        let outcome = Replay.run(r, settings: r.engineSettings())
        #expect(outcome.gaps.isEmpty)
        #expect(outcome.steps.contains { $0.kind == .inactivity })
    }
    @Test("data gaps are found once from every kind of event; a replay given them plays exactly as one that finds them")
    func gapsFoundOnce() throws {
        let lines = [#"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T08:00:00.000Z"},"state":"ON"}"#,
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T08:00:05.000Z"},"state":"OFF"}"#,
                     // 8 h with nothing, ended by a reading (an event that feeds no sensor).
                     #"{"subject":"kitchen","sensor":"temperature","sentAt":{"$date":"2023-05-05T16:00:05.000Z"},"state":"24.0 °C"}"#,
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T17:00:00.000Z"},"state":"ON"}"#,
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-05T17:00:05.000Z"},"state":"OFF"}"#,
                     // 7 h with nothing, ended by motion.
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-06T00:00:05.000Z"},"state":"ON"}"#,
                     #"{"subject":"kitchen","sensor":"motion","sentAt":{"$date":"2023-05-06T00:00:10.000Z"},"state":"OFF"}"#]
        let r = try RecordingLoader.parse(lines.joined(separator: "\n"), format: .nears)
        let gaps = DataGaps(r, longerThan: .hours(6))
        let w = { (s: String) in CivilTime.parseISO8601(s, defaultOffset: .utc)! }
        #expect(gaps.list.map(\.from) == [w("2023-05-05T08:00:05"), w("2023-05-05T17:00:05")])
        #expect(gaps.list.map(\.to) == [w("2023-05-05T16:00:05"), w("2023-05-06T00:00:05")])
        #expect(DataGaps(r, longerThan: .hours(7)).list.count == 1)   // 7 h is not longer than 7 h
        let settings = r.engineSettings()
        let found = Replay.run(r, settings: settings)
        let given = Replay.run(r, settings: settings, gaps: gaps)
        #expect(found.gaps.count == 2)
        #expect(given.gaps.map(\.from) == found.gaps.map(\.from) && given.gaps.map(\.to) == found.gaps.map(\.to))
        #expect(given.steps == found.steps && given.transitions == found.transitions && given.timeIn == found.timeIn)
        // A cut before the second gap ends: offline from its start to the cut, and the device
        // runs on from there.
        let cut = Replay.run(r, settings: settings, cutAt: w("2023-05-05T20:00:00"), until: w("2023-05-06T04:00:00"), gaps: gaps)
        let cutFound = Replay.run(r, settings: settings, cutAt: w("2023-05-05T20:00:00"), until: w("2023-05-06T04:00:00"))
        #expect(cut.gaps.count == 2 && cutFound.gaps.count == 2)
        #expect(cut.gaps.last?.from == w("2023-05-05T17:00:05") && cut.gaps.last?.to == w("2023-05-05T20:00:00"))
        #expect(cut.steps == cutFound.steps && cut.transitions == cutFound.transitions)
    }
}
