import Foundation
import KizunaCore
import Testing
@testable import KizunaRuntime

@Suite("Config")
struct ConfigTests {
    static let valid = """
        device: { id: kz-1, flat: A-101 }
        board: sim
        timezone: "+09:00"
        sensors:
          pir.living: { line: PIR_LIVING }
          door.entrance: { pin: 22, inverted: true }
        rules:
          inactivity: { day: 2h, night: 8h }
        """

    func parse(_ text: String) throws(ConfigError) -> Installation {
        try ConfigLoader.parse(text, file: "kizuna.yaml", boardsDirectory: Paths.boards)
    }

    /// The error for `text`, which must be refused.
    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid file gives the installation it describes")
    func valid() throws {
        let i = try parse(Self.valid)
        #expect(i.deviceID == "kz-1" && i.flatID == "A-101")
        #expect(i.settings.rules.inactivityByDay == .hours(2))
        #expect(i.settings.rules.inactivityAtNight == .hours(8))
        #expect(i.settings.rules.doorOpenAtNight == .minutes(5))  // a default
        #expect(i.sensors.sensors.map(\.name) == ["pir.living", "door.entrance"])
        #expect(i.settings.inverted == [false, true])
        #expect(i.wiring.line(of: SensorID(1))?.address?.offset == 5)  // header pin 22 on the sim board
    }

    @Test("the demo's own config is valid")
    func demoConfig() throws {
        let i = try ConfigLoader.load(file: Paths.demoConfig, boardsDirectory: Paths.boards)
        #expect(i.board.isSimulated)
        #expect(i.wiring.line(of: .buzzer) != nil)
    }

    @Test("an unknown key names the file, the line, the key, and what was meant")
    func unknownKey() {
        let e = error(Self.valid.replacingOccurrences(of: "inactivity: { day: 2h", with: "inactivty: { day: 2h"))
        #expect(e?.line == 8)
        #expect(e?.key == "rules.inactivty")
        #expect(e?.description.hasPrefix("kizuna.yaml:8: rules.inactivty: unknown key (did you mean 'inactivity'?)") == true)
    }

    @Test("a wrong type is refused with what was expected and what was given")
    func wrongType() {
        let e = error(Self.valid.replacingOccurrences(of: "day: 2h", with: "day: two hours"))
        #expect(e?.line == 8)
        #expect(e?.key == "rules.inactivity.day")
        #expect(e?.message == "expected a duration such as 30s, 15m, 3h, 1h30m or 2d, got \"two hours\"")
        let b = error(Self.valid.replacingOccurrences(of: "inverted: true", with: "inverted: maybe"))
        #expect(b?.key == "sensors.door.entrance.inverted")
        #expect(b?.line == 6)
    }

    @Test("an out-of-range value is refused with the range")
    func outOfRange() {
        let e = error(Self.valid.replacingOccurrences(of: "day: 2h", with: "day: 5m"))
        #expect(e?.key == "rules.inactivity.day")
        #expect(e?.message == "5m is out of range (10m 00s to 2d 00h)")
        let r = error(Self.valid + "\nring_capacity: 3\n")
        #expect(r?.key == "ring_capacity")
        #expect(r?.message == "3 is out of range (64 to 1048576)")
    }

    @Test("a missing or unknown board is named")
    func board() {
        let missing = error(Self.valid.replacingOccurrences(of: "board: sim\n", with: ""))
        #expect(missing?.key == "board")
        #expect(missing?.message.hasPrefix("missing") == true)
        let unknown = error(Self.valid.replacingOccurrences(of: "board: sim", with: "board: rpi-99"))
        #expect(unknown?.key == "board")
        #expect(unknown?.line == 2)
        #expect(unknown?.message.contains("no board profile 'rpi-99'") == true)
    }

    @Test("a pin used twice, or not on the board, names the key")
    func pins() {
        let twice = error(Self.valid.replacingOccurrences(of: "pir.living: { line: PIR_LIVING }", with: "pir.living: { pin: 22 }"))
        #expect(twice?.key == "sensors.door.entrance")
        #expect(twice?.message == "line kizuna-sim:5 is already used by pir.living")
        let absent = error(Self.valid.replacingOccurrences(of: "pin: 22", with: "pin: 2"))
        #expect(absent?.key == "sensors.door.entrance.pin")
        #expect(absent?.message.hasPrefix("pin 2 is not a GPIO pin on board 'sim'") == true)
    }

    @Test("broken YAML gives the line")
    func brokenYAML() {
        let e = error("board: sim\nsensors:\n  pir.living: { line: PIR_LIVING\n")
        #expect(e?.line != nil)
        #expect(e?.message.hasPrefix("not valid YAML") == true)
    }

    @Test("durations", arguments: [("250ms", Span.milliseconds(250)), ("30s", .seconds(30)), ("1h30m", .minutes(90)), ("2d", .days(2))])
    func durations(_ text: String, _ span: Span) {
        #expect(YAMLNode.parseSpan(text) == span)
    }

    @Test("bad durations", arguments: ["", "3", "h", "3x", "-3h", "3h 2"])
    func badDurations(_ text: String) {
        #expect(YAMLNode.parseSpan(text) == nil)
    }

    @Test("kizuna check-config exits 2 and names file, line and key")
    func checkConfigExitStatus() throws {
        let kizuna = try #require(Paths.kizuna, "the kizuna executable is built by swift test")
        let dir = try temporaryFolder("config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("kizuna.yaml").path
        try Self.valid.replacingOccurrences(of: "night: 8h", with: "nigth: 8h").write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try run(kizuna, ["check-config", bad, "--boards", Paths.boards])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(bad):8: rules.inactivity.nigth: unknown key (did you mean 'night'?)"))
        let good = try run(kizuna, ["check-config", Paths.demoConfig, "--boards", Paths.boards])
        #expect(good.status == 0)
        #expect(good.stdout.contains("OK"))
    }
}

@Suite("Config: delivery")
struct DeliveryConfigTests {
    static func config(_ delivery: String, store: Bool = true) -> String {
        ConfigTests.valid + (store ? "\nstore: { path: /tmp/k.sqlite }" : "") + "\ndelivery:\n" + delivery
    }

    static func secretFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-secret-\(UUID().uuidString)").path
        try "0123456789abcdef0123".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func parse(_ text: String) throws(ConfigError) -> Installation {
        try ConfigLoader.parse(text, file: "kizuna.yaml", boardsDirectory: Paths.boards)
    }

    @Test("webhooks and every Alertmanager instance become targets")
    func targets() throws {
        let secret = try Self.secretFile()
        let i = try parse(Self.config("""
              heartbeat_every: 2m
              backoff: { first: 2s, max: 5m }
              webhooks:
                - { name: ops, url: "https://alarms.example.org/kizuna", secret_file: \(secret) }
              alertmanagers:
                - { name: am, urls: ["http://10.0.0.1:9093", "http://10.0.0.2:9093"] }
            """))
        let d = try #require(i.delivery)
        #expect(d.targets == ["ops", "am@10.0.0.1:9093", "am@10.0.0.2:9093"])
        #expect(d.heartbeatEvery == 120 && d.backoff.first == 2 && d.backoff.maximum == 300)
        #expect(d.webhooks[0].secret == Array("0123456789abcdef0123".utf8))
    }

    @Test("alarms delivered from an unnamed device: a warning naming the key (check-config refuses it), and a name of the machine's own, never 'kizuna'")
    func unnamedDevice() throws {
        let secret = try Self.secretFile()
        let sinks = "  webhooks:\n    - { name: ops, url: \"https://alarms.example.org/k\", secret_file: \(secret) }"
        let named = Self.config(sinks)
        let ok = try parse(named)
        #expect(ok.warnings.isEmpty && ok.deviceID == "kz-1" && ok.flatID == "A-101")
        // Not refused: a device upgraded with this config must go on watching over her.
        let unnamed = named.replacingOccurrences(of: "device: { id: kz-1, flat: A-101 }\n", with: "")
        let i = try parse(unnamed)
        let w = try #require(i.warnings.first)
        #expect(i.warnings.count == 1 && w.key == "device.id")
        // The line is the delivery section's (where its first entry is, as for every section).
        #expect(w.line == unnamed.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "  webhooks:").map { $0 + 1 })
        #expect(w.description.contains("name this device") && w.description.contains("sending as \(i.deviceID)"))
        #expect(i.deviceID.hasPrefix("kz-") && i.deviceID.count > 3 && i.deviceID == ConfigLoader.machineName())
        #expect(i.flatID == i.deviceID)
        let flatOnly = try parse(named.replacingOccurrences(of: "device: { id: kz-1, flat: A-101 }", with: "device: { flat: A-101 }"))
        #expect(flatOnly.warnings.map(\.key) == ["device.id"] && flatOnly.flatID == "A-101" && flatOnly.deviceID != "kizuna")
        for generic in ["kizuna", "Kizuna"] {
            let g = try parse(named.replacingOccurrences(of: "id: kz-1", with: "id: \(generic)"))
            #expect(g.warnings.map(\.key) == ["device.id"] && g.warnings.first?.line == 1 && g.deviceID.hasPrefix("kz-"))
        }
        // Without delivery, a bench or demo device may stay unnamed.
        #expect(try parse(ConfigTests.valid.replacingOccurrences(of: "device: { id: kz-1, flat: A-101 }\n", with: "")).warnings.isEmpty)
        // The technician's check refuses it, with file, line and key.
        let kizuna = try #require(Paths.kizuna, "the kizuna executable is built by swift test")
        let dir = try temporaryFolder("unnamed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("kizuna.yaml").path
        try unnamed.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run(kizuna, ["check-config", file, "--boards", Paths.boards])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(file):\(w.line ?? 0): device.id: missing"))
    }

    @Test("a bad URL, a missing secret, a duplicate name or no store are refused with the line and key")
    func errors() throws {
        let secret = try Self.secretFile()
        func error(_ text: String, store: Bool = true) -> ConfigError? {
            do { _ = try parse(Self.config(text, store: store)); return nil } catch { return error }
        }
        let url = error("  webhooks:\n    - { name: ops, url: \"ftp://x/y\", secret_file: \(secret) }")
        #expect(url?.key == "delivery.webhooks[0].url")
        #expect(url?.description.contains("only http:// and https://") == true)
        #expect(url?.line != nil)
        let missing = error("  webhooks:\n    - { name: ops, url: \"http://x/y\", secret_file: /nonexistent/secret }")
        #expect(missing?.key == "delivery.webhooks[0].secret_file")
        let twice = error("  webhooks:\n    - { name: ops, url: \"http://x/y\", secret_file: \(secret) }\n  alertmanagers:\n    - { name: ops, urls: [\"http://a:9093\"] }")
        #expect(twice?.description.contains("two sinks are named 'ops'") == true)
        let noStore = error("  alertmanagers:\n    - { name: am, urls: [\"http://a:9093\"] }", store: false)
        #expect(noStore?.description.contains("needs the store") == true)
    }
}

@Suite("Config: I2C sensors and environment rules")
struct EnvironmentConfigTests {
    static let base = """
        device: { id: kz-1, flat: A-101 }
        board: rpi-4b
        sensors:
          pir.living: { pin: 11 }
        """

    func parse(_ text: String) throws(ConfigError) -> Installation {
        try ConfigLoader.parse(text, file: "kizuna.yaml", boardsDirectory: Paths.boards)
    }

    func error(_ text: String) -> ConfigError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    @Test("chips, buses, hex addresses, poll intervals and calibration")
    func wires() throws {
        let i = try parse(Self.base + """

              temperature.living: { i2c: { chip: bme280, bus: 1, address: 0x77 }, every: 10s, calibration: { offset: -0.5 } }
              humidity.living: { i2c: { chip: bme280, bus: 1, address: 0x77 } }
              light.living: { i2c: { chip: bh1750 }, calibration: { points: [[100, 110], [800, 880]] } }
            """)
        #expect(i.environment.map(\.chip) == [.bme280, .bme280, .bh1750])
        #expect(i.environment[0].address == 0x77 && i.environment[0].every == .seconds(10))
        #expect(i.environment[0].calibration == .offset(-0.5))
        #expect(i.environment[2].address == 0x23 && i.environment[2].bus == 1)
        #expect(i.environment[2].calibration.apply(450) == 495)
    }

    @Test("a chip that does not measure the quantity, a bad address: refused with the key; on the simulated board a chip is simulated")
    func wireErrors() {
        let wrong = error(Self.base + "\n  co2.living: { i2c: { chip: bme280 } }")
        #expect(wrong?.key == "sensors.co2.living.i2c")
        #expect(wrong?.description.contains("a bme280 does not measure co2") == true)
        let address = error(Self.base + "\n  temperature.living: { i2c: { chip: sht4x, address: 0x99 } }")
        #expect(address?.key == "sensors.temperature.living.i2c.address")
        // The demo's board: the chip is its device model on a simulated bus (EnvironmentSetup).
        let simText = "board: sim\nsensors:\n  pir.living: { line: PIR_LIVING }\n  temperature.living: { i2c: { chip: sht4x } }"
        #expect(error(simText) == nil)
        let sim = try? ConfigLoader.parse(simText, file: "kizuna.yaml", boardsDirectory: Paths.boards)
        #expect(sim?.environment.map(\.chip) == [.sht4x])
    }

    @Test("environment rules: thresholds from the config; WBGT bands must rise; an SGP40 is judged on its raw signal")
    func rules() throws {
        let i = try parse(Self.base + "\nrules:\n  heat: { severe: 27.5, for: 20m }\n  co2: { above: 1200 }\n  cold: { below: 12, for: 3h }")
        #expect(i.settings.environment.heatSevereWarning == 27.5 && i.settings.environment.heatFor == .minutes(20))
        #expect(i.settings.environment.co2Limit == 1200)
        #expect(i.settings.environment.coldBelow == 12 && i.settings.environment.coldFor == .hours(3))
        let bands = error(Self.base + "\nrules:\n  heat: { severe: 32 }")
        #expect(bands?.description.contains("must rise") == true)
        let sgp = try parse(Self.base + "\n  voc.living: { i2c: { chip: sgp40 } }")
        #expect(sgp.settings.environment.vocSignal == .rawTicks)
    }

    @Test("the learned routine: margin, extra, window, memory; refusals name the line and key")
    func routine() throws {
        let r = try #require(try parse(ConfigTests.valid + "\n  routine: { margin: 30%, extra: 45m, window: 90m, memory: 21d, history: 10d }").settings.routine)
        #expect(r.margin == 0.3 && r.extra == Span.minutes(45) && r.window == Span.minutes(90))
        #expect(r.memoryDays == 21 && r.minHistoryDays == 10)
        #expect(try parse(ConfigTests.valid + "\n  routine: off").settings.routine == nil)
        #expect(try parse(ConfigTests.valid).settings.routine == RoutineSettings())
        let word = error(ConfigTests.valid + "\n  routine: { margin: lots }")
        #expect(word?.line == 9 && word?.key == "rules.routine.margin")
        #expect(word?.description.contains("percentage") == true)
        let range = error(ConfigTests.valid + "\n  routine: { margin: 500% }")
        #expect(range?.key == "rules.routine.margin" && range?.description.contains("out of range") == true)
        let memory = error(ConfigTests.valid + "\n  routine: { history: 30d, memory: 14d }")
        #expect(memory?.line == 9 && memory?.description.contains("history must not be longer than memory") == true)
        let old = error(ConfigTests.valid + "\n  routine: { threshold: 0.01 }")
        #expect(old?.key == "rules.routine.threshold" && old?.description.contains("unknown key") == true)
    }

    @Test("rooms of rest: bedroom and bed by default, a list, none; up_share; refusals name the line and key")
    func restRooms() throws {
        #expect(try parse(ConfigTests.valid).settings.routine?.restRooms == ["bedroom", "bed"])
        #expect(try parse(ConfigTests.valid).settings.routine?.upShare == 0.67)
        let r = try #require(try parse(ConfigTests.valid + "\n  routine: { rest_rooms: [bedroom, futon], up_share: 50% }").settings.routine)
        #expect(r.restRooms == ["bedroom", "futon"] && r.upShare == 0.5)
        #expect(try parse(ConfigTests.valid + "\n  routine: { rest_rooms: [] }").settings.routine?.restRooms == [])
        let notList = error(ConfigTests.valid + "\n  routine: { rest_rooms: bedroom }")
        #expect(notList?.line == 9 && notList?.key == "rules.routine.rest_rooms" && notList?.description.contains("expected a list") == true)
        let sensorName = error(ConfigTests.valid + "\n  routine: { rest_rooms: [pir.bedroom] }")
        #expect(sensorName?.line == 9 && sensorName?.key == "rules.routine.rest_rooms[0]" && sensorName?.description.contains("room name") == true)
        let share = error(ConfigTests.valid + "\n  routine: { up_share: 150% }")
        #expect(share?.key == "rules.routine.up_share" && share?.description.contains("out of range") == true)
    }

    @Test("up_margin and up_extra: 0 % and 40 min by default, set, refused out of range with line and key")
    func upAllowance() throws {
        let d = try #require(try parse(ConfigTests.valid).settings.routine)
        #expect(d.upMargin == 0 && d.upExtra == Span.minutes(40))
        let r = try #require(try parse(ConfigTests.valid + "\n  routine: { up_margin: 10%, up_extra: 30m }").settings.routine)
        #expect(r.upMargin == 0.1 && r.upExtra == Span.minutes(30) && r.margin == 0.25 && r.extra == Span.hours(1))
        let margin = error(ConfigTests.valid + "\n  routine: { up_margin: 250% }")
        #expect(margin?.line == 9 && margin?.key == "rules.routine.up_margin" && margin?.description.contains("out of range") == true)
        let extra = error(ConfigTests.valid + "\n  routine: { up_extra: 7h }")
        #expect(extra?.line == 9 && extra?.key == "rules.routine.up_extra" && extra?.description.contains("out of range") == true)
        let typo = error(ConfigTests.valid + "\n  routine: { up_extras: 30m }")
        #expect(typo?.key == "rules.routine.up_extras")
    }

    @Test("not back: floor, margin, extra, memory, after, fallback; off; refusals name the line and key")
    func notBack() throws {
        let r = try #require(try parse(ConfigTests.valid + "\n  routine: { not_back: { floor: 6h, margin: 100%, extra: 2h, memory: 60d, after: 5 } }").settings.routine)
        let a = try #require(r.notBack)
        #expect(a.floor == Span.hours(6) && a.margin == 1 && a.extra == Span.hours(2) && a.memoryDays == 60 && a.minAbsences == 5)
        #expect(try parse(ConfigTests.valid + "\n  routine: { not_back: off }").settings.routine?.notBack == nil)
        #expect(try parse(ConfigTests.valid).settings.routine?.notBack == AbsenceSettings())
        let count = error(ConfigTests.valid + "\n  routine: { not_back: { after: 0 } }")
        #expect(count?.line == 9 && count?.key == "rules.routine.not_back.after" && count?.description.contains("out of range") == true)
        let floor = error(ConfigTests.valid + "\n  routine: { not_back: { floor: soon } }")
        #expect(floor?.key == "rules.routine.not_back.floor")
        let unknown = error(ConfigTests.valid + "\n  routine: { not_back: { ceiling: 2d } }")
        #expect(unknown?.key == "rules.routine.not_back.ceiling" && unknown?.description.contains("unknown key") == true)
        // The limit until enough outings are remembered: 24 h unless set; off; a span in range.
        #expect(a.fallback == Span.hours(24))
        #expect(try parse(ConfigTests.valid + "\n  routine: { not_back: { fallback: 36h } }").settings.routine?.notBack?.fallback == Span.hours(36))
        let noFallback = try #require(try parse(ConfigTests.valid + "\n  routine: { not_back: { fallback: off } }").settings.routine?.notBack)
        #expect(noFallback.fallback == nil && noFallback.minAbsences == 10)
        #expect(a.longestOuting == Span.hours(24))
        #expect(try parse(ConfigTests.valid + "\n  routine: { not_back: { longest: 3d } }").settings.routine?.notBack?.longestOuting == Span.days(3))
        #expect(error(ConfigTests.valid + "\n  routine: { not_back: { longest: 1h } }")?.key == "rules.routine.not_back.longest")
        let tooLong = error(ConfigTests.valid + "\n  routine: { not_back: { fallback: 30d } }")
        #expect(tooLong?.line == 9 && tooLong?.key == "rules.routine.not_back.fallback" && tooLong?.description.contains("out of range") == true)
    }

    @Test("occupancy.visit: 3 h by default, 0 allowed, more than 12 h refused with line and key")
    func visit() throws {
        #expect(try parse(ConfigTests.valid).settings.occupancy.visit == .hours(3))
        #expect(try parse(ConfigTests.valid + "\noccupancy: { visit: 90m }").settings.occupancy.visit == .minutes(90))
        #expect(try parse(ConfigTests.valid + "\noccupancy: { visit: 0s }").settings.occupancy.visit == .zero)
        let tooLong = error(ConfigTests.valid + "\noccupancy:\n  visit: 2d")
        #expect(tooLong?.line == 10 && tooLong?.key == "occupancy.visit" && tooLong?.description.contains("out of range") == true)
    }
}
