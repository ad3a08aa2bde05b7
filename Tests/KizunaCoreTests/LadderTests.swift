import Testing
@testable import KizunaCore

@Suite("Alarm ladder")
struct LadderTests {
    /// Motion at 10:00 → pre-alarm at 13:00:02, alarm at 13:03:02 unless cancelled.
    static func silentFlat() -> TestFlat {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))
        return f
    }

    @Test("pre-alarm, then the network alarm after the grace time, then repeats")
    func escalation() {
        var f = Self.silentFlat()
        f.tick(f.t("13:33:03"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat, .repeat])
        #expect(f.steps.map { $0.at.monotonic } == ["13:00:02", "13:03:02", "13:18:02", "13:33:02"].map { f.t($0).monotonic })
        #expect(f.buzzer == [.preAlarm, .alarm])
    }

    @Test("motion within the grace time cancels the pre-alarm, and says so")
    func cancelByMotion() {
        var f = Self.silentFlat()
        f.tick(f.t("13:01:00"))
        f.motion("pir.bedroom", at: f.t("13:01:30"))
        f.tick(f.t("14:00:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .cancel])
        #expect(f.steps.last?.reason.describe(f.engine.settings.sensors) == "cancelled by motion in pir.bedroom")
        #expect(f.buzzer == [.preAlarm, .off])
        #expect(f.engine.openAlarms.isEmpty)
    }

    @Test("the button within the grace time cancels the pre-alarm (and is not a help call)")
    func cancelByButton() {
        var f = Self.silentFlat()
        f.press(at: f.t("13:02:00"))
        f.tick(f.t("14:00:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .cancel])
        #expect(f.steps(.help).isEmpty)
        #expect(f.steps.last?.reason == .cancelledByButton(f.id("button.help")))
    }

    @Test("a pre-alarm is not acknowledged: it still escalates, and no acknowledgement goes out")
    func preAlarmNotAcknowledged() {
        var f = Self.silentFlat()
        f.tick(f.t("13:01:00"))
        let id = f.engine.openAlarms[0].id
        #expect(!f.engine.acknowledge(alarmID: id, by: "authority:ops-1", at: f.t("13:01:00"), into: &f.decisions))
        f.tick(f.t("13:03:02"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm])
        #expect(f.engine.acknowledge(alarmID: id, by: "authority:ops-1", at: f.t("13:04:00"), into: &f.decisions))
        #expect(!f.engine.acknowledge(alarmID: id, by: "authority:ops-1", at: f.t("13:05:00"), into: &f.decisions))   // once
    }

    @Test("acknowledging stops the repeats; activity then resolves it")
    func acknowledgeThenResolve() {
        var f = Self.silentFlat()
        f.tick(f.t("13:10:00"))
        let id = f.engine.openAlarms[0].id
        #expect(f.engine.acknowledge(alarmID: id, by: "authority:ops-1", at: f.t("13:10:00"), into: &f.decisions))
        f.tick(f.t("15:00:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .acknowledge])
        #expect(f.buzzer == [.preAlarm, .alarm, .off])
        f.motion(at: f.t("15:00:00"))
        // One trigger after the alarm went out is not enough (a twitch, a sunbeam): a second.
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .acknowledge])
        f.motion("pir.bedroom", at: f.t("15:03:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .acknowledge, .resolve])
        #expect(f.steps.last?.reason == .activitySeen(f.id("pir.bedroom")))
        #expect(f.engine.openAlarms.isEmpty)
        // Acknowledging an alarm that is not open is refused.
        #expect(!f.engine.acknowledge(alarmID: id, by: "x", at: f.t("15:01:00"), into: &f.decisions))
    }

    @Test("activity after the network alarm (two PIRs within 10 min) resolves it, and the rule re-arms")
    func resolveByActivity() {
        var f = Self.silentFlat()
        f.tick(f.t("13:20:00"))
        f.motion(at: f.t("13:20:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat])
        f.motion(at: f.t("13:24:00"))      // the same PIR again: what a sunbeam does
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat])
        f.motion("pir.bedroom", at: f.t("13:25:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat, .resolve])
        f.tick(f.t("16:25:03"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat, .resolve, .preAlarm])
        #expect(f.steps.last?.at == f.t("16:25:02"))
        #expect(Set(f.steps.map(\.alarmID)).count == 2)
    }

    @Test("isolated triggers after the network alarm neither resolve it nor start a new silence")
    func strayTriggersAfterTheAlarm() {
        var f = Self.silentFlat()
        f.tick(f.t("13:10:00"))
        let id = f.engine.openAlarms[0].id
        #expect(f.engine.acknowledge(alarmID: id, by: "authority:ops-1", at: f.t("13:10:00"), into: &f.decisions))
        // Four triggers, each more than 10 min after the one before: a flat nobody moves in.
        for time in ["14:00:00", "14:30:00", "17:00:00", "+1 03:00:00"] { f.motion("pir.bedroom", at: f.t(time)) }
        f.tick(f.t("+1 09:00:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .acknowledge])
        #expect(f.engine.openAlarms.map(\.id) == [id])
        #expect(!f.transitions.contains { $0.to == .home && $0.at.monotonic > f.t("13:10:00").monotonic })
        // They are in the record all the same, as triggers not taken as her.
        #expect(f.events.filter { $0.kind == .motionStarted }.count == 1)
        #expect(f.events.filter { $0.kind == .strayMotionStarted }.count == 4)
        // The resident gets up: two rooms within minutes.
        f.motion("pir.bedroom", at: f.t("+1 09:30:00"))
        f.motion("pir.living", at: f.t("+1 09:31:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .acknowledge, .resolve])
    }

    @Test("with stray_trigger 0 every trigger counts, as before")
    func everyTriggerCounts() {
        var f = TestFlat { $0.occupancy.strayTrigger = .zero }
        f.motion(at: f.t("10:00:00"))
        f.tick(f.t("13:20:00"))
        f.motion(at: f.t("13:20:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat, .resolve])
    }

    @Test("the button with no pre-alarm is a help call, at once; acknowledging ends it")
    func helpButton() {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))
        f.press(at: f.t("10:30:00"))
        f.tick(f.t("10:31:00"))
        #expect(f.steps(.help).map(\.step) == [.alarm])
        #expect(f.steps(.help).first?.at.monotonic == f.t("10:30:00").monotonic)
        let id = f.steps(.help)[0].alarmID
        f.engine.acknowledge(alarmID: id, by: "authority:ops-2", at: f.t("10:35:00"), into: &f.decisions)
        #expect(f.steps(.help).map(\.step) == [.alarm, .acknowledge, .resolve])
    }

    @Test("closing the door cancels a door-open pre-alarm; the button silences it for that opening")
    func doorOpenLadder() {
        var f = TestFlat()
        f.motion(at: f.t("09:59:00"))
        f.door(open: true, at: f.t("10:00:00"))
        f.tick(f.t("10:31:00"))
        f.door(open: false, at: f.t("10:31:00"))
        f.tick(f.t("10:32:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm, .cancel])
        #expect(f.steps(.doorOpen).last?.reason == .doorClosed(f.id("door.entrance")))

        var g = TestFlat()
        g.motion(at: g.t("09:59:00"))
        g.door(open: true, at: g.t("10:00:00"))
        g.press(at: g.t("10:31:00"))
        g.tick(g.t("12:00:00"))
        #expect(g.steps(.doorOpen).map(\.step) == [.preAlarm, .cancel])
    }

    @Test("a sensor fault is an alarm without a pre-alarm, resolved when the sensor answers again")
    func sensorFault() {
        var f = TestFlat()
        let s = f.id("temperature.living")
        f.engine.handle(.fault(s, .noAcknowledge, at: f.t("10:00:00")), into: &f.decisions)
        f.engine.handle(.recovered(s, at: f.t("10:05:00")), into: &f.decisions)
        #expect(f.steps(.sensorFault).map(\.step) == [.alarm, .resolve])
        #expect(f.steps(.sensorFault).first?.reason.describe(f.engine.settings.sensors) == "temperature.living fault: no-ack")
        #expect(f.buzzer.isEmpty)  // faults do not wake the resident
    }

    @Test("a test alarm is marked as a test and closes itself")
    func testAlarm() {
        var f = TestFlat()
        f.engine.raiseTestAlarm(by: "technician", at: f.t("10:00:00"), into: &f.decisions)
        #expect(f.steps.map(\.step) == [.alarm, .resolve])
        #expect(f.steps.allSatisfy { $0.kind == .test })
        #expect(f.engine.openAlarms.isEmpty)
    }
}
