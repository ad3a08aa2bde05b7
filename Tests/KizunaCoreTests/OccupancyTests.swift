import Testing
@testable import KizunaCore

@Suite("Occupancy state machine")
struct OccupancyTests {
    /// One scripted case: actions at times, then the transitions expected (to-state and reason).
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var script: [(String, String)]  // (time, action)
        var until: String
        var expected: [(OccupancyState, String)]  // (to, time)
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown + motion → home", script: [("10:00:00", "motion")], until: "10:05:00",
             expected: [(.home, "10:00:00")]),
        Case(name: "door then silence → away after the confirmation time",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close")], until: "11:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10")]),
        Case(name: "door then motion → still home",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("10:10:00", "motion")], until: "11:00:00",
             expected: [(.home, "10:00:00")]),
        Case(name: "away, door, then motion → presumed back at the door, home at the motion (return)",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"),
                      ("15:00:00", "open"), ("15:00:10", "close"), ("15:00:20", "motion")], until: "15:10:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10"), (.unknown, "15:00:00"), (.home, "15:00:20")]),
        Case(name: "away, the door, no motion → presumed back and stays so: the door she came in by shutting is no departure",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"),
                      ("15:00:00", "open"), ("15:00:10", "close")], until: "16:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10"), (.unknown, "15:00:00")]),
        Case(name: "away, back unseen and out again by the door (an umbrella fetched): away 15 min after the second door",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"),
                      ("12:00:00", "open"), ("12:00:10", "close"), ("12:00:30", "open"), ("12:00:40", "close")], until: "13:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10"), (.unknown, "12:00:00"), (.away, "12:15:40")]),
        Case(name: "away, two PIRs without a door → home at the second (missed door event)",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("15:00:00", "motion"), ("15:04:00", "bedroom")],
             until: "15:10:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10"), (.home, "15:04:00")]),
        Case(name: "away, the same PIR twice → still away (a PIR retriggering alone)",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("15:00:00", "motion"), ("15:04:00", "motion")],
             until: "18:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10")]),
        Case(name: "away, one stray trigger → still away",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("15:00:00", "motion")], until: "18:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10")]),
        Case(name: "away, triggers more than 10 min apart → still away",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("15:00:00", "motion"), ("15:20:00", "bedroom"),
                      ("15:40:00", "motion")], until: "18:00:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10")]),
        Case(name: "quiet at night → resting, motion → home",
             script: [("22:10:00", "motion"), ("23:30:00", "motion")], until: "23:40:00",
             expected: [(.home, "22:10:00"), (.resting, "22:40:02"), (.home, "23:30:00")]),
        Case(name: "long calm by day → resting",
             script: [("13:00:00", "motion")], until: "15:00:00",
             expected: [(.home, "13:00:00"), (.resting, "14:00:02")]),
        Case(name: "a PIR still seeing motion at the confirmation time keeps the flat occupied",
             script: [("10:00:00", "motion"), ("10:00:50", "rise"), ("10:01:00", "open"), ("10:01:10", "close")], until: "10:30:00",
             expected: [(.home, "10:00:00")]),
        Case(name: "a PIR held high through a departure (its \"no motion\" lost): away once it is declared stuck",
             script: [("10:00:00", "motion"), ("10:00:50", "rise"), ("10:01:00", "open"), ("10:01:10", "close")], until: "14:00:00",
             expected: [(.home, "10:00:00"), (.away, "12:00:50")]),
        Case(name: "the button is presence: away → home",
             script: [("10:00:00", "motion"), ("10:01:00", "open"), ("10:01:10", "close"), ("12:00:00", "button")], until: "12:10:00",
             expected: [(.home, "10:00:00"), (.away, "10:16:10"), (.home, "12:00:00")]),
    ]

    @Test("transitions", arguments: cases)
    func transitions(_ c: Case) {
        // Started with the first action: a silence since the start would otherwise raise an
        // inactivity alarm, after which one trigger alone no longer counts (`strayTrigger`).
        var flat = TestFlat(start: c.script[0].0)
        for (time, action) in c.script {
            let t = flat.t(time)
            switch action {
            case "motion": flat.motion(at: t)
            case "bedroom": flat.motion("pir.bedroom", at: t)
            case "rise": flat.level("pir.living", true, at: t)
            case "open": flat.door(open: true, at: t)
            case "close": flat.door(open: false, at: t)
            case "button": flat.press(at: t)
            default: Issue.record("unknown action \(action)")
            }
        }
        flat.tick(flat.t(c.until))
        let got = flat.transitions.map { ($0.to, $0.at.monotonic) }
        #expect(got.map(\.0) == c.expected.map(\.0))
        #expect(got.map(\.1) == c.expected.map { flat.t($0.1).monotonic })
    }

    @Test("every transition says why")
    func reasons() {
        var flat = TestFlat()
        flat.motion(at: flat.t("10:00:00"))
        flat.door(open: true, at: flat.t("10:01:00"))
        flat.door(open: false, at: flat.t("10:01:10"))
        flat.tick(flat.t("11:00:00"))
        let names = flat.engine.settings.sensors
        #expect(flat.transitions.map { $0.reason.describe(names) } == [
            "motion in pir.living",
            "door.entrance used, then no motion for 15m 00s",
        ])
    }

    @Test("a sensor held high through a departure: away from its stuck verdict, said so, and no silence alarm while she is out")
    func departureHeldByStuckSensor() {
        var flat = TestFlat()
        flat.motion(at: flat.t("10:00:00"))
        flat.level("pir.bedroom", true, at: flat.t("10:00:50"))   // its "no motion" never comes
        flat.door(open: true, at: flat.t("10:01:00"))
        flat.door(open: false, at: flat.t("10:01:10"))
        flat.tick(flat.t("11:00:00"))
        #expect(flat.engine.state == .home)   // a PIR still high: she may be in (the usual rule)
        flat.tick(flat.t("18:00:00"))
        let names = flat.engine.settings.sensors
        #expect(flat.steps(.pirStuck).count == 1)
        #expect(flat.transitions.last?.reason.describe(names) == "door.entrance used, then no motion for 1h 59m but from pir.bedroom, stuck")
        #expect(flat.transitions.last?.at == flat.t("12:00:50"))
        #expect(flat.engine.state == .away)
        #expect(flat.steps(.inactivity).isEmpty)
        // Her return brings the flat home as usual.
        flat.door(open: true, at: flat.t("18:30:00"))
        flat.motion(at: flat.t("18:30:20"))
        #expect(flat.engine.state == .home)
    }

    @Test("away despite a stuck sensor: that sensor's next rise alone brings the flat home (she was in its view); another's needs a second")
    func stuckSensorsNextRise() {
        var flat = TestFlat()
        flat.motion(at: flat.t("10:00:00"))
        flat.level("pir.bedroom", true, at: flat.t("10:00:50"))
        flat.door(open: true, at: flat.t("10:01:00"))
        flat.door(open: false, at: flat.t("10:01:10"))
        flat.tick(flat.t("12:10:00"))
        #expect(flat.engine.state == .away)
        #expect(flat.engine.occupancy.awayDespite == flat.id("pir.bedroom"))
        // Another PIR alone, a stray trigger: still away.
        flat.motion("pir.living", at: flat.t("12:20:00"))
        flat.tick(flat.t("12:40:00"))
        #expect(flat.engine.state == .away)
        // The stuck one falls, then rises again: she was there.
        flat.level("pir.bedroom", false, at: flat.t("12:45:00"))
        flat.level("pir.bedroom", true, at: flat.t("12:50:00"))
        #expect(flat.engine.state == .home)
        #expect(flat.engine.occupancy.awayDespite == nil)
    }

    @Test("a sensor stuck high with no door used since: still home, and the silence still alarms")
    func stuckWithoutDeparture() {
        var flat = TestFlat()
        flat.motion(at: flat.t("10:00:00"))
        flat.level("pir.bedroom", true, at: flat.t("10:00:50"))
        flat.tick(flat.t("18:00:00"))
        #expect(flat.steps(.pirStuck).count == 1)
        #expect(!flat.transitions.contains { $0.to == .away })
        #expect(flat.steps(.inactivity).count >= 1)
    }
}
