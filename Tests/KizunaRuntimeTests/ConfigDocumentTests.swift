import Foundation
import Testing
@testable import KizunaRuntime

@Suite("Config document")
struct ConfigDocumentTests {
    /// A hand-written config: comments, flow mappings lined up, dotted sensor names, nested
    /// block mappings, a comment continued on the next line.
    static let sample = """
        # Flat 3-1204: one resident.
        device:
          id: kz-0001          # unique per installation
          flat: 3-1204
        board: rpi-4b
        timezone: "+09:00"     # local time

        sensors:
          pir.living:   { line: PIR_LIVING }     # GPIO17
          pir.kitchen:  { line: PIR_KITCHEN }
          # The door contact.
          door.entrance: { pin: 18, bias: pull-up, inverted: false }
          temperature.living: { i2c: { chip: bme280, bus: 1, address: 0x76 }, every: 30s }
          temperature.kitchen:
            i2c: { chip: sht4x, bus: 1 }
            calibration:
              offset: 0.3      # against the reference thermometer

        occupancy:
          away_after: 15m
          night: { start: "22:00", end: "07:00" }

        rules:
          # No movement at home for this long.
          inactivity: { day: 3h, night: 10h }
          door_open:
            day: 30m
            night: 5m
          pir_stuck: 2h

        alarms:
          prealarm_grace: 3m   # the buzzer first;
                               # a movement cancels
          repeat_every: 15m
        """ + "\n"

    func document(_ text: String = Self.sample) -> ConfigDocument {
        ConfigDocument(text: text, file: "kizuna.yaml")
    }

    func lines(_ text: String) -> [String] {
        text.components(separatedBy: "\n")
    }

    func get(_ document: ConfigDocument, _ path: String) throws -> String? {
        try document.value(at: path)
    }

    /// The error `body` throws; nil if it throws none.
    func failure(_ body: () throws -> Void) -> ConfigError? {
        do {
            try body()
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    // MARK: Reading

    @Test("reads a scalar as written and a section in flow style")
    func reading() throws {
        let doc = document()
        #expect(try get(doc, "device.id") == "kz-0001")
        #expect(try get(doc, "timezone") == "+09:00")
        #expect(try get(doc, "sensors.pir.living.line") == "PIR_LIVING")
        #expect(try get(doc, "sensors.pir.living") == "{ line: PIR_LIVING }")
        #expect(try get(doc, "sensors.temperature.living.i2c") == "{ chip: bme280, bus: 1, address: 0x76 }")
        #expect(try get(doc, "sensors.temperature.living.every") == "30s")
        #expect(try get(doc, "rules.door_open") == "{ day: 30m, night: 5m }")
        #expect(try get(doc, "occupancy.night") == #"{ start: "22:00", end: "07:00" }"#)
        #expect(try get(doc, #"sensors."temperature.kitchen".calibration.offset"#) == "0.3")
        #expect(try get(doc, "sensors.temperature.kitchen.calibration.offset") == "0.3")
        #expect(try get(doc, "rules.routine") == nil)
        #expect(try get(doc, "sensors.pir.hall.line") == nil)
    }

    @Test("dotted keys resolve to the longest key; a quoted segment is one key")
    func dottedKeys() throws {
        let doc = document("""
            a:
              b.c: 1
              b:
                c: 2
            """)
        #expect(try get(doc, "a.b.c") == "1")
        #expect(try get(doc, #"a."b".c"#) == "2")
        #expect(try get(doc, #"a."b.c""#) == "1")
    }

    @Test("every scalar's path, in file order, reads back")
    func scalarPaths() throws {
        let doc = document()
        let paths = doc.scalarPaths()
        #expect(paths.first == "device.id")
        #expect(paths.last == "alarms.repeat_every")
        #expect(paths.contains("sensors.pir.living.line"))
        #expect(paths.contains("rules.inactivity.day"))
        #expect(paths.contains("sensors.temperature.living.i2c.address"))
        #expect(paths.contains("sensors.temperature.kitchen.calibration.offset"))
        #expect(!paths.contains("sensors"))
        #expect(paths.count == 26)
        for path in paths {
            #expect(try get(doc, path) != nil, "\(path)")
        }
    }

    // MARK: Setting

    @Test("setting a block value keeps the comment on its line and every other line")
    func setBlockValue() throws {
        var doc = document()
        try doc.set("device.id", to: "kz-0002")
        try doc.set("alarms.prealarm_grace", to: "5m")
        var expected = lines(Self.sample)
        expected[2] = "  id: kz-0002          # unique per installation"
        expected[31] = "  prealarm_grace: 5m   # the buzzer first;"
        #expect(lines(doc.text) == expected)
        #expect(try get(doc, "device.id") == "kz-0002")
        #expect(try get(doc, "alarms.prealarm_grace") == "5m")
    }

    @Test("setting a value inside a one-line flow mapping changes only that value")
    func setFlowValue() throws {
        var doc = document()
        try doc.set("rules.inactivity.day", to: "4h")
        try doc.set("occupancy.night.end", to: "06:30")
        try doc.set("timezone", to: #""+08:00""#)
        var expected = lines(Self.sample)
        expected[24] = "  inactivity: { day: 4h, night: 10h }"
        expected[20] = #"  night: { start: "22:00", end: "06:30" }"#
        expected[5] = #"timezone: "+08:00"     # local time"#
        #expect(lines(doc.text) == expected)
        #expect(try get(doc, "timezone") == "+08:00")
        #expect(try get(doc, "occupancy.night.end") == "06:30")
    }

    @Test("a new key in a one-line flow mapping is a flow entry; removing it gives the file back")
    func createInFlowMapping() throws {
        var doc = document()
        try doc.set("sensors.temperature.living.calibration.offset", to: "-0.4")
        let line = "  temperature.living: { i2c: { chip: bme280, bus: 1, address: 0x76 }, every: 30s, calibration: { offset: -0.4 } }"
        var expected = lines(Self.sample)
        expected[12] = line
        #expect(lines(doc.text) == expected)
        #expect(try get(doc, "sensors.temperature.living.calibration.offset") == "-0.4")
        // The line alone is still a valid one-line flow mapping.
        let alone = document(line + "\n")
        #expect(try get(alone, "temperature.living.calibration") == "{ offset: -0.4 }")
        #expect(try get(alone, "temperature.living.i2c.address") == "0x76")

        try doc.remove("sensors.temperature.living.calibration.offset")
        #expect(doc.text == Self.sample)
    }

    @Test("a new key in a block mapping goes after the last entry, indented like its siblings")
    func createInBlockMapping() throws {
        var doc = document()
        try doc.set("rules.routine.threshold", to: "90m")
        var expected = lines(Self.sample)
        expected.insert(contentsOf: ["  routine:", "    threshold: 90m"], at: 29)
        #expect(lines(doc.text) == expected)
        #expect(try get(doc, "rules.routine.threshold") == "90m")

        var kitchen = document()
        try kitchen.set(#"sensors."temperature.kitchen".calibration.gain"#, to: "1.02")
        expected = lines(Self.sample)
        expected.insert("      gain: 1.02", at: 17)
        #expect(lines(kitchen.text) == expected)

        var hall = document()
        try hall.set(#"sensors."pir.hall".line"#, to: "PIR_HALL")
        expected = lines(Self.sample)
        expected.insert(contentsOf: ["  pir.hall:", "    line: PIR_HALL"], at: 17)
        #expect(lines(hall.text) == expected)
        #expect(try get(hall, "sensors.pir.hall.line") == "PIR_HALL")

        var store = document()
        try store.set("store.path", to: "/var/lib/kizuna/kizuna.sqlite")
        expected = lines(Self.sample)
        expected.insert(contentsOf: ["store:", "  path: /var/lib/kizuna/kizuna.sqlite"], at: expected.count - 1)
        #expect(lines(store.text) == expected)
    }

    @Test("keys are created in an empty file and under a key with no value")
    func createFromNothing() throws {
        var empty = document("")
        try empty.set("device.id", to: "kz-1")
        #expect(empty.text == "device:\n  id: kz-1\n")

        var bare = document("a:\nb: 1\n")
        try bare.set("a.x", to: "1")
        #expect(bare.text == "a:\n  x: 1\nb: 1\n")

        var unset = document("a:   # later\nb: 1\n")
        try unset.set("a", to: "2")
        #expect(unset.text == "a: 2   # later\nb: 1\n")
    }

    @Test("a value is quoted only when it must be, and reads back as typed")
    func quoting() throws {
        let cases: [(typed: String, written: String, reads: String)] = [
            ("a: b", #""a: b""#, "a: b"),
            ("+09:00", #""+09:00""#, "+09:00"),
            (#""+09:00""#, #""+09:00""#, "+09:00"),
            ("'single'", "single", "single"),
            ("yes", "yes", "yes"),
            ("21.5", "21.5", "21.5"),
            ("-0.4", "-0.4", "-0.4"),
            ("-", #""-""#, "-"),
            ("#3", ##""#3""##, "#3"),
            ("it's", #""it's""#, "it's"),
            ("", #""""#, ""),
            (" padded", #"" padded""#, " padded"),
            (#"say "hi""#, #""say \"hi\"""#, #"say "hi""#),
            ("two\nlines", #""two\nlines""#, "two\nlines"),
        ]
        for c in cases {
            var doc = document()
            try doc.set("device.flat", to: c.typed)
            #expect(lines(doc.text)[3] == "  flat: \(c.written)", "\(c.typed)")
            #expect(try get(doc, "device.flat") == c.reads, "\(c.typed)")
        }
    }

    // MARK: Removing

    @Test("remove takes out a key, its subtree and its continued comment; absent is not an error")
    func removing() throws {
        var doc = document()
        let stuck = try doc.remove("rules.pir_stuck")
        let grace = try doc.remove("alarms.prealarm_grace")
        let bias = try doc.remove("sensors.door.entrance.bias")
        let line = try doc.remove("sensors.pir.living.line")
        let routine = try doc.remove("rules.routine")
        #expect(stuck && grace && bias && line)
        #expect(!routine)
        var expected = lines(Self.sample)
        expected[11] = "  door.entrance: { pin: 18, inverted: false }"
        expected[8] = "  pir.living:   {}     # GPIO17"
        expected.removeSubrange(31 ... 32)
        expected.remove(at: 28)
        #expect(lines(doc.text) == expected)
    }

    @Test("a block mapping left empty goes with its key")
    func removingEmptyParents() throws {
        var calibration = document()
        try calibration.remove(#"sensors."temperature.kitchen".calibration.offset"#)
        var expected = lines(Self.sample)
        expected.removeSubrange(15 ... 16)
        #expect(lines(calibration.text) == expected)

        var door = document()
        try door.remove("rules.door_open.day")
        try door.remove("rules.door_open.night")
        expected = lines(Self.sample)
        expected.removeSubrange(25 ... 27)
        #expect(lines(door.text) == expected)
    }

    // MARK: Errors

    @Test("a path through a value names its line; a failed edit leaves the text")
    func errors() throws {
        var doc = document()
        let through = failure { try doc.set("rules.inactivity.day.limit", to: "1") }
        #expect(through?.line == 25)
        #expect(through?.key == "rules.inactivity.day.limit")
        #expect(through?.message == "rules.inactivity.day is a value, not a section")
        #expect(through?.description == "kizuna.yaml:25: rules.inactivity.day.limit: rules.inactivity.day is a value, not a section")

        let scalar = failure { _ = try doc.value(at: "rules.pir_stuck.x") }
        #expect(scalar?.line == 29)

        let section = failure { try doc.set("rules.door_open", to: "1h") }
        #expect(section != nil)
        let removal = failure { try doc.remove("device.id.x") }
        #expect(removal?.line == 3)
        #expect(doc.text == Self.sample)

        let brokenText = "a: [1, 2\nb: 3\n"
        var broken = document(brokenText)
        let syntax = failure { try broken.set("b", to: "4") }
        #expect(syntax?.message.hasPrefix("not valid YAML") == true)
        #expect(broken.text == brokenText)

        let list = failure { _ = try document("- a\n- b\n").value(at: "a") }
        #expect(list != nil)
        let emptyKey = failure { _ = try doc.value(at: "rules..day") }
        #expect(emptyKey != nil)
    }

    // MARK: Diff

    @Test("diff shows exactly the changed lines with their numbers")
    func diff() throws {
        let original = document()
        var doc = original
        #expect(doc.diff(from: original).isEmpty)
        try doc.set("device.id", to: "kz-0002")
        #expect(doc.diff(from: original) == [
            "-3:   id: kz-0001          # unique per installation",
            "+3:   id: kz-0002          # unique per installation",
        ])
        try doc.set("rules.routine.threshold", to: "90m")
        #expect(doc.diff(from: original) == [
            "-3:   id: kz-0001          # unique per installation",
            "+3:   id: kz-0002          # unique per installation",
            "+30:   routine:",
            "+31:     threshold: 90m",
        ])
    }

    // MARK: Saving

    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    @Test("save keeps the old file as .prev and its mode; restorePrevious swaps them")
    func save() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kizuna.yaml"
        try "old: 1\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)

        try ConfigFileWriter.save("new: 2\n", to: path)
        #expect(try read(path) == "new: 2\n")
        #expect(try read(path + ".prev") == "old: 1\n")
        #expect(mode(path) == 0o600)

        try ConfigFileWriter.save("newer: 3\n", to: path)
        #expect(try read(path) == "newer: 3\n")
        #expect(try read(path + ".prev") == "new: 2\n")

        try ConfigFileWriter.restorePrevious(of: path)
        #expect(try read(path) == "new: 2\n")
        #expect(try read(path + ".prev") == "newer: 3\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["kizuna.yaml", "kizuna.yaml.prev"])

        let fresh = dir + "/fresh.yaml"
        try ConfigFileWriter.save("a: 1\n", to: fresh)
        #expect(try read(fresh) == "a: 1\n")
        #expect(mode(fresh) == 0o640)
        #expect(!FileManager.default.fileExists(atPath: fresh + ".prev"))
    }

    @Test("an edit that changes nothing (a calibration removed that was not there) writes nothing: .prev still holds the version before the last real change, for config revert")
    func unchangedNotSaved() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/kizuna.yaml"
        let text = EnvironmentConfigTests.base + "\n  temperature.living: { i2c: { chip: bme280 } }\nrules:\n  inactivity: { day: 3h }\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let live = try LiveConfig(installation: try ConfigLoader.parse(text, file: path, boardsDirectory: Paths.boards)) { _ in nil }
        _ = try live.setAndSave([("rules.inactivity.day", "2h")])
        #expect(try read(path + ".prev") == text)
        let changed = try read(path)
        #expect(changed.contains("day: 2h"))
        _ = try live.setAndSave([("sensors.temperature.living.calibration", nil)])
        #expect(try read(path) == changed)
        #expect(try read(path + ".prev") == text, "the 3h version is still the one to revert to")
    }

    @Test("a failed save throws and leaves no temporary file; no .prev, no revert")
    func saveFailures() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = failure { try ConfigFileWriter.save("a: 1\n", to: dir + "/missing/kizuna.yaml") }
        #expect(missing?.message.hasPrefix("cannot save: ") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)

        let path = dir + "/kizuna.yaml"
        try "a: 1\n".write(toFile: path, atomically: false, encoding: .utf8)
        let noPrevious = failure { try ConfigFileWriter.restorePrevious(of: path) }
        #expect(noPrevious != nil)
        #expect(try read(path) == "a: 1\n")
    }
}
