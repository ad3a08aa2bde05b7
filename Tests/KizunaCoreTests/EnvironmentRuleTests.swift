import Testing
@testable import KizunaCore

/// A flat with environment sensors: the living room has temperature and humidity (WBGT),
/// the bedroom temperature only (judged on air temperature), CO2 in the living room, VOC
/// in the kitchen.
extension TestFlat {
    fileprivate static let environmentNames = [
        "pir.living", "pir.bedroom", "door.entrance", "button.help",
        "temperature.living", "humidity.living", "temperature.bedroom", "co2.living", "voc.kitchen",
    ]

    fileprivate init(environment start: String, _ configure: (inout EngineSettings) -> Void = { _ in }) {
        var settings = EngineSettings(sensors: SensorRegistry(Self.environmentNames.map { SensorDescriptor(name: $0)! }))
        configure(&settings)
        origin = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                           wall: CivilTime.parseISO8601("2026-07-01T00:00:00", defaultOffset: .japan)!)
        engine = WatchEngine(settings: settings, start: Self.time(start, from: origin))
        engine.prime(id("door.entrance"), rawLevel: false)
        engine.prime(id("button.help"), rawLevel: false)
    }

    fileprivate mutating func read(_ sensor: String, _ value: Double, at time: Timestamp) {
        engine.handle(.reading(id(sensor), value: value, at: time), into: &decisions)
    }

    /// The same reading every `every`, from `from` up to and including `to`.
    fileprivate mutating func hold(_ sensor: String, _ value: Double, from: String, to: String, every: Span = .minutes(1)) {
        var at = t(from)
        let end = t(to)
        while at.monotonic <= end.monotonic {
            read(sensor, value, at: at)
            at = at.advanced(by: every)
        }
    }

    /// The living room's temperature and humidity, read together every minute.
    fileprivate mutating func livingClimate(_ celsius: Double, _ humidity: Double, from: String, to: String) {
        var at = t(from)
        let end = t(to)
        while at.monotonic <= end.monotonic {
            read("temperature.living", celsius, at: at)
            read("humidity.living", humidity, at: at)
            at = at.advanced(by: .minutes(1))
        }
    }

    fileprivate func said(_ step: AlarmStep?) -> String? { step?.reason.describe(engine.settings.sensors) }

    /// Alarm steps of `kind` without the repeats of an unacknowledged alarm.
    fileprivate func ladder(_ kind: AlarmKind) -> [AlarmStepKind] { steps(kind).map(\.step).filter { $0 != .repeat } }

    fileprivate var heatBands: [Double] { events.filter { $0.kind == .heatBand }.map(\.value) }
}

@Suite("Environment rules: heat, cold, CO2, VOC with silence")
struct EnvironmentRuleTests {
    // MARK: - WBGT

    @Test("the indoor WBGT estimate at points computed by hand")
    func wbgtFormula() {
        // 0.725·Ta + 0.0368·RH + 0.00364·Ta·RH − 3.246
        let points: [(Double, Double, Double)] = [
            (28, 90, 20.3 + 3.312 + 9.1728 - 3.246),   // 29.5388, the formula's own worked example
            (31, 60, 22.475 + 2.208 + 6.7704 - 3.246),  // 28.2074: severe warning (厳重警戒)
            (34, 60, 24.65 + 2.208 + 7.4256 - 3.246),   // 31.0376: danger (危険)
            (29, 50, 21.025 + 1.84 + 5.278 - 3.246),    // 24.897: caution (注意)
            (25, 50, 18.125 + 1.84 + 4.55 - 3.246),     // 21.269
            (0, 0, -3.246),
        ]
        for (ta, rh, expected) in points {
            #expect(abs(WBGT.indoorEstimate(temperature: ta, humidity: rh) - expected) < 1e-9, "Ta \(ta) RH \(rh)")
        }
        #expect(abs(WBGT.indoorEstimate(temperature: 28, humidity: 90) - 29.5388) < 1e-9)
    }

    // MARK: - Heat

    @Test("heat, temperature-only room: just below the severe threshold only records the 警戒 band")
    func heatJustBelow() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.hold("temperature.bedroom", 30.9, from: "12:00:00", to: "13:00:00")
        f.tick(f.t("13:00:30"))
        #expect(f.steps(.heat).isEmpty && f.steps(.heatDanger).isEmpty)
        // 30.9 °C is in the warning band (28–31 °C for a room without humidity): recorded, nobody called.
        #expect(f.heatBands == [1])
        #expect(f.events.first { $0.kind == .heatBand }?.time.monotonic == f.t("12:10:00").monotonic)
        #expect(f.engine.environment.heatBand(f.id("temperature.bedroom")) == .warning)
    }

    @Test("heat: at the threshold for less than the minimum duration, nothing")
    func heatTooShort() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.hold("temperature.bedroom", 31.0, from: "12:00:00", to: "12:09:00")
        f.read("temperature.bedroom", 30.5, at: f.t("12:09:59"))  // in the hysteresis zone: the run starts again
        f.hold("temperature.bedroom", 30.5, from: "12:10:00", to: "13:00:00")
        f.tick(f.t("13:00:30"))
        #expect(f.steps(.heat).isEmpty)
        #expect(f.engine.environment.heatBand(f.id("temperature.bedroom")) == .warning)
    }

    @Test("heat: at the threshold for the minimum duration, a heat alarm (warning) at the exact time")
    func heatSustained() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.hold("temperature.bedroom", 31.0, from: "12:00:00", to: "12:09:00")
        f.tick(f.t("12:09:59"))
        #expect(f.steps(.heat).isEmpty)
        f.tick(f.t("12:10:00"))
        let s = f.steps(.heat)
        #expect(s.map(\.step) == [.alarm])  // no pre-alarm: the resident cannot cancel heat
        #expect(s.first?.at.monotonic == f.t("12:10:00").monotonic)
        #expect(s.first?.severity == .warning)
        #expect(s.first?.sensor == f.id("temperature.bedroom"))
        #expect(f.said(s.first) == "31.0 °C in bedroom (no humidity reading): severe warning (厳重警戒, ≥ 31.0 °C) for 10m 00s")
        #expect(f.heatBands == [2])
    }

    @Test("a humidity reading older than 15 min makes no WBGT with a new temperature: the room is judged by temperature until humidity comes again")
    func staleHumidity() {
        var f = TestFlat(environment: "09:00:00")
        let t = f.id("temperature.living")
        f.livingClimate(30, 80, from: "10:00:00", to: "10:00:00")
        #expect(f.engine.environment.wbgt(t) != nil)
        f.hold("temperature.living", 30, from: "10:01:00", to: "10:15:00")
        #expect(f.engine.environment.wbgt(t) != nil)   // 15 min old: still used
        f.hold("temperature.living", 30, from: "10:16:00", to: "10:30:00")
        #expect(f.engine.environment.wbgt(t) == nil)
        f.livingClimate(30, 80, from: "10:31:00", to: "10:31:00")
        #expect(f.engine.environment.wbgt(t) != nil)
    }

    @Test("a humidity chip read every 30 min stays fresh for two of its intervals: the WBGT does not flicker off between its polls")
    func slowHumidity() {
        var f = TestFlat(environment: "09:00:00")
        let t = f.id("temperature.living")
        f.hold("humidity.living", 80, from: "10:00:00", to: "10:30:00", every: .minutes(30))
        f.hold("temperature.living", 30, from: "10:31:00", to: "11:29:00")
        #expect(f.engine.environment.wbgt(t) != nil)   // 59 min after a humidity read every 30 min
        f.hold("temperature.living", 30, from: "11:30:00", to: "11:32:00")
        #expect(f.engine.environment.wbgt(t) == nil)   // past two intervals
    }

    @Test("heat, WBGT room: exactly at the threshold counts, just below does not")
    func heatWBGTAtThreshold() {
        let exact = WBGT.indoorEstimate(temperature: 31, humidity: 60)
        let configure: (inout EngineSettings) -> Void = { s in s.environment.heatSevereWarning = exact }
        var at = TestFlat(environment: "11:00:00", configure)
        at.motion(at: at.t("11:55:00"))
        at.livingClimate(31, 60, from: "12:00:00", to: "12:30:00")
        #expect(at.steps(.heat).map(\.step) == [.alarm, .repeat])  // raised at 12:10, not acknowledged: again at 12:25
        #expect(at.steps(.heat).first?.at.monotonic == at.t("12:10:00").monotonic)

        var below = TestFlat(environment: "11:00:00", configure)
        below.motion(at: below.t("11:55:00"))
        below.livingClimate(31, 59, from: "12:00:00", to: "12:30:00")  // WBGT 28.06, just below
        #expect(below.steps(.heat).isEmpty)
    }

    @Test("heat, WBGT room: the reason gives the estimate and what it came from")
    func heatWBGTReason() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.livingClimate(31, 60, from: "12:00:00", to: "12:20:00")
        #expect(f.steps(.heat).first?.at.monotonic == f.t("12:10:00").monotonic)
        #expect(f.said(f.steps(.heat).first) == "WBGT 28.2 in living (31.0 °C, 60 %RH): severe warning (厳重警戒, WBGT ≥ 28.0) for 10m 00s")
        #expect(f.engine.environment.wbgt(f.id("temperature.living")).map { abs($0 - 28.2074) < 1e-9 } == true)
    }

    @Test("heat escalates to heat-danger (critical), does not step back down, and clears when the severe band is left")
    func heatDangerEscalation() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.livingClimate(31, 60, from: "12:00:00", to: "12:29:00")  // WBGT 28.2: severe warning
        f.livingClimate(34, 60, from: "12:30:00", to: "12:59:00")  // WBGT 31.0: danger
        f.livingClimate(31, 60, from: "13:00:00", to: "13:29:00")  // back to severe warning
        f.livingClimate(29, 50, from: "13:30:00", to: "14:00:00")  // WBGT 24.9: below 28 − 1
        let heat = f.steps(.heat).filter { $0.step != .repeat }
        let danger = f.steps(.heatDanger).filter { $0.step != .repeat }
        #expect(heat.map(\.step) == [.alarm, .resolve])
        #expect(heat.map { $0.at.monotonic } == [f.t("12:10:00").monotonic, f.t("12:40:00").monotonic])
        #expect(heat.last?.reason == .superseded(by: .heatDanger))
        #expect(danger.map(\.step) == [.alarm, .resolve])
        #expect(danger.map { $0.at.monotonic } == [f.t("12:40:00").monotonic, f.t("13:40:00").monotonic])
        #expect(danger.first?.severity == .critical)
        #expect(f.said(danger.first) == "WBGT 31.0 in living (34.0 °C, 60 %RH): danger (危険, WBGT ≥ 31.0) for 10m 00s")
        #expect(f.said(danger.last) == "WBGT 24.9 in living: below 27.0 for 10m 00s")
        // Every band change is recorded: severe, danger, back to severe, then warning (24.9 ≥ 25 − 1).
        #expect(f.heatBands == [2, 3, 2, 1])
        #expect(f.engine.openAlarms.isEmpty)
    }

    @Test("heat hysteresis: oscillating around the threshold neither enters nor, once in, leaves")
    func heatHysteresis() {
        // Around the entry threshold: every other reading is below 31 °C, so 10 min never hold.
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        var at = f.t("12:00:00")
        for i in 0..<120 {
            f.read("temperature.bedroom", i % 2 == 0 ? 31.5 : 30.5, at: at)
            at = at.advanced(by: .minutes(1))
        }
        #expect(f.steps(.heat).isEmpty)

        // In the band, oscillating across the exit bound (30 °C) never leaves it; dipping
        // below the entry threshold but above the exit bound never leaves it either.
        var g = TestFlat(environment: "11:00:00")
        g.motion(at: g.t("11:55:00"))
        g.hold("temperature.bedroom", 31.0, from: "12:00:00", to: "12:20:00")
        at = g.t("12:21:00")
        for i in 0..<100 {
            g.read("temperature.bedroom", i % 2 == 0 ? 29.5 : 30.5, at: at)
            at = at.advanced(by: .minutes(1))
        }
        g.hold("temperature.bedroom", 30.1, from: "14:01:00", to: "15:00:00")
        #expect(g.ladder(.heat) == [.alarm])
        #expect(g.heatBands == [2])
        // Below the exit bound for the minimum duration: over, at the exact time.
        g.hold("temperature.bedroom", 29.9, from: "15:01:00", to: "15:30:00")
        #expect(g.ladder(.heat) == [.alarm, .resolve])
        #expect(g.steps(.heat).last?.at.monotonic == g.t("15:11:00").monotonic)
        #expect(g.said(g.steps(.heat).last) == "29.9 °C in bedroom: below 30.0 °C for 10m 00s")
    }

    @Test("heat while away is not raised; it is raised when the resident comes home into a hot flat")
    func heatAway() {
        var f = TestFlat(environment: "09:00:00")
        f.motion(at: f.t("09:00:00"))
        f.door(open: true, at: f.t("09:01:00"))
        f.door(open: false, at: f.t("09:01:10"))
        f.livingClimate(31, 60, from: "12:00:00", to: "13:59:00")
        f.tick(f.t("13:59:59"))
        #expect(f.engine.state == .away)
        #expect(f.steps(.heat).isEmpty)
        #expect(f.heatBands == [2])  // the band is recorded all the same
        f.door(open: true, at: f.t("14:00:00"))
        f.door(open: false, at: f.t("14:00:05"))
        f.motion(at: f.t("14:00:30"))
        f.livingClimate(31, 60, from: "14:01:00", to: "14:05:00")
        #expect(f.engine.state == .home)
        #expect(f.steps(.heat).map(\.step) == [.alarm])
        // Presumed back at the door: the heat is raised then, before she is seen.
        #expect(f.steps(.heat).first?.at.monotonic == f.t("14:00:00").monotonic)
        #expect(f.said(f.steps(.heat).first) ==
                "WBGT 28.2 in living (31.0 °C, 60 %RH): severe warning (厳重警戒, WBGT ≥ 28.0) for 2h 00m, found on coming home")
    }

    @Test("a fault ends the run of readings; it starts again after the sensor recovers (a reading recovers it too)")
    func heatFault() {
        var f = TestFlat(environment: "11:00:00")
        let bedroom = f.id("temperature.bedroom")
        f.motion(at: f.t("11:55:00"))
        f.hold("temperature.bedroom", 31.0, from: "12:00:00", to: "12:04:00")
        f.engine.handle(.fault(bedroom, .crc, at: f.t("12:04:30")), into: &f.decisions)
        // The poller sends no reading while the sensor fails; it says when it answers again.
        f.engine.handle(.recovered(bedroom, at: f.t("12:19:30")), into: &f.decisions)
        f.hold("temperature.bedroom", 31.0, from: "12:20:00", to: "12:40:00")
        #expect(f.steps(.heat).map(\.step) == [.alarm])
        #expect(f.steps(.heat).first?.at.monotonic == f.t("12:30:00").monotonic)
    }

    @Test("the room's humidity lost during a heat episode: the temperature alone does not resolve the alarm while saturated air at it would still be in the band; it does once even that is out")
    func heatHumidityLost() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        // 29 °C at 80 %RH: WBGT 29.2, severe warning (厳重警戒) after 10 min.
        f.livingClimate(29, 80, from: "12:00:00", to: "12:15:00")
        #expect(f.ladder(.heat) == [.alarm])
        // The humidity sensor fails; the room reads 29 °C (below the 31 °C reference, less 1).
        f.engine.handle(.fault(f.id("humidity.living"), .crc, at: f.t("12:15:30")), into: &f.decisions)
        f.hold("temperature.living", 29, from: "12:16:00", to: "13:00:00")
        #expect(f.ladder(.heat) == [.alarm], "29 °C at up to 100 %RH is WBGT up to 32: still severe")
        // 23 °C: even saturated air is WBGT 25.5, out of the severe band (28 − 1): resolved
        // after the band's 10 min.
        f.hold("temperature.living", 23, from: "13:01:00", to: "13:20:00")
        #expect(f.ladder(.heat) == [.alarm, .resolve])
        #expect(f.steps(.heat).last?.at.monotonic == f.t("13:11:00").monotonic)
    }

    @Test("an episode begun on the temperature alone (humidity already lost) is left on the temperature's own thresholds, not held as one begun on WBGT")
    func heatTemperatureOnlyEpisode() {
        var f = TestFlat(environment: "11:00:00")
        f.motion(at: f.t("11:55:00"))
        f.engine.handle(.fault(f.id("humidity.living"), .crc, at: f.t("11:58:00")), into: &f.decisions)
        // 31 °C: severe on the reference temperatures (31) after 10 min.
        f.hold("temperature.living", 31, from: "12:00:00", to: "12:15:00")
        #expect(f.ladder(.heat) == [.alarm])
        // 28 °C, below 31 − 1 for 10 min: resolved (held until below 24.4 °C before the fix).
        f.hold("temperature.living", 28, from: "12:16:00", to: "12:40:00")
        #expect(f.ladder(.heat) == [.alarm, .resolve])
        #expect(f.steps(.heat).last?.at.monotonic == f.t("12:26:00").monotonic)
    }

    @Test("a heat alarm open before a restart clears when readings show the room cooled")
    func heatRestored() {
        var f = TestFlat(environment: "11:00:00")
        let bedroom = f.id("temperature.bedroom")
        let open = OpenAlarm(id: 7, kind: .heat, sensor: bedroom, raisedAt: f.t("10:00:00"), phase: .alarm, repeats: 0,
                             deadline: .never, reason: .restored("31.0 °C in bedroom"))
        f.engine.restore(.init(occupancy: .home, lastSign: f.t("10:55:00"), lastSignSensor: f.id("pir.living"),
                               lastMotion: [:], openAlarms: [open], nextAlarmID: 8))
        f.hold("temperature.bedroom", 26.0, from: "12:00:00", to: "12:20:00")
        #expect(f.steps(.heat).map(\.step) == [.resolve])
        #expect(f.steps(.heat).first?.alarmID == 7)
        #expect(f.steps(.heat).first?.at.monotonic == f.t("12:10:00").monotonic)
    }

    // MARK: - Cold

    @Test("cold: at 10 °C nothing; below it for less than 2 h nothing; for 2 h a cold alarm at the exact time")
    func coldThresholds() {
        var at = TestFlat(environment: "09:00:00")
        at.hold("temperature.bedroom", 10.0, from: "10:00:00", to: "13:00:00", every: .minutes(5))
        #expect(at.steps(.cold).isEmpty)

        var short = TestFlat(environment: "09:00:00")
        short.hold("temperature.bedroom", 9.9, from: "10:00:00", to: "11:55:00", every: .minutes(5))
        short.read("temperature.bedroom", 10.0, at: short.t("11:59:59"))
        short.hold("temperature.bedroom", 10.0, from: "12:00:00", to: "13:00:00", every: .minutes(5))
        #expect(short.steps(.cold).isEmpty)

        var f = TestFlat(environment: "09:00:00")
        f.hold("temperature.bedroom", 9.9, from: "10:00:00", to: "11:55:00", every: .minutes(5))
        f.tick(f.t("11:59:59"))
        #expect(f.steps(.cold).isEmpty)
        f.tick(f.t("12:00:00"))
        #expect(f.steps(.cold).map(\.step) == [.alarm])
        #expect(f.steps(.cold).first?.at.monotonic == f.t("12:00:00").monotonic)
        #expect(f.steps(.cold).first?.severity == .warning)
        #expect(f.said(f.steps(.cold).first) == "9.9 °C in bedroom: below 10.0 °C for 2h 00m")
    }

    @Test("cold clears only at 11 °C (hysteresis) held for 30 min")
    func coldClears() {
        var f = TestFlat(environment: "09:00:00")
        f.hold("temperature.bedroom", 9.0, from: "10:00:00", to: "12:30:00", every: .minutes(5))
        f.hold("temperature.bedroom", 10.9, from: "12:35:00", to: "14:30:00", every: .minutes(5))
        #expect(f.ladder(.cold) == [.alarm])
        f.hold("temperature.bedroom", 11.0, from: "14:35:00", to: "15:30:00", every: .minutes(5))
        #expect(f.ladder(.cold) == [.alarm, .resolve])
        #expect(f.steps(.cold).last?.at.monotonic == f.t("15:05:00").monotonic)
        #expect(f.said(f.steps(.cold).last) == "11.0 °C in bedroom: at or above 11.0 °C for 30m 00s")
    }

    // MARK: - CO2

    @Test("CO2: just below nothing; at 1500 ppm for less than 30 min nothing; for 30 min a ventilation notice")
    func co2Thresholds() {
        var below = TestFlat(environment: "09:00:00")
        below.hold("co2.living", 1499, from: "10:00:00", to: "12:00:00")
        #expect(below.steps(.ventilation).isEmpty)

        var short = TestFlat(environment: "09:00:00")
        short.hold("co2.living", 1500, from: "10:00:00", to: "10:25:00")
        short.hold("co2.living", 1450, from: "10:26:00", to: "12:00:00")
        #expect(short.steps(.ventilation).isEmpty)

        var f = TestFlat(environment: "09:00:00")
        f.hold("co2.living", 1500, from: "10:00:00", to: "10:29:00")
        f.tick(f.t("10:29:59"))
        #expect(f.steps(.ventilation).isEmpty)
        f.tick(f.t("10:30:00"))
        #expect(f.steps(.ventilation).map(\.step) == [.alarm])
        #expect(f.steps(.ventilation).first?.at.monotonic == f.t("10:30:00").monotonic)
        #expect(f.said(f.steps(.ventilation).first) == "CO2 1500 ppm in living: at or above 1500 ppm for 30m 00s")
    }

    @Test("the ventilation notice is info: sent once, never repeated, never sounds; clears below 1400 ppm")
    func co2Quiet() {
        #expect(AlarmKind.ventilation.severity == .info)
        #expect(!AlarmKind.ventilation.repeats && !AlarmKind.ventilation.hasPreAlarm && !AlarmKind.ventilation.soundsLocally)
        var f = TestFlat(environment: "21:00:00")
        f.hold("co2.living", 1800, from: "22:00:00", to: "+1 02:00:00")  // all night, nobody acknowledges
        #expect(f.steps(.ventilation).map(\.step) == [.alarm])
        f.hold("co2.living", 1450, from: "+1 02:01:00", to: "+1 03:00:00")  // hysteresis zone: still stuffy
        #expect(f.steps(.ventilation).map(\.step) == [.alarm])
        f.hold("co2.living", 1399, from: "+1 03:01:00", to: "+1 03:30:00")
        #expect(f.steps(.ventilation).map(\.step) == [.alarm, .resolve])
        #expect(f.steps(.ventilation).last?.at.monotonic == f.t("+1 03:11:00").monotonic)
        #expect(f.said(f.steps(.ventilation).last) == "CO2 1399 ppm in living: below 1400 ppm for 10m 00s")
    }

    // MARK: - VOC rise with silence

    /// VOC at 100 every 5 min from 09:00 (the baseline, warmed up by 10:00), the resident
    /// last seen at 10:00:02, then VOC at `level` from `riseFrom` to `riseTo`, 100 after,
    /// up to `until`.
    static func vocFlat(riseFrom: String, riseTo: String, level: Double = 200, until: String,
                        configure: (inout EngineSettings) -> Void = { s in s.environment.vocBaselineTime = .days(10_000) }) -> TestFlat {
        var f = TestFlat(environment: "09:00:00", configure)
        f.hold("voc.kitchen", 100, from: "09:00:00", to: "09:55:00", every: .minutes(5))
        f.motion(at: f.t("10:00:00"))
        var at = f.t("10:05:00")
        let from = f.t(riseFrom).monotonic, to = f.t(riseTo).monotonic, end = f.t(until).monotonic
        while at.monotonic <= end {
            f.read("voc.kitchen", at.monotonic >= from && at.monotonic <= to ? level : 100, at: at)
            at = at.advanced(by: .minutes(5))
        }
        return f
    }

    @Test("a sustained VOC rise during a silence halves the inactivity limit, and the alarm says so")
    func vocShortensSilence() {
        // Rise from 10:30, confirmed at 11:00; the day limit 3 h halved: 10:00:02 + 1h 30m.
        var f = Self.vocFlat(riseFrom: "10:30:00", riseTo: "12:00:00", until: "11:30:00")
        f.tick(f.t("11:30:01"))
        #expect(f.steps(.inactivity).isEmpty)
        #expect(f.events.filter { $0.kind == .vocRise }.map { $0.time.monotonic } == [f.t("11:00:00").monotonic])
        f.tick(f.t("11:30:02"))
        let s = f.steps(.inactivity)
        #expect(s.map(\.step) == [.preAlarm])
        #expect(s.first?.at.monotonic == f.t("11:30:02").monotonic)
        #expect(f.said(s.first) ==
                "no sign of life for 1h 30m since pir.living (day limit 3h 00m, shortened to 1h 30m) and a sustained VOC rise (+100 %) in kitchen")
    }

    @Test("a restart during a sustained VOC rise: the watch is rebuilt from the readings stored before, so the rise and its shortened limit hold (the raised level was the new baseline, the alarm 1.5 h later)")
    func vocRiseAcrossARestart() {
        for recalled in [true, false] {
            // Before the stop: the rise from 10:30, confirmed at 11:00; stopped after 11:10.
            let before = Self.vocFlat(riseFrom: "10:30:00", riseTo: "12:00:00", until: "11:10:00")
            let voc = before.id("voc.kitchen")
            let stored = before.events.filter { $0.kind == .reading && $0.sensor == voc }.map { (sensor: $0.sensor, at: $0.time, value: $0.value) }
            var f = TestFlat(environment: "11:12:00") { s in s.environment.vocBaselineTime = .days(10_000) }
            f.engine.restore(.init(occupancy: .home, lastSign: before.engine.inactivity.lastSign, lastSignSensor: f.id("pir.living"),
                                   lastMotion: [:], openAlarms: [], nextAlarmID: 1, vocReadings: recalled ? stored : []))
            var at = f.t("11:15:00")
            while at.monotonic <= f.t("11:35:00").monotonic {
                f.read("voc.kitchen", 200, at: at)
                at = at.advanced(by: .minutes(5))
            }
            f.tick(f.t("11:35:00"))
            if recalled {
                #expect(f.engine.environment.silenceAggravation?.since.monotonic == f.t("11:00:00").monotonic)
                #expect(f.steps(.inactivity).first?.at.monotonic == f.t("11:30:02").monotonic)
                #expect(f.said(f.steps(.inactivity).first)?.contains("sustained VOC rise (+100 %)") == true)
                #expect(!f.events.contains { $0.kind == .vocRise }, "the stored confirmation is not stored again")
            } else {
                #expect(f.steps(.inactivity).isEmpty, "without the stored readings the rise is lost (the baseline is 200)")
            }
        }
    }

    @Test("a VOC rise confirmed after the shortened limit raises the alarm at once")
    func vocAfterShortenedLimit() {
        // Shortened limit at 11:30:02; the rise starts at 11:30 and is confirmed at 12:00.
        let f = Self.vocFlat(riseFrom: "11:30:00", riseTo: "13:00:00", until: "12:10:00")
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm, .alarm])  // the alarm after the 3-minute grace
        #expect(f.steps(.inactivity).first?.at.monotonic == f.t("12:00:00").monotonic)
        if case .silenceWithVOCRise(let silence, let limit, let normal, _, _, let rise, let voc) = f.steps(.inactivity).first?.reason {
            #expect(silence == Span.hours(2) - .seconds(2) && limit == .minutes(90) && normal == .hours(3))
            #expect(rise == 100 && voc == f.id("voc.kitchen"))
        } else {
            Issue.record("expected a silence with a VOC rise")
        }
    }

    @Test("a VOC rise that ends gives the normal limit back; a short whiff changes nothing")
    func vocRiseEnds() {
        // Rise 10:30–11:10 (confirmed 11:00), back to baseline from 11:15: over at 11:25.
        let f = Self.vocFlat(riseFrom: "10:30:00", riseTo: "11:10:00", until: "13:10:00")
        #expect(f.steps(.inactivity).map(\.step).first == .preAlarm)
        #expect(f.steps(.inactivity).first?.at.monotonic == f.t("13:00:02").monotonic)
        #expect(f.steps(.inactivity).first?.reason ==
                .silence(for: .hours(3), limit: .hours(3), atNight: false, lastSign: f.id("pir.living")))
        #expect(f.events.filter { $0.kind == .vocRise }.map { $0.value.rounded() } == [100, 0])

        let g = Self.vocFlat(riseFrom: "10:30:00", riseTo: "10:50:00", until: "13:10:00")  // 25 min: not sustained
        #expect(g.events.filter { $0.kind == .vocRise }.isEmpty)
        #expect(g.steps(.inactivity).first?.at.monotonic == g.t("13:00:02").monotonic)
    }

    @Test("with the default baseline (6 h) a doubling of the VOC index is a sustained rise")
    func vocDefaults() {
        let f = Self.vocFlat(riseFrom: "10:30:00", riseTo: "12:00:00", until: "11:35:00", configure: { _ in })
        #expect(f.steps(.inactivity).first?.at.monotonic == f.t("11:30:02").monotonic)
        #expect(f.said(f.steps(.inactivity).first)?.contains("and a sustained VOC rise (+") == true)
        #expect(f.said(f.steps(.inactivity).first)?.hasSuffix("%) in kitchen") == true)
    }

    @Test("the limit is halved but never below 1 h, and never lengthened")
    func aggravationBounds() {
        let a = SilenceAggravation(sensor: SensorID.none, risePercent: 80, since: TestFlat().t("10:00:00"), factor: 0.5, minimum: .hours(1))
        #expect(a.shortened(.hours(3)) == .minutes(90))
        #expect(a.shortened(.hours(10)) == .hours(5))
        #expect(a.shortened(.minutes(90)) == .hours(1))
        #expect(a.shortened(.minutes(40)) == .minutes(40))
    }
}
