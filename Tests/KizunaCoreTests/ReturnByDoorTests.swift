import Testing
@testable import KizunaCore

/// The door used while the flat reads away: she is presumed back from it, so a fall in the
/// entrance before any PIR sees her is still found by the silence (a reviewer's find: the
/// flat stayed away, the silence alarm was held back, and only "not back" — 24 h until her
/// outings are learned, never with fixed limits — could find her).
struct ReturnByDoorTests {
    /// Out at 10:00 (the door shut at 10:01:10): away at 10:16:10.
    static func out(_ f: inout TestFlat) {
        f.motion(at: f.t("10:00:00"))
        f.door(open: true, at: f.t("10:01:00"))
        f.door(open: false, at: f.t("10:01:10"))
        f.tick(f.t("10:20:00"))
    }

    @Test("a silence alarm out, then the door with nobody seen moving (a neighbour looks in and leaves): the alarm stays open and repeats; someone moving in to her resolves it")
    func doorAloneDoesNotEndASilenceAlarm() {
        var f = TestFlat()   // fixed limits: 3 h by day, 3 min of grace, repeats every 15 min
        f.motion(at: f.t("09:00:00"))
        f.tick(f.t("12:10:00"))
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm, .alarm])
        f.door(open: true, at: f.t("12:30:00"))
        f.door(open: false, at: f.t("12:30:20"))
        f.tick(f.t("14:00:00"))
        let steps = f.steps(.inactivity)
        #expect(!steps.contains { $0.step == .resolve || $0.step == .cancel })   // not "all well"
        #expect(steps.filter { $0.step == .alarm }.count == 1)                   // nor a new silence
        #expect(steps.filter { $0.step == .repeat }.count >= 6)                  // still told, every 15 min
        #expect(f.engine.state == .away)                                         // door, then no motion
        #expect(f.steps(.inactivityNotBack).isEmpty)                             // the open alarm says it
        // A carer comes in to her: the door, then moving in two rooms.
        f.door(open: true, at: f.t("14:10:00"))
        f.door(open: false, at: f.t("14:10:05"))
        f.motion("pir.living", at: f.t("14:10:30"))
        #expect(f.steps(.inactivity).last?.step != .resolve)   // one PIR alone, once help was called: not yet
        f.motion("pir.bedroom", at: f.t("14:11:00"))
        #expect(f.steps(.inactivity).last?.step == .resolve)
        // Acknowledged (the staff phoned her: she is going out), the door is her again: it
        // resolves it, and "not back" counts from her departure.
        var a = TestFlat()
        a.motion(at: a.t("09:00:00"))
        a.tick(a.t("12:10:00"))
        let id = a.steps(.inactivity).first!.alarmID
        #expect(a.engine.acknowledge(alarmID: id, by: "authority:ops", at: a.t("12:20:00"), into: &a.decisions))
        a.door(open: true, at: a.t("12:30:00"))
        a.door(open: false, at: a.t("12:30:20"))
        a.tick(a.t("12:31:00"))
        #expect(a.steps(.inactivity).last?.step == .resolve)
        // Held back beside an unacknowledged one, "not back" counts again once it is acknowledged.
        var b = NotBackTests.flat()   // the routine learning: not back after 24 h
        b.motion(at: b.t("09:00:00"))
        b.tick(b.t("12:10:00"))
        b.door(open: true, at: b.t("12:30:00"))
        b.door(open: false, at: b.t("12:30:20"))
        b.tick(b.t("+1 14:00:00"))   // away from 12:45, not back by 09:00 the next day: held back
        #expect(b.engine.state == .away)
        #expect(b.steps(.inactivityNotBack).isEmpty)
        let silence = b.steps(.inactivity).first!.alarmID
        #expect(b.engine.acknowledge(alarmID: silence, by: "authority:ops", at: b.t("+1 14:00:00"), into: &b.decisions))
        b.tick(b.t("+1 14:00:01"))
        #expect(b.steps(.inactivityNotBack).first?.step == .preAlarm)
        // Before it goes out, the pre-alarm is hers to cancel, with the door too.
        var g = TestFlat()
        g.motion(at: g.t("09:00:00"))
        g.tick(g.t("12:01:00"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm])
        g.door(open: true, at: g.t("12:01:30"))
        g.tick(g.t("12:01:31"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm, .cancel])
    }

    @Test("back through the door at 15:00 and fallen before any PIR saw her: the silence from the door alarms (fixed limits, 3 h by day)")
    func fallInTheEntrance() throws {
        var f = TestFlat()
        Self.out(&f)
        #expect(f.engine.state == .away)
        f.door(open: true, at: f.t("15:00:00"))
        f.door(open: false, at: f.t("15:00:05"))
        #expect(f.engine.state == .unknown)
        #expect(f.engine.state.isPresumedHome)
        #expect(f.transitions.last?.reason == .doorWhileAway(door: f.id("door.entrance")))
        #expect(f.transitions.last?.at == f.t("15:00:00"))
        // The shutting of the door she came in by is no departure: still presumed home later.
        f.tick(f.t("17:00:00"))
        #expect(f.engine.state == .unknown)
        f.tick(f.t("18:00:04"))
        #expect(f.steps(.inactivity).isEmpty)
        f.tick(f.t("18:10:00"))
        let steps = f.steps(.inactivity)
        #expect(steps.map(\.step) == [.preAlarm, .alarm])
        #expect(steps.first?.at == f.t("18:00:05"))            // 3 h after the door shut
        #expect(steps.last?.at == f.t("18:03:05"))             // and the pre-alarm's grace
        let words = try #require(steps.first?.reason.describe(f.engine.settings.sensors))
        #expect(words.contains("door.entrance"), "\(words)")
    }

    @Test("a return seen by a PIR after the door: home at the motion, named as a return; the silence counts from the motion")
    func seenReturn() {
        var f = TestFlat()
        Self.out(&f)
        f.door(open: true, at: f.t("15:00:00"))
        f.door(open: false, at: f.t("15:00:05"))
        f.motion(at: f.t("15:00:30"))
        #expect(f.engine.state == .home)
        #expect(f.transitions.suffix(2).map(\.to) == [.unknown, .home])
        #expect(f.transitions.last?.reason == .motionAfterDoor(motion: f.id("pir.living"), door: f.id("door.entrance")))
        // A later departure is watched as any: the door, then 15 min without motion.
        f.door(open: true, at: f.t("16:00:00"))
        f.door(open: false, at: f.t("16:00:10"))
        f.tick(f.t("16:15:09"))
        #expect(f.engine.state != .away)
        f.tick(f.t("16:15:10"))
        #expect(f.engine.state == .away)
        #expect(f.steps(.inactivity).isEmpty)
    }

    @Test("not-back raised, then the door without motion: not-back resolved by the door, and the silence from it still alarms")
    func notBackThenDoor() throws {
        // Out at 10:00 on day 2 after outings of 2 h and 3 h: not back at 14:45.
        var f = NotBackTests.outOnDay2(secondBack: "+1 13:00:00")
        f.tick(f.t("+2 15:00:00"))
        #expect(f.steps(.inactivityNotBack).map(\.step).filter { $0 != .repeat } == [.preAlarm, .alarm])
        f.door(open: true, at: f.t("+2 16:00:00"))
        f.door(open: false, at: f.t("+2 16:00:05"))
        #expect(f.steps(.inactivityNotBack).last?.step == .resolve)
        #expect(f.engine.state == .unknown)
        // Whatever the routine allows at this hour, the silence since the door alarms, never
        // before the floor (1 h) and by the ceiling (12 h).
        f.tick(f.t("+3 04:10:00"))
        let door = f.t("+2 16:00:05").monotonic
        let pre = try #require(f.steps(.inactivity).first { $0.step == .preAlarm && $0.at.monotonic >= door })
        #expect(pre.at.monotonic >= f.t("+2 17:00:05").monotonic)
        #expect(pre.at.monotonic <= f.t("+3 04:00:05").monotonic)
        #expect(f.steps(.inactivity).contains { $0.step == .alarm && $0.at.monotonic > pre.at.monotonic })
        let words = pre.reason.describe(f.engine.settings.sensors)
        #expect(words.contains("door.entrance"), "\(words)")
    }

    @Test("declared away (in hospital): the door alone is a carer at the door, not her return; the flat stays away, nothing raised")
    func declaredAwayDoorAlone() {
        var f = DeclaredAbsenceTests.flat()
        DeclaredAbsenceTests.declared(&f, until: "+5 12:00:00")
        #expect(f.engine.state == .away)
        f.door(open: true, at: f.t("+1 11:00:00"))
        f.door(open: false, at: f.t("+1 11:00:05"))
        f.tick(f.t("+1 23:30:00"))
        #expect(f.engine.state == .away)
        #expect(f.steps.filter { $0.kind.isInactivity }.isEmpty)
        // After a visit (someone came in and left again), still: the door alone is not her.
        DeclaredAbsenceTests.comesIn(&f, at: "+2 15:00:00")
        f.door(open: true, at: f.t("+2 15:45:00"))
        f.door(open: false, at: f.t("+2 15:45:05"))
        f.tick(f.t("+2 16:00:05"))
        #expect(f.engine.state == .away)
        f.door(open: true, at: f.t("+2 17:00:00"))
        f.door(open: false, at: f.t("+2 17:00:05"))
        f.tick(f.t("+3 08:00:00"))
        #expect(f.engine.state == .away)
        #expect(f.steps.filter { $0.kind.isInactivity }.isEmpty)
    }

    @Test("a single stray trigger 24 min after she went out is held back: the door she left by is not a way in")
    func strayTriggerSoonAfterLeaving() {
        var f = TestFlat()
        Self.out(&f)
        f.motion(at: f.t("10:40:00"))                 // a sunbeam on one PIR, once
        f.tick(f.t("14:00:00"))
        #expect(f.engine.state == .away)
        #expect(f.steps(.inactivity).isEmpty)
        // Two PIRs within 10 min are someone: home.
        f.motion(at: f.t("14:10:00"))
        f.motion("pir.bedroom", at: f.t("14:12:00"))
        #expect(f.engine.state == .home)
    }

    @Test("seen by one PIR through the door: its output rising again 5 s or more after the door, within the same episode, keeps her home")
    func episodeSpanningTheDoor() {
        var f = TestFlat()
        f.level("pir.living", true, at: f.t("10:00:00"))      // walks to the door, in the PIR's view
        f.door(open: true, at: f.t("10:00:30"))
        f.level("pir.living", false, at: f.t("10:01:00"))
        f.level("pir.living", true, at: f.t("10:01:05"))      // talking at the door
        f.door(open: false, at: f.t("10:03:00"))
        f.level("pir.living", false, at: f.t("10:03:01"))
        f.level("pir.living", true, at: f.t("10:03:06"))      // walks back in, still in view
        f.level("pir.living", false, at: f.t("10:03:25"))     // falls: the episode ends 10 s later
        f.tick(f.t("10:30:00"))
        #expect(f.engine.state != .away)
        // The silence from her last movement in view alarms (3 h by day).
        f.tick(f.t("13:10:00"))
        #expect(f.steps(.inactivity).first?.at == f.t("13:03:25"))
    }

    @Test("one who walks out: the PIR's output rising with the door's swing (under 5 s) does not keep the flat home")
    func walkOutSeenByThePIR() {
        var f = TestFlat()
        f.level("pir.living", true, at: f.t("10:00:00"))
        f.door(open: true, at: f.t("10:00:10"))
        f.level("pir.living", false, at: f.t("10:00:12"))
        f.door(open: false, at: f.t("10:00:15"))
        f.level("pir.living", true, at: f.t("10:00:17"))      // the door swinging shut, in view
        f.level("pir.living", false, at: f.t("10:00:18"))
        f.tick(f.t("10:16:00"))
        #expect(f.engine.state == .away)
    }
}
