import Testing
@testable import KizunaCore

/// "Not back" (`inactivity.not-back`): outings remembered, and an outing longer than all of
/// them by the margin raises an alarm.
struct NotBackTests {
    static let hour: Int64 = 3600
    static func w(_ hours: Double) -> WallTime { WallTime(secondsSinceEpoch: 1_700_006_400 + Int64(hours * 3600)) }

    @Test func silentUntilEnoughOutingsThenLongestPlusMargin() {
        var s = AbsenceSettings()
        s.minAbsences = 3
        var m = AbsenceMemory(settings: s)
        m.learn(from: Self.w(10), to: Self.w(12))            // 2 h
        m.learn(from: Self.w(24 + 9), to: Self.w(24 + 12))   // 3 h
        #expect(m.notBackTime(awaySince: Self.w(48 + 9)) == nil)
        m.learn(from: Self.w(48 + 9), to: Self.w(48 + 10))   // 1 h
        // Longest 3 h, + 25 % + 1 h: 4 h 45 min.
        let n = m.notBackTime(awaySince: Self.w(72 + 9))
        #expect(n?.limit == .minutes(285))
        #expect(n?.at == Self.w(72 + 13.75))
        // Short outings only: never before the floor (4 h).
        var short = AbsenceMemory(settings: s)
        for d in 0..<3 { short.learn(from: Self.w(Double(d) * 24 + 10), to: Self.w(Double(d) * 24 + 10.5)) }
        #expect(short.notBackTime(awaySince: Self.w(80))?.limit == .hours(4))
    }

    @Test("a trip (longer than 24 h) is not learned: one holiday does not make the next outings wait days")
    func tripsAreNotLearned() {
        var s = AbsenceSettings()
        s.minAbsences = 2
        var m = AbsenceMemory(settings: s)
        m.learn(from: Self.w(10), to: Self.w(12))                 // 2 h
        m.learn(from: Self.w(24 + 10), to: Self.w(24 + 14))       // 4 h
        m.learn(from: Self.w(48 + 10), to: Self.w(48 + 10 + 7 * 24))   // a week away
        #expect(m.remembered(at: Self.w(10 * 24)).count == 2)
        #expect(m.notBackTime(awaySince: Self.w(10 * 24))?.limit == .hours(6))   // 4 h + 25 % + 1 h
        m.learn(from: Self.w(11 * 24), to: Self.w(12 * 24))       // exactly 24 h: still an outing
        #expect(m.notBackTime(awaySince: Self.w(13 * 24))?.limit == .hours(31))
        s.longestOuting = .hours(48)
        var longer = AbsenceMemory(settings: s)
        longer.learn(from: Self.w(10), to: Self.w(10 + 40))
        longer.learn(from: Self.w(72), to: Self.w(73))
        #expect(longer.notBackTime(awaySince: Self.w(96))?.limit == .hours(51))
    }

    @Test("outings learned on a clock that ran 90 days ahead still count once it is seen set back, and her real outings are learned")
    func clockSetBack() {
        var s = AbsenceSettings()
        s.minAbsences = 3
        var m = AbsenceMemory(settings: s)
        // Three outings on the wrong clock (days 90 to 92: rows 0 to 2), 2 h each.
        for d in 0..<3 { m.learn(from: Self.w(Double(90 + d) * 24 + 10), to: Self.w(Double(90 + d) * 24 + 12)) }
        // Not seen set back (a clock found behind at a boot): not counted from, as before.
        #expect(m.notBackTime(awaySince: Self.w(24 + 9)) == nil)
        m.clockSetBack(to: Self.w(24 + 8))
        // Set back to day 1: they still judge (2 h + 25 % + 1 h, never under the 4 h floor).
        #expect(m.notBackTime(awaySince: Self.w(24 + 9))?.limit == .hours(4))
        // Her 5 h outing on day 1 (row 1, held by day 91) is learned, not refused as old.
        m.learn(from: Self.w(24 + 10), to: Self.w(24 + 15))
        #expect(m.notBackTime(awaySince: Self.w(48 + 9))?.limit == .minutes(435))   // 5 h + 25 % + 1 h
    }

    @Test("a policy installed while she is out answers for that outing (no stale deadline of the old one)")
    func policyInstalledWhileOut() {
        var f = TestFlat()                                     // fixed limits: no "not back"
        Self.outing(&f, out: "10:00:00", back: nil)
        f.tick(f.t("12:00:00"))
        #expect(f.engine.state == .away)
        let s = f.engine.settings
        let fixed = FixedSilenceLimits(byDay: s.rules.inactivityByDay, atNight: s.rules.inactivityAtNight, night: s.night)
        f.engine.setSilencePolicy(RoutineSilencePolicy(model: RoutineModel(settings: RoutineSettings(), offset: .japan), fallback: fixed))
        f.tick(f.t("+1 09:59:59"))
        #expect(f.steps(.inactivityNotBack).isEmpty)
        f.tick(f.t("+1 10:00:00"))
        #expect(f.steps(.inactivityNotBack).first?.step == .preAlarm)
        #expect(f.steps(.inactivityNotBack).first?.at == f.t("+1 10:00:00"))
    }

    @Test("until the outings can judge, the fixed fallback (24 h), never before the floor; none when off")
    func fallback() {
        var s = AbsenceSettings()
        let m = AbsenceMemory(settings: s)
        #expect(m.notBackTime(awaySince: Self.w(9)) == nil)
        let f = m.fallbackTime(awaySince: Self.w(9))
        #expect(f?.limit == .hours(24) && f?.at == Self.w(33))
        s.fallback = .hours(2)
        #expect(AbsenceMemory(settings: s).fallbackTime(awaySince: Self.w(9))?.limit == .hours(4))
        s.fallback = nil
        #expect(AbsenceMemory(settings: s).fallbackTime(awaySince: Self.w(9)) == nil)
        // The routine asks for the fallback while it is learning, and while outings are too few.
        var r = RoutineSettings()
        r.minHistoryDays = 7
        var model = RoutineModel(settings: r, offset: .japan)
        model.learn(signOfLifeAt: Self.w(0), previous: Self.w(0))
        #expect(model.notBackTime(awaySince: Self.w(10))?.limit == .hours(24))        // learning
        #expect(model.notBackTime(awaySince: Self.w(8 * 24))?.limit == .hours(24))    // ready, no outings
        r.notBack?.fallback = nil
        var silent = RoutineModel(settings: r, offset: .japan)
        silent.learn(signOfLifeAt: Self.w(0), previous: Self.w(0))
        #expect(silent.notBackTime(awaySince: Self.w(8 * 24)) == nil)
    }

    @Test func aLongerOutingIsTakenAtOnceAndForgottenAfterMemory() {
        var s = AbsenceSettings()
        s.minAbsences = 2
        s.memoryDays = 7
        var m = AbsenceMemory(settings: s)
        m.learn(from: Self.w(10), to: Self.w(11))
        m.learn(from: Self.w(24 + 10), to: Self.w(24 + 20))  // a 10 h day out
        #expect(m.notBackTime(awaySince: Self.w(48))?.limit == .minutes(810))
        // A week of 1 h outings later, the day out is forgotten.
        for d in 2..<10 { m.learn(from: Self.w(Double(d) * 24 + 10), to: Self.w(Double(d) * 24 + 11)) }
        #expect(m.notBackTime(awaySince: Self.w(10 * 24))?.limit == .hours(4))
        // An outing older than what is remembered teaches nothing.
        m.learn(from: Self.w(0), to: Self.w(30))
        #expect(m.notBackTime(awaySince: Self.w(10 * 24))?.limit == .hours(4))
    }

    /// A flat whose routine is ready after a day and speaks on outings after two (`adjust`
    /// changes the not-back settings further).
    static func flat(_ adjust: (inout AbsenceSettings) -> Void = { _ in }) -> TestFlat {
        TestFlat { s in
            var r = RoutineSettings()
            r.minHistoryDays = 1
            var a = AbsenceSettings()
            a.minAbsences = 2
            adjust(&a)
            r.notBack = a
            s.routine = r
        }
    }

    /// Out through the door closed at `out` (the outing counts from it), back at `back` (nil: never): the door 30 s before, then motion at `back`,
    /// which makes the flat `home` and ends the outing.
    static func outing(_ f: inout TestFlat, out: String, back: String?) {
        // Up from the bedroom to the door (two rooms: the motion that resolves a silence
        // alarm the hours before raised; the door alone does not).
        f.motion("pir.bedroom", at: f.t(out).advanced(by: .seconds(-120)))
        f.motion(at: f.t(out).advanced(by: .seconds(-60)))
        f.door(open: true, at: f.t(out).advanced(by: .seconds(-5)))
        f.door(open: false, at: f.t(out))
        guard let back else { return }
        // Back at the door (presumed home from it), seen a little later.
        f.door(open: true, at: f.t(back))
        f.door(open: false, at: f.t(back).advanced(by: .seconds(5)))
        f.motion(at: f.t(back).advanced(by: .seconds(30)))
    }

    /// Two outings remembered (10:00 to 12:00 on day 0, 10:00 to `secondBack` on day 1), then
    /// out at 10:00 on day 2 and not back.
    static func outOnDay2(secondBack: String) -> TestFlat {
        var f = flat()
        outing(&f, out: "10:00:00", back: "12:00:00")
        outing(&f, out: "+1 10:00:00", back: secondBack)
        outing(&f, out: "+2 10:00:00", back: nil)
        return f
    }

    @Test("an outing longer than any remembered raises not-back, without the buzzer once it is out; her return resolves it")
    func notBackThroughTheEngine() throws {
        // Out at 10:00 on day 2 and not back, after outings of 2 h and 3 h: 3 h × 1.25 + 1 h =
        // 4 h 45 min, at 14:45.
        var f = Self.outOnDay2(secondBack: "+1 13:00:00")
        #expect(f.steps(.inactivityNotBack).isEmpty)
        f.tick(f.t("+2 14:44:59"))
        #expect(f.steps(.inactivityNotBack).isEmpty)
        f.tick(f.t("+2 15:00:00"))
        let steps = f.steps(.inactivityNotBack)
        #expect(steps.map(\.step) == [.preAlarm, .alarm])
        #expect(steps.first?.at == f.t("+2 14:45:00"))
        let words = try #require(steps.first?.reason.describe(f.engine.settings.sensors))
        #expect(words.contains("not back") && words.contains("door.entrance") && words.contains("4h 45m"), "\(words)")
        #expect(f.engine.buzzer == .off)
        // She comes back at 19:00 (repeated every 15 min until then): the door resolves it.
        f.door(open: true, at: f.t("+2 19:00:00"))
        f.door(open: false, at: f.t("+2 19:00:05"))
        f.motion(at: f.t("+2 19:00:30"))
        #expect(f.steps(.inactivityNotBack).map(\.step).filter { $0 != .repeat } == [.preAlarm, .alarm, .resolve])
        #expect(f.steps(.inactivityNotBack).last?.reason == .activitySeen(f.id("door.entrance")))
        // The 9 h outing is remembered: the next one may last 9 h × 1.25 + 1 h = 12 h 15 min.
        let policy = try #require(f.engine.inactivity.policy as? RoutineSilencePolicy)
        #expect(policy.notBackTime(awaySince: f.t("+3 10:00:00").wall)?.limit == .minutes(735))
    }

    @Test("after a restart while she is out, not-back still counts from when she left")
    func restartWhileOut() {
        var f = Self.outOnDay2(secondBack: "+1 13:00:00")
        f.tick(f.t("+2 11:00:00"))
        #expect(f.engine.state == .away)
        // The device reboots at 11:00: the store gives back the routine, the occupancy and the
        // last sign of life (the door at 10:00).
        let learned = f.engine.routineState
        var g = Self.flat()
        g.engine = WatchEngine(settings: f.engine.settings, start: f.t("+2 11:01:00"))
        g.engine.restoreRoutine(learned)
        g.engine.restore(.init(occupancy: .away, lastSign: f.t("+2 10:00:00"), lastSignSensor: f.id("door.entrance"),
                               lastMotion: [:], openAlarms: [], nextAlarmID: 1))
        g.tick(g.t("+2 14:44:59"))
        #expect(g.steps(.inactivityNotBack).isEmpty)
        g.tick(g.t("+2 14:45:00"))
        #expect(g.steps(.inactivityNotBack).map(\.step) == [.preAlarm])
    }

    @Test("the routine's summary for the status: learning, then ready with its outings and the limits in force")
    func summary() throws {
        var f = Self.flat()
        f.motion(at: f.t("10:00:00"))
        let learning = f.engine.routineSummary(at: f.t("12:00:00").wall)
        #expect(learning.phase == .learning && learning.daysNeeded == 1)
        #expect(learning.silenceLimit == .hours(3))      // the fixed day limit meanwhile
        #expect(learning.outings == 0 && learning.outingsNeeded == 2 && learning.notBackLimit == .hours(24))
        #expect(learning.describe().hasPrefix("routine: learning, 0.0 of 1 days (fixed limits meanwhile)"))
        #expect(learning.describe().hasSuffix("0 of 2 outings remembered (\"not back\" after 1d 00h meanwhile)"))
        f = Self.outOnDay2(secondBack: "+1 13:00:00")
        let ready = f.engine.routineSummary(at: f.t("+2 10:30:00").wall)
        #expect(ready.phase == .ready && ready.outings == 2)
        #expect(ready.notBackLimit == .minutes(285))
        #expect(ready.describe().contains("2 outings remembered, one from now is \"not back\" after 4h 45m"))
        // The flat has pir.bedroom: a silence beginning in bed has its own limit, beside the
        // one out of bed; both as the model answers them.
        #expect(learning.inBedLimit == nil)
        let inBed = try #require(ready.inBedLimit)
        let model = try #require((f.engine.inactivity.policy as? RoutineSilencePolicy)?.model)
        let now = f.t("+2 10:30:00").wall
        #expect(model.places == 2)
        #expect(ready.silenceLimit == model.improbableSilence(since: now, place: 0) - now)
        #expect(inBed == model.improbableSilence(since: now, place: 1) - now)
        #expect(ready.describe().contains("a silence from now alarms after \(ready.silenceLimit) (\(inBed) if it begins in bed)"))
        let off = TestFlat().engine.routineSummary(at: f.t("10:00:00").wall)
        #expect(off.phase == .off && off.outings == nil && off.describe().hasPrefix("routine: off (fixed limits)"))
    }

    @Test("a resident home unseen cancels the not-back pre-alarm with one movement")
    func preAlarmCancelledByOneTrigger() {
        var f = Self.outOnDay2(secondBack: "+1 11:00:00")    // outings of 2 h and 1 h: the 4 h floor
        f.tick(f.t("+2 14:00:10"))
        #expect(f.steps(.inactivityNotBack).map(\.step) == [.preAlarm])
        f.motion("pir.bedroom", at: f.t("+2 14:01:00"))
        #expect(f.steps(.inactivityNotBack).map(\.step) == [.preAlarm, .cancel])
        #expect(f.engine.state == .home)
    }

    @Test("no not-back with the routine's not_back off, nor with too few outings and the fallback off")
    func offAndNotReady() {
        let off = TestFlat { s in
            var r = RoutineSettings()
            r.minHistoryDays = 1
            r.notBack = nil
            s.routine = r
        }
        let noFallback = Self.flat { $0.fallback = nil }
        for (flat, outings) in [(off, 2), (noFallback, 1)] {
            var f = flat
            Self.outing(&f, out: "10:00:00", back: "11:00:00")
            if outings == 2 { Self.outing(&f, out: "+1 10:00:00", back: "+1 11:00:00") }
            Self.outing(&f, out: "+2 10:00:00", back: nil)
            f.tick(f.t("+4 10:00:00"))
            #expect(f.steps(.inactivityNotBack).isEmpty)
            #expect(f.engine.state == .away)
        }
    }

    @Test("too few outings remembered: a resident not back 24 h after she left is called for, once")
    func fallbackThroughTheEngine() {
        var f = Self.flat()                                   // two outings needed, one remembered
        Self.outing(&f, out: "10:00:00", back: "11:00:00")
        Self.outing(&f, out: "+2 10:00:00", back: nil)
        f.tick(f.t("+3 09:59:59"))
        #expect(f.steps(.inactivityNotBack).isEmpty)
        f.tick(f.t("+4 10:00:00"))
        let steps = f.steps(.inactivityNotBack)
        #expect(steps.first?.step == .preAlarm && steps.first?.at == f.t("+3 10:00:00"))
        #expect(steps.filter { $0.step == .alarm }.count == 1)
        #expect(Set(steps.map(\.alarmID)).count == 1)
        #expect(f.engine.state == .away)
    }

    @Test("the outings survive a restart in the routine's state; a version-2 state is taken without them")
    func stateRoundTrip() throws {
        var r = RoutineSettings()
        r.notBack?.minAbsences = 1
        r.restRooms = []   // one place: the layout of versions 2 and 3
        var m = RoutineModel(settings: r, offset: .japan)
        m.learn(signOfLifeAt: Self.w(1), previous: Self.w(0))
        m.learnAbsence(from: Self.w(10), to: Self.w(13))
        var fresh = RoutineModel(settings: r, offset: .japan)
        let taken = fresh.restore(m.state)
        #expect(taken)
        #expect(fresh == m)
        #expect(fresh.absences?.notBackTime(awaySince: Self.w(20))?.limit == .minutes(285))
        // Before "not back" (version 2): the routine is taken, no outing is remembered.
        var v2 = m.state
        v2.values[0] = 2
        v2.values.removeSubrange(8..<23)   // no offset nor week before version 5
        v2.values.remove(at: 7)            // no `places` before version 4
        v2.values.removeLast(v2.values.count - (RoutineModel.headerCount - 16 + 28 + 28 * 48))
        var older = RoutineModel(settings: r, offset: .japan)
        let v2Taken = older.restore(v2)
        #expect(v2Taken)
        #expect(older.longest == m.longest)
        #expect(older.absences?.notBackTime(awaySince: Self.w(20)) == nil)
        // Kept for another absence memory: the routine is taken, the outings are not.
        var other = r
        other.notBack?.memoryDays = 30
        var shorter = RoutineModel(settings: other, offset: .japan)
        let shorterTaken = shorter.restore(m.state)
        #expect(shorterTaken)
        #expect(shorter.absences?.notBackTime(awaySince: Self.w(20)) == nil)
    }
}
