import Testing
@testable import KizunaCore

/// The learned routine on synthetic weeks (UTC+9, a day starting at local midnight).
struct RoutineTests {
    /// The settings these tests were written with (the mechanism, not the tuned defaults:
    /// the morning window from 04:00, the not-up alarm 90 min late, all silences alike).
    static var settings: RoutineSettings {
        var r = RoutineSettings()
        r.wakeWindowStart = TimeOfDay(hour: 4)
        r.notUpMargin = .minutes(90)
        r.restRooms = []   // one kind of silence (the rooms of rest: RestRoomsTests)
        return r
    }

    static let day: Int64 = 86_400
    /// Local midnight of day `d` (from an arbitrary Monday), as wall time.
    static func midnight(_ d: Int64) -> WallTime { WallTime(secondsSinceEpoch: 1_700_000_000 / day * day + d * day - 9 * 3600) }
    static func at(_ d: Int64, _ h: Int64, _ m: Int64 = 0) -> WallTime { midnight(d) + .minutes(h * 60 + m) }

    /// A resident up at `wake`, a sign of life every 10 minutes until 22:00 (but for a nap
    /// from 13:00 to 15:00 if `naps`), asleep after.
    static func live(_ model: inout RoutineModel, days: Range<Int64>, wake: Int64, naps: Bool = false, last: inout WallTime) {
        for d in days {
            var t = at(d, wake)
            while t < at(d, 22) {
                if naps, t > at(d, 13), t < at(d, 15) { t = t + .minutes(10); continue }
                model.learn(signOfLifeAt: t, previous: last)
                last = t
                t = t + .minutes(10)
            }
        }
    }

    static func fixed() -> FixedSilenceLimits {
        FixedSilenceLimits(byDay: .hours(3), atNight: .hours(10), night: DailyWindow(start: TimeOfDay(hour: 22), end: TimeOfDay(hour: 7), offset: .japan))
    }

    @Test func fallsBackToFixedLimitsBeforeEnoughHistory() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<3, wake: 7, last: &last)
        let p = RoutineSilencePolicy(model: m, fallback: Self.fixed())
        let since = Self.at(3, 10)
        #expect(p.alarmTime(silenceSince: since).at == Self.fixed().alarmTime(silenceSince: since).at)
        #expect(p.notUpTime(silenceSince: since) == nil)
    }

    @Test func improbableSilenceIsWithinFloorAndCeiling() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, last: &last)
        for h: Int64 in 0..<24 {
            let since = Self.at(14, h)
            let at = m.improbableSilence(since: since)
            #expect(at - since >= m.settings.floor)
            #expect(at - since <= m.settings.ceiling)
        }
        // This resident is never quiet for more than 10 minutes by day: a silence at 10:00
        // alarms after 10 min + 25 % + 1 h. A night silence waits for the morning: past the
        // latest waking remembered (07:00) and the window (1 h), and by then it is alarming.
        #expect(m.improbableSilence(since: Self.at(14, 10)) == Self.at(14, 11, 12) + .seconds(30))
        #expect(m.improbableSilence(since: Self.at(14, 22, 30)) == Self.at(15, 8))
        // The 06:30 slot remembers the nights: from the last sign at 21:50 to 07:00.
        #expect(m.longestSilence(slotOfDay: 13) == .minutes(550))
    }

    @Test func learnsAShiftInWakeTimeWithinAWeek() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, last: &last)
        #expect(abs(m.wakeMinutes - 420) < 5)
        Self.live(&m, days: 14..<21, wake: 9, last: &last)
        #expect(abs(m.wakeMinutes - 540) < 15)
        // The silence model followed too: 07:30 is no longer a time to be moving.
        let since = Self.at(21, 6)
        #expect(m.improbableSilence(since: since) > Self.at(21, 8))
    }

    @Test func notUpAtTheLearnedTimePlusMargin() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, last: &last)
        let p = RoutineSilencePolicy(model: m, fallback: Self.fixed())
        let up = p.notUpTime(silenceSince: Self.at(13, 21, 50))
        #expect(up == Self.at(14, 8, 30))
        // Silent since 05:00 (after the window opened): the next morning is the one judged.
        #expect(p.notUpTime(silenceSince: Self.at(14, 5)) == Self.at(15, 8, 30))
    }

    @Test func notUpAlarmFromTheRule() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, last: &last)
        let policy = RoutineSilencePolicy(model: m, fallback: Self.fixed())
        let since = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: Self.at(13, 21, 50))
        var rule = InactivityRule(policy: policy, start: since)
        let d = rule.deadline()
        let wallAt = since.wall + (d - since.monotonic)
        #expect(wallAt <= Self.at(14, 8, 30))
        var ladder = AlarmLadder(settings: LadderSettings())
        var out: [Decision] = []
        rule.expire(at: since.advanced(to: d), presumedHome: true, ladder: &ladder, into: &out)
        #expect(ladder.open.first.map { $0.kind.isInactivity } == true)
    }

    @Test func aDailyNapIsNotAnEmergencyButTheSameSilenceInTheMorningIs() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, naps: true, last: &last)
        // The nap is 2 h between signs (13:00 to 15:00): a silence from 13:00 alarms once it
        // is an hour past it and beyond the window around the nap, at 16:00, no sooner.
        #expect(m.longestSilence(slotOfDay: 29) == .hours(2))
        #expect(m.improbableSilence(since: Self.at(14, 13)) == Self.at(14, 16))
        // The same silence at 09:00, far from the nap, alarms at the floor.
        #expect(m.improbableSilence(since: Self.at(14, 9)) == Self.at(14, 10, 12) + .seconds(30))
    }

    @Test func forgetsWhatItNoLongerSees() {
        var s = Self.settings
        s.memoryDays = 7
        var m = RoutineModel(settings: s, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, naps: true, last: &last)
        #expect(m.improbableSilence(since: Self.at(14, 13)) == Self.at(14, 16))
        // A week without naps: the memory of them is gone, a silence at 13:00 is unusual again.
        Self.live(&m, days: 14..<22, wake: 7, last: &last)
        #expect(m.improbableSilence(since: Self.at(22, 13)) == Self.at(22, 14, 12) + .seconds(30))
    }

    @Test func aLongerSilenceIsTakenOverAtOnce() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<14, wake: 7, last: &last)
        #expect(m.improbableSilence(since: Self.at(14, 13)) == Self.at(14, 14, 12) + .seconds(30))
        // One long afternoon rest (13:00 to 16:00): from the next day on, a silence at 13:00
        // is judged against it.
        m.learn(signOfLifeAt: Self.at(14, 13), previous: last)
        m.learn(signOfLifeAt: Self.at(14, 16), previous: Self.at(14, 13))
        #expect(m.longestSilence(slotOfDay: 31) == .hours(3))     // 15:30
        #expect(m.improbableSilence(since: Self.at(15, 13)) == Self.at(15, 17))
    }

    /// The rule over two weeks of this resident's life (up at 07:00, a sign every 10 min
    /// until 22:00), and 10:00 on the next day.
    static func ruleAfterTwoWeeks() -> (InactivityRule, Timestamp) {
        var m = RoutineModel(settings: settings, offset: .japan)
        var last = at(0, 0)
        live(&m, days: 0..<14, wake: 7, last: &last)
        let start = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: at(14, 10))
        return (InactivityRule(policy: RoutineSilencePolicy(model: m, fallback: fixed()), start: start), start)
    }

    @Test func aSilenceThatIncludedAnAbsenceIsNotLearned() {
        for away in [false, true] {
            var (rule, start) = Self.ruleAfterTwoWeeks()
            rule.signOfLife(SensorID(0), at: start)
            if away { rule.wentAway() }
            let back = Timestamp(monotonic: start.monotonic + .hours(5), wall: Self.at(14, 15))
            rule.signOfLife(SensorID(0), at: back)
            let learned = (rule.policy as? RoutineSilencePolicy)?.model.longestSilence(slotOfDay: 29)   // 14:30
            #expect(learned == (away ? .minutes(10) : .hours(5)))
        }
    }

    @Test("a silence that raised an alarm and was ended by the door (a carer) or the button is learned only up to the alarm; ended by her motion, whole")
    func anAlarmedSilenceFoundByACarerIsNotUsual() {
        // 10:00: her last motion; the alarm at 11:12:30 (10 min + 25 % + 1 h); found at 15:00.
        for found in [true, false] {
            var (rule, start) = Self.ruleAfterTwoWeeks()
            rule.signOfLife(SensorID(0), at: start)
            var ladder = AlarmLadder(settings: LadderSettings())
            var out: [Decision] = []
            let due = rule.deadline()
            #expect(due == start.monotonic + .minutes(72) + .seconds(30))
            rule.expire(at: start.advanced(to: due), presumedHome: true, ladder: &ladder, into: &out)
            #expect(!ladder.open.isEmpty)
            let back = Timestamp(monotonic: start.monotonic + .hours(5), wall: Self.at(14, 15))
            rule.signOfLife(SensorID(1), at: back, found: found)
            let model = (rule.policy as? RoutineSilencePolicy)?.model
            // 14:30, past the alarm: her usual 10 minutes, or the whole 5 h.
            #expect(model?.longestSilence(slotOfDay: 29) == (found ? .minutes(10) : .hours(5)))
            // 11:00, the alarm's slot: the silence up to the alarm, or to the slot's end.
            #expect(model?.longestSilence(slotOfDay: 22) == (found ? .minutes(72) + .seconds(30) : .minutes(90)))
        }
    }

    @Test("an alarmed silence found by a carer after a restart is learned up to its alarm, not up to the restart")
    func foundAfterARestart() throws {
        // Two weeks of her days (a sign every 10 min, 07:00 to 22:00) on the test flat's clock.
        func flat(start: String) -> TestFlat {
            var f = TestFlat(start: start)
            var m = RoutineModel(settings: Self.settings, offset: .japan)
            var last = f.t("00:00:00").wall
            for d in 0..<14 {
                var t = f.t("+\(d) 07:00:00").wall
                while t < f.t("+\(d) 22:00:00").wall {
                    m.learn(signOfLifeAt: t, previous: last)
                    last = t
                    t = t + .minutes(10)
                }
            }
            f.engine.setSilencePolicy(RoutineSilencePolicy(model: m, fallback: Self.fixed()))
            return f
        }
        // Her last motion at 10:00; the silence alarms in the 11:00 slot.
        var before = flat(start: "+14 09:55:00")
        before.motion("pir.living", at: before.t("+14 10:00:00"))
        before.tick(before.t("+14 11:30:00"))
        let raised = try #require(before.steps(.inactivity).first { $0.step == .alarm })
        #expect(raised.at.wall < before.t("+14 11:30:00").wall)
        // The device restarts at 12:00 with the alarm open; a carer comes in at 15:00 (or
        // came in by the door before the restart: the store says so, `doorSinceSilenceAlarm`).
        for doorBefore in [false, true] {
        var after = flat(start: "+14 12:00:00")
        after.engine.restore(WatchEngine.Recollection(
            occupancy: .home, lastSign: before.engine.inactivity.lastSign, lastSignSensor: after.id("pir.living"),
            lastMotion: [after.id("pir.living"): before.engine.inactivity.lastSign], openAlarms: before.engine.ladder.open,
            nextAlarmID: 10, doorSinceSilenceAlarm: doorBefore))
        if !doorBefore {
            after.door(open: true, at: after.t("+14 15:00:00"))
            after.tick(after.t("+14 15:00:01"))
        }
        // The door alone ends nothing (the alarm went out): the carer comes in to her.
        #expect(after.engine.ladder.hasSilenceAlarmOut())
        after.motion("pir.living", at: after.t("+14 15:00:30"))
        after.motion("pir.bedroom", at: after.t("+14 15:01:00"))
        #expect(!after.engine.ladder.hasSilenceAlarmOut())
        let model = try #require((after.engine.inactivity.policy as? RoutineSilencePolicy)?.model)
        // 11:30 to 12:00: after the alarm, before the restart: her usual 10 minutes (learned
        // up to the restart, the silence would have made it 2 h).
        #expect(model.longestSilence(slotOfDay: 23) == .minutes(10))
        #expect(model.longestSilence(slotOfDay: 29) == .minutes(10))   // 14:30
        // 11:00: the silence up to the alarm's first step (its pre-alarm).
        let firstStep = try #require(before.steps(.inactivity).first)
        #expect(model.longestSilence(slotOfDay: 22) == firstStep.at.wall - before.engine.inactivity.lastSign.wall)
        }
    }

    @Test("a silence across a long stop of the device, or across a clock set by NTP, is not learned; across a short restart it is")
    func unseenSilencesAreNotLearned() {
        // Her last motion at 10:00; the next at 15:00 (14:30 slot: 10 min usual).
        for (learnable, wallStep, learned) in [(true, Span.zero, Span.hours(5)), (false, .zero, .minutes(10)),
                                               (true, .hours(4), .minutes(10))] {
            var (rule, start) = Self.ruleAfterTwoWeeks()
            rule.restore(lastSign: start, sensor: SensorID(0), placeKnown: learnable, learnable: learnable)
            // With `wallStep`, the wall clock was 4 h behind at 10:00 and NTP set it since:
            // 5 h on the wall clock, 1 h really.
            let back = Timestamp(monotonic: start.monotonic + .hours(5) - wallStep, wall: Self.at(14, 15))
            rule.signOfLife(SensorID(0), at: back)
            let model = (rule.policy as? RoutineSilencePolicy)?.model
            #expect(model?.longestSilence(slotOfDay: 29) == learned, "learnable \(learnable), clock set by \(wallStep)")
        }
    }

    /// Her day `d` with a silence from 10:00 to 15:00: signs every 10 min from 07:00 to 10:00
    /// and from 15:00 to 22:00.
    static func dayWithAQuietAfternoon(_ m: inout RoutineModel, day d: Int64) {
        var last = at(d, 6, 50)
        var t = at(d, 7)
        while t < at(d, 22) {
            if t > at(d, 10), t < at(d, 15) { t = t + .minutes(10); continue }
            m.learn(signOfLifeAt: t, previous: last)
            last = t
            t = t + .minutes(10)
        }
    }

    @Test("a clock that ran 364 days ahead, seen set back: the routine still judges, and learns her real days; a clock found far behind, no step seen, dates nothing")
    func clockSetBackModel() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(364, 0)
        // Two weeks learned on the wrong clock: rows 0 to 13 hold days 364 to 377.
        Self.live(&m, days: 364..<378, wake: 7, last: &last)
        // The same history and a clock 362 days behind it at a boot (no RTC, no network): which
        // clock is wrong is not known, and nothing is dated by it; the fixed limits judge.
        var behind = m
        Self.dayWithAQuietAfternoon(&behind, day: 2)
        let (behindLearned, behindReady) = (behind.longestSilence(slotOfDay: 29), behind.isReady(at: Self.at(2, 22)))
        #expect(behindLearned == .minutes(10))
        #expect(!behindReady)
        // Seen set back to real day 2 (its row held day 366). Her days are still hers.
        m.clockSetBack(to: Self.at(2, 7))
        let readyAtOnce = m.isReady(at: Self.at(2, 7))
        #expect(readyAtOnce)
        Self.dayWithAQuietAfternoon(&m, day: 2)
        // Refused as "older than memory", the 5 h would not be there (10 min, the old row's).
        #expect(m.longestSilence(slotOfDay: 29) == .hours(5))
        let (ready, remembered) = (m.isReady(at: Self.at(2, 22)), m.remembered)
        #expect(ready)
        #expect(remembered == 14)
        // The technician's `status` says so (not "learned from 0 days").
        var f = TestFlat()
        f.engine.setSilencePolicy(RoutineSilencePolicy(model: m, fallback: Self.fixed()))
        let summary = f.engine.routineSummary(at: Self.at(2, 22))
        #expect(summary.phase == .ready)
        #expect(summary.daysLearned > 13 && summary.daysLearned <= 14)
        // Her next days take the rows over as they come; the rows dated back age out.
        Self.live(&m, days: 3..<31, wake: 8, last: &last)
        let wake = m.wakeMinutes
        #expect(m.longestSilence(slotOfDay: 29) == .minutes(10))   // day 2 forgotten after 28 days
        #expect(wake > 470)   // up at 08:00 now
    }

    @Test("the first sign after one restored does not tell a step of the clock (a boot with the clock behind the store): nothing is dated back; a step seen after it is")
    func restoredSignIsNoStep() throws {
        var (rule, start) = Self.ruleAfterTwoWeeks()
        func rows() throws -> Set<Int64> { Set(try #require((rule.policy as? RoutineSilencePolicy)?.model.rowDay)) }
        let learned = try rows().subtracting([.min])   // days 0 to 13
        // Restored at a boot whose clock reads 300 days behind the store: the recovery pairs
        // the last sign with this boot's clock as if the device had been off no time at all.
        rule.restore(lastSign: start, sensor: SensorID(0), learnable: false)
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(10), wall: Self.at(14 - 300, 10, 10)))
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(20), wall: Self.at(14 - 300, 10, 20)))
        // (The 10 min between them may be learned in an empty row, as before: a behind clock.)
        #expect(try learned.isSubset(of: rows()))
        // Then the clock is seen stepping back a day: that one is a step, her days are dated back.
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(30), wall: Self.at(13 - 300, 10, 30)))
        #expect(try rows().isDisjoint(with: learned))
    }

    @Test("the clock set back during a silence: that silence is not learned, and learning goes on at once on the right clock")
    func clockSetBackRule() {
        var (rule, start) = Self.ruleAfterTwoWeeks()
        // 10:00 on day 14, but the clock reads 364 days ahead: her signs at 10:00 and 10:10.
        let ahead = Timestamp(monotonic: start.monotonic, wall: Self.at(378, 10))
        rule.signOfLife(SensorID(0), at: ahead)
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(10), wall: Self.at(378, 10, 10)))
        // NTP sets it back; her sign at 10:20, then none until 15:20.
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(20), wall: Self.at(14, 10, 20)))
        var model = (rule.policy as? RoutineSilencePolicy)?.model
        #expect(model?.longestSilence(slotOfDay: 20) == .minutes(10), "the 10 min across the step is not learned as 364 days")
        rule.signOfLife(SensorID(0), at: Timestamp(monotonic: start.monotonic + .minutes(320), wall: Self.at(14, 15, 20)))
        model = (rule.policy as? RoutineSilencePolicy)?.model
        // Learned at once: not held off until the slot end the wrong clock gave (day 378, 10:30).
        #expect(model?.longestSilence(slotOfDay: 30) == .hours(5))
    }

    @Test func stateRoundTrip() throws {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        Self.live(&m, days: 0..<9, wake: 7, last: &last)
        var fresh = RoutineModel(settings: Self.settings, offset: .japan)
        let taken = fresh.restore(m.state)
        #expect(taken)
        #expect(fresh == m)
        var other = RoutineSettings()
        other.slotMinutes = 15
        var wrong = RoutineModel(settings: other, offset: .japan)
        let refused = !wrong.restore(m.state)
        #expect(refused)
        // A state of the first model (version 1: per-slot probabilities) is not taken.
        var v1 = m.state
        v1.values[0] = 1
        let old = !fresh.restore(v1)
        #expect(old)
        // Nor one with a value that is not a number.
        var broken = m.state
        broken.values[RoutineModel.headerCount + 3] = .nan
        let nan = !fresh.restore(broken)
        #expect(nan)
        // Nor one with a number past what an integer holds (a trap, then a restart into it, for ever).
        for i in [3, 5, 6, RoutineModel.headerCount] {
            var huge = m.state
            huge.values[i] = 1e300
            let refusedHuge = !fresh.restore(huge)
            #expect(refusedHuge)
        }
        // Within that bound but past what learning gives: bounded, no trap when judged.
        var corrupt = m.state
        corrupt.values[4] = 1e12                                                   // the wake minute
        let row = try #require(m.rowDay.firstIndex { $0 != .min })
        corrupt.values[RoutineModel.headerCount + 28 + row * 48 + 20] = 1e12        // a silence, on a day remembered
        var bounded = RoutineModel(settings: Self.settings, offset: .japan)
        let boundedTaken = bounded.restore(corrupt)
        #expect(boundedTaken)
        #expect(bounded.wakeMinutes == 1440)
        #expect(bounded.longestSilence(slotOfDay: 20) == Self.settings.unknownGap)
        #expect(bounded.improbableSilence(since: Self.at(9, 10)) <= Self.at(9, 10) + Self.settings.ceiling)
        #expect(bounded.notUpTime(silenceSince: Self.at(9, 10)) != nil)
        // Learned at another UTC offset (the timezone corrected): not taken, her nights would
        // be judged by her days. A version-4 state (no offset) is taken as of the offset now.
        var elsewhere = RoutineModel(settings: Self.settings, offset: UTCOffset(seconds: 0))
        let movedRefused = !elsewhere.restore(m.state)
        #expect(movedRefused)
        var v4 = m.state
        v4.values[0] = 4
        v4.values.removeSubrange(8..<23)
        var again = RoutineModel(settings: Self.settings, offset: .japan)
        let v4Taken = again.restore(v4)
        #expect(v4Taken)
        #expect(again.longest == m.longest && again.wakeMinutes == m.wakeMinutes)
        #expect(again.wakeDaysByWeekday == [0, 0, 0, 0, 0, 0, 0])   // no week before version 5
    }

    @Test("a silence while a PIR's line is lost is not learned as her routine; once it answers again, learning goes on")
    func noLearningWhileASensorIsInDoubt() {
        func longest(_ f: TestFlat) -> Span {
            var m = RoutineModel(settings: f.engine.settings.routine!, offset: f.engine.settings.utcOffset)
            _ = m.restore(f.engine.routineState)
            return (0..<48).map { m.longestSilence(slotOfDay: $0) }.max()!
        }
        for lost in [false, true] {
            var f = TestFlat { $0.routine = RoutineSettings() }
            f.motion("pir.living", at: f.t("09:00:00"))
            if lost { f.engine.handle(.fault(f.id("pir.bedroom"), .offline, at: f.t("09:10:00")), into: &f.decisions) }
            // 2.5 h unseen: where she was, the lost PIR might have seen her.
            f.motion("pir.living", at: f.t("11:30:00"))
            #expect(longest(f) >= .minutes(149) || lost)
            #expect(longest(f) < .minutes(5) || !lost)
            guard lost else { continue }
            // The line answers again: the silences from the next sign of life are hers, learned.
            f.engine.handle(.recovered(f.id("pir.bedroom"), at: f.t("11:40:00")), into: &f.decisions)
            f.motion("pir.living", at: f.t("11:45:00"))
            f.motion("pir.living", at: f.t("13:45:00"))
            #expect(longest(f) >= .minutes(119))
        }
    }

    @Test("not up: a resident up at 07:00 but at 10:00 on one day of the week is not late that day; other days as before")
    func notUpByDayOfTheWeek() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        var last = Self.at(0, 0)
        for d: Int64 in 0..<28 { Self.live(&m, days: d..<(d + 1), wake: d % 7 == 6 ? 10 : 7, last: &last) }
        // Day 34 is the late day of the week: due at 10:00 + 90 min, not at the average's.
        let late = m.notUpTime(silenceSince: Self.at(33, 21, 50))
        #expect(late == Self.at(34, 11, 30))
        // Day 30 is not: the usual morning of every day (07:00 and the late days' pull) + 90 min.
        let usual = m.notUpTime(silenceSince: Self.at(29, 21, 50))!
        #expect(usual >= Self.at(30, 8, 30) && usual < Self.at(30, 9, 30))
        // The state keeps the week.
        var again = RoutineModel(settings: Self.settings, offset: .japan)
        _ = again.restore(m.state)
        #expect(again.notUpTime(silenceSince: Self.at(33, 21, 50)) == late)
    }

    @Test("a PIR found silent at a door use pauses learning; a replay's cupboard found silent (unopened for days) does not")
    func silentAtTheDoor() {
        func learnedLongest(cupboard: String) -> (Span, Bool) {
            let sensors = SensorRegistry([SensorDescriptor(name: "pir.living")!, SensorDescriptor(name: cupboard, kind: .pir, room: "kitchen"),
                                          SensorDescriptor(name: "door.entrance")!])
            var settings = EngineSettings(sensors: sensors, routine: RoutineSettings())
            settings.rules.pirSilentAfter = .hours(1)
            settings.rules.pirSilentDoorUses = 1
            let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                               wall: CivilTime.parseISO8601("2026-07-01T09:00:00", defaultOffset: .japan)!)
            var e = WatchEngine(settings: settings, start: t0)
            var out: [Decision] = []
            let living = SensorID(0), door = SensorID(2)
            e.prime(door, rawLevel: false)
            func at(_ m: Int64) -> Timestamp { t0.advanced(by: .minutes(m)) }
            func motion(_ m: Int64) {
                e.handle(.level(living, high: true, at: at(m)), into: &out)
                e.handle(.level(living, high: false, at: at(m).advanced(by: .seconds(2))), into: &out)
            }
            motion(0)
            motion(85)
            // The door at 10:30: the cupboard, never used since 09:00, is found silent.
            e.handle(.level(door, high: true, at: at(90)), into: &out)
            e.handle(.level(door, high: false, at: at(90).advanced(by: .seconds(5))), into: &out)
            motion(91)
            motion(241)   // 2.5 h quiet in the living room
            e.tick(at: at(242), into: &out)
            let raised = e.openAlarms.contains { $0.kind == .pirSilent && $0.sensor == SensorID(1) }
            var m = RoutineModel(settings: settings.routineInForce!, offset: settings.utcOffset)
            _ = m.restore(e.routineState)
            return ((0..<48).map { m.longestSilence(slotOfDay: $0) }.max()!, raised)
        }
        let (cupboard, cupboardRaised) = learnedLongest(cupboard: "activity.fridge")
        #expect(cupboardRaised)
        #expect(cupboard >= .minutes(149))
        let (pir, pirRaised) = learnedLongest(cupboard: "pir.fridge")
        #expect(pirRaised)
        #expect(pir < .minutes(100))   // 09:00 to 10:25, learned before it was found silent; not the 2.5 h after
    }

    @Test("the days learned while a PIR was blind are forgotten when it is found silent: her hours in its room are not usual silences after the repair")
    func blindDaysForgotten() {
        let sensors = SensorRegistry([SensorDescriptor(name: "pir.living")!, SensorDescriptor(name: "pir.bedroom")!,
                                      SensorDescriptor(name: "door.entrance")!])
        var settings = EngineSettings(sensors: sensors, routine: RoutineSettings())
        settings.rules.pirSilentAfter = .hours(30)
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                           wall: CivilTime.parseISO8601("2026-07-01T00:00:00", defaultOffset: .japan)!)
        var e = WatchEngine(settings: settings, start: t0)
        var out: [Decision] = []
        let living = SensorID(0), bedroom = SensorID(1), door = SensorID(2)
        e.prime(door, rawLevel: false)
        func at(_ d: Int64, _ h: Int64, _ m: Int64 = 0) -> Timestamp { t0.advanced(by: .hours(d * 24 + h) + .minutes(m)) }
        func motion(_ s: SensorID, _ t: Timestamp) {
            e.handle(.level(s, high: true, at: t), into: &out)
            e.handle(.level(s, high: false, at: t.advanced(by: .seconds(2))), into: &out)
        }
        func doorUsed(_ t: Timestamp) {
            e.handle(.level(door, high: true, at: t), into: &out)
            e.handle(.level(door, high: false, at: t.advanced(by: .seconds(5))), into: &out)
            motion(living, t.advanced(by: .seconds(30)))   // seen at the door (the living PIR, while it works)
        }
        func model() -> RoutineModel {
            var m = RoutineModel(settings: settings.routineInForce!, offset: settings.utcOffset)
            _ = m.restore(e.routineState)
            return m
        }
        // Days 0 and 1: up at 07:00, in the living room (seen every 10 min) until 22:00, the
        // door every two hours from 09:00, in bed at 22:10.
        // Day 2 on: the living-room PIR is dead; she lives as before, seen only in bed and at
        // the door (the door's own event).
        for d: Int64 in 0..<4 {
            let dead = d >= 2
            motion(bedroom, at(d, 6, 50))
            var m: Int64 = 7 * 60
            while m < 22 * 60 {
                if m % 120 == 60 {
                    if dead {
                        e.handle(.level(door, high: true, at: at(d, 0, m)), into: &out)
                        e.handle(.level(door, high: false, at: at(d, 0, m).advanced(by: .seconds(5))), into: &out)
                    } else {
                        doorUsed(at(d, 0, m))
                    }
                } else if !dead {
                    motion(living, at(d, 0, m))
                }
                m += 10
            }
            motion(bedroom, at(d, 22, 10))
            if d == 2 {
                // Learned blind: her two hours between door uses are usual silences now.
                let blind = model()
                #expect(blind.longestSilence(slotOfDay: 21) >= .minutes(110))
                #expect(blind.remembered == 3)
            }
            if d == 3 { break }
        }
        // Found silent 30 h after its last motion (day 1, 21:50): day 3, 03:50.
        e.tick(at: at(3, 4), into: &out)
        #expect(e.openAlarms.contains { $0.kind == .pirSilent && $0.sensor == living })
        let after = model()
        // Days 1 to 3 forgotten (day 1 held its last motion); day 0 remains, her 10-min silences.
        #expect(after.remembered == 1)
        #expect(after.longestSilence(slotOfDay: 21) <= .minutes(11))
        #expect(after.longestSilence(slotOfDay: 21) > .zero)
        // The direct call: a day not remembered changes nothing.
        var m = after
        #expect(m.forgetDays(from: at(9, 0).wall, through: at(12, 0).wall) == 0)
        #expect(m == after)
    }

    /// A policy whose limit shortens when it forgets (as the routine's does when its longest
    /// silences are forgotten).
    struct ShrinkingLimit: SilencePolicy {
        var limit: Span = .hours(10)
        var forgotten = 0
        var floor: Span { .minutes(30) }
        func alarmTime(silenceSince since: WallTime, from sensor: SensorID) -> (at: WallTime, limit: Span, atNight: Bool) {
            (since + limit, limit, false)
        }
        mutating func forgetLearned(from: WallTime, through: WallTime) { limit = .minutes(30); forgotten += 1 }
    }

    @Test("a silence already past the limit left after the blind days are forgotten sounds its pre-alarm then, with its grace; a PIR found silent again within 28 days of moving (a room used every few days) forgets nothing more")
    func forgottenLimitKeepsTheGrace() {
        let sensors = SensorRegistry([SensorDescriptor(name: "pir.living")!, SensorDescriptor(name: "door.entrance")!,
                                      SensorDescriptor(name: "pir.bedroom")!])
        var settings = EngineSettings(sensors: sensors)
        settings.rules.pirSilentAfter = .hours(2)
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                           wall: CivilTime.parseISO8601("2026-07-01T08:00:00", defaultOffset: .japan)!)
        var e = WatchEngine(settings: settings, start: t0)
        e.setSilencePolicy(ShrinkingLimit())
        var out: [Decision] = []
        let living = SensorID(0), door = SensorID(1), bedroom = SensorID(2)
        e.prime(door, rawLevel: false)
        func at(_ m: Int64) -> Timestamp { t0.advanced(by: .minutes(m)) }
        func doorUsed(_ m: Int64) {
            e.handle(.level(door, high: true, at: at(m)), into: &out)
            e.handle(.level(door, high: false, at: at(m).advanced(by: .seconds(5))), into: &out)
            e.handle(.level(bedroom, high: true, at: at(m).advanced(by: .seconds(30))), into: &out)   // home: seen in the bedroom
            e.handle(.level(bedroom, high: false, at: at(m).advanced(by: .seconds(32))), into: &out)
        }
        e.handle(.level(living, high: true, at: at(0)), into: &out)
        e.handle(.level(living, high: false, at: at(0).advanced(by: .seconds(2))), into: &out)
        doorUsed(10)
        doorUsed(20)   // silent since 08:20:32; the living PIR never moves again
        e.tick(at: at(121), into: &out)
        // Found silent at 10:00 (2 h after its motion): the limit is 30 min now, long passed.
        #expect(e.openAlarms.contains { $0.kind == .pirSilent })
        let silence = e.openAlarms.first { $0.kind == .inactivity }
        #expect(silence?.phase == .preAlarm, "her grace to answer, not sent at once")
        #expect(silence?.raisedAt.monotonic == at(120).monotonic)
        #expect((e.inactivity.policy as? ShrinkingLimit)?.forgotten == 1)
        // It moves (her guest room), is found silent again three days later: nothing forgotten.
        e.handle(.level(living, high: true, at: at(130)), into: &out)
        e.handle(.level(living, high: false, at: at(130).advanced(by: .seconds(2))), into: &out)
        doorUsed(140)
        doorUsed(150)
        e.tick(at: at(130 + 60 * 72), into: &out)
        #expect(e.openAlarms.contains { $0.kind == .pirSilent })
        #expect((e.inactivity.policy as? ShrinkingLimit)?.forgotten == 1)
    }

    @Test("days since the first sign are not history: ten empty days after a walk test, then one lived, still the fixed limits")
    func readyByDaysLearned() {
        var m = RoutineModel(settings: Self.settings, offset: .japan)
        // The technician's walk test on day 0, then nobody until day 10.
        m.learn(signOfLifeAt: Self.at(0, 10, 1), previous: Self.at(0, 10))
        var last = Self.at(10, 6)
        Self.live(&m, days: 10..<11, wake: 7, last: &last)
        #expect(!m.isReady(at: Self.at(10, 22, 30)))
        let p = RoutineSilencePolicy(model: m, fallback: Self.fixed())
        #expect(p.alarmTime(silenceSince: Self.at(10, 22, 30)).at == Self.fixed().alarmTime(silenceSince: Self.at(10, 22, 30)).at)
        // Six more days lived: seven learned, ready.
        Self.live(&m, days: 11..<17, wake: 7, last: &last)
        #expect(m.isReady(at: Self.at(16, 22, 30)))
    }
}
