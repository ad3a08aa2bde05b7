import Foundation
import KizunaCore
import Testing
@testable import KizunaRuntime

/// Values that once crashed the loader or were taken silently: each is now refused with the
/// file, line and key, or kept as the technician wrote it.
@Suite("Config: refusals that name the key")
struct ConfigRefusalTests {
    func error(_ text: String) -> ConfigError? {
        do { _ = try ConfigLoader.parse(text, file: "kizuna.yaml", boardsDirectory: Paths.boards); return nil } catch { return error }
    }

    @Test("a duration past 64-bit nanoseconds is no duration (it used to trap the runtime through `config set`)")
    func hugeDuration() {
        #expect(YAMLNode.parseSpan("106751d") == .days(106_751))
        #expect(YAMLNode.parseSpan("106752d") == nil)
        #expect(YAMLNode.parseSpan("200000d") == nil)
        #expect(YAMLNode.parseSpan("100000d100000d") == nil)
        let e = error(ConfigTests.valid.replacingOccurrences(of: "day: 2h", with: "day: 200000d"))
        #expect(e?.key == "rules.inactivity.day" && e?.line == 8)
        #expect(e?.message.hasPrefix("expected a duration") == true)
    }

    @Test("a night window that starts when it ends is refused: its limits would never apply")
    func emptyNight() {
        let e = error(ConfigTests.valid + "\noccupancy:\n  night: { start: \"22:00\", end: \"22:00\" }")
        #expect(e?.key == "occupancy.night" && e?.line == 10)
        #expect(e?.message == "start and end are both 22:00: the night would be empty")
        #expect(error(ConfigTests.valid + "\noccupancy:\n  night: { start: \"21:30\", end: \"06:00\" }") == nil)
    }

    @Test("a token's SHA-256 one digit short, odd, or not hex is refused with its key (a short one used to trap the loader)", arguments: [
        String(repeating: "a", count: 63), "abc", String(repeating: "g", count: 64), String(repeating: "é", count: 32),
    ])
    func badTokenHash(_ hash: String) {
        let text = ConfigTests.valid + "\nstore: { path: /tmp/k.sqlite }\napi:\n  tokens:\n    - { name: ops, role: authority, sha256: \"\(hash)\" }"
        let e = error(text)
        #expect(e?.key == "api.tokens[0].sha256")
        #expect(e?.message.hasPrefix("expected the token's SHA-256 as 64 hex digits") == true)
        let good = text.replacingOccurrences(of: hash, with: String(repeating: "0f", count: 32))
        #expect(error(good) == nil)
    }

    @Test("a calibration with both an offset and two points is refused: which one was meant?")
    func calibrationBoth() {
        let e = error(EnvironmentConfigTests.base + "\n  temperature.living: { i2c: { chip: bme280 }, calibration: { offset: -0.4, points: [[20, 21], [30, 32]] } }")
        #expect(e?.key == "sensors.temperature.living.calibration.points")
        #expect(e?.message == "give offset or points, not both")
    }

    @Test("an SGP40's rise given in the config stays as given (the raw-signal default no longer overwrites it)")
    func vocRiseKept() throws {
        let text = EnvironmentConfigTests.base + "\n  voc.living: { i2c: { chip: sgp40 } }\nrules:\n  voc: { rise_percent: 10 }"
        let i = try ConfigLoader.parse(text, file: "kizuna.yaml", boardsDirectory: Paths.boards)
        #expect(i.settings.environment.vocSignal == .rawTicks)
        #expect(i.settings.environment.vocRisePercent == 10)
        let d = try ConfigLoader.parse(EnvironmentConfigTests.base + "\n  voc.living: { i2c: { chip: sgp40 } }", file: "kizuna.yaml", boardsDirectory: Paths.boards)
        #expect(d.settings.environment.vocRisePercent == 5 && d.settings.environment.vocRiseHysteresis == 2)
    }

    @Test("a rise given for the raw signal (or a low one for the index) gets a hysteresis below it: a rise can end (it stayed 15 %, and every silence limit halved until a restart)")
    func vocHysteresisBelowRise() throws {
        for (rules, rise, hysteresis) in [("{ signal: raw, rise_percent: 4 }", 4.0, 2.0), ("{ signal: raw }", 50.0, 2.0),
                                          ("{ signal: index, rise_percent: 10 }", 10.0, 5.0), ("{ signal: index }", 50.0, 15.0)] {
            let i = try ConfigLoader.parse(EnvironmentConfigTests.base + "\n  voc.living: { i2c: { chip: sgp40 } }\nrules:\n  voc: \(rules)",
                                           file: "kizuna.yaml", boardsDirectory: Paths.boards)
            #expect(i.settings.environment.vocRisePercent == rise, "\(rules)")
            #expect(i.settings.environment.vocRiseHysteresis == hysteresis, "\(rules)")
        }
    }

    @Test("two chips left at one I2C address (one would never be read nor reported faulty), one chip giving a quantity twice, or one chip in two rooms: refused, naming the sensor that has it")
    func sharedAddress() throws {
        let base = EnvironmentConfigTests.base
        let twoChips = error(base + "\n  temperature.living: { i2c: { chip: bme280, bus: 1, address: 0x76 } }" +
                             "\n  temperature.bedroom: { i2c: { chip: sht4x, bus: 1, address: 0x76 } }")
        #expect(twoChips?.key == "sensors.temperature.bedroom")
        #expect(twoChips?.message.contains("0x76 on i2c-1 is already temperature.living's bme280") == true)
        let sameKind = error(base + "\n  temperature.living: { i2c: { chip: bme280 } }\n  temperature.bedroom: { i2c: { chip: bme280 } }")
        #expect(sameKind?.key == "sensors.temperature.bedroom")
        #expect(sameKind?.message.contains("already gives temperature.living") == true)
        let twoRooms = error(base + "\n  temperature.living: { i2c: { chip: bme280 } }\n  humidity.bedroom: { i2c: { chip: bme280 } }")
        #expect(twoRooms?.key == "sensors.humidity.bedroom")
        #expect(twoRooms?.message.contains("a chip is in one room") == true)
        // One chip's quantities in its room; the same address on another bus; another address.
        #expect(error(base + "\n  temperature.living: { i2c: { chip: bme280 } }\n  humidity.living: { i2c: { chip: bme280 } }") == nil)
        #expect(error(base + "\n  temperature.living: { i2c: { chip: bme280, bus: 1 } }\n  temperature.bedroom: { i2c: { chip: bme280, bus: 3 } }") == nil)
        #expect(error(base + "\n  temperature.living: { i2c: { chip: bme280 } }\n  temperature.bedroom: { i2c: { chip: bme280, address: 0x77 } }") == nil)
    }

    @Test("heat bands set in the config move the air temperatures a room without humidity is judged on by as much (they were fixed at 28, 31, 35 °C)")
    func heatBandsMoveTemperatures() throws {
        let i = try ConfigLoader.parse(EnvironmentConfigTests.base + "\nrules:\n  heat: { severe: 26, danger: 29 }", file: "kizuna.yaml", boardsDirectory: Paths.boards)
        let e = i.settings.environment
        #expect([e.heatWarning, e.heatSevereWarning, e.heatDanger] == [25, 26, 29])
        #expect([e.heatWarningTemperature, e.heatSevereWarningTemperature, e.heatDangerTemperature] == [28, 29, 33])
        let d = try ConfigLoader.parse(EnvironmentConfigTests.base, file: "kizuna.yaml", boardsDirectory: Paths.boards).settings.environment
        #expect([d.heatWarningTemperature, d.heatSevereWarningTemperature, d.heatDangerTemperature] == [28, 31, 35])
    }
}
