import KizunaCore
import Testing
@testable import KizunaRuntime

/// `kizuna evaluate`'s measures, on a recording small enough to check by hand.
@Suite struct EvaluationTests {
    static let t0 = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    static func at(_ minutes: Int64) -> Timestamp { Recording.stamp(t0 + .minutes(minutes)) }

    /// pir.living moves at 0 and 600 min (falling 1 min later); the door shuts at 300;
    /// a temperature reading at 100 (no sign of life).
    static func recording() -> Recording {
        let sensors = SensorRegistry(["pir.living", "door.entrance", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let obs: [Observation] = [
            .level(SensorID(0), high: true, at: at(0)), .level(SensorID(0), high: false, at: at(1)),
            .reading(SensorID(2), value: 21, at: at(100)),
            .level(SensorID(1), high: false, at: at(300)),
            .level(SensorID(0), high: true, at: at(600)), .level(SensorID(0), high: false, at: at(601)),
        ]
        return Recording(format: .kizuna, sensors: sensors, observations: obs, first: t0, last: t0 + .minutes(601))
    }

    @Test("cuts never fall in a data gap (the device was not running), and cover the time on both sides of it in proportion")
    func cutsAvoidGaps() {
        let r = Self.recording()
        let gap = (from: Self.t0 + .minutes(100), to: Self.t0 + .minutes(200))
        let cuts = Evaluation.cuts(r, count: 2000, seed: 7, skip: .zero, gaps: [gap])
        #expect(cuts.count == 2000)
        #expect(cuts.allSatisfy { $0 < gap.from || $0 >= gap.to })
        #expect(cuts.allSatisfy { $0 >= Self.t0 && $0 < Self.t0 + .minutes(541) })   // an hour before the end
        let before = Double(cuts.filter { $0 < gap.from }.count) / 2000   // 100 of the 441 minutes covered
        #expect(abs(before - 100.0 / 441.0) < 0.04)
        #expect(Evaluation.cuts(r, count: 2000, seed: 7, skip: .zero, gaps: [gap]) == cuts)   // same seed, same cuts
        // Without the gap some fall in it: the check above could fail.
        #expect(Evaluation.cuts(r, count: 2000, seed: 7, skip: .zero).contains { $0 >= gap.from && $0 < gap.to })
        // The gaps a replay finds (over 2 h: 100 → 300 and 300 → 600 min) leave only the first 100 minutes.
        let found = DataGaps(r, longerThan: .hours(2)).list
        #expect(found.count == 2)
        #expect(Evaluation.cuts(r, count: 500, seed: 7, skip: .zero, gaps: found).allSatisfy { $0 < Self.t0 + .minutes(100) })
    }

    @Test("the next sign of life after a cut: motion starting or a door, not a reading nor motion ending")
    func nextSign() {
        let r = Self.recording()
        #expect(Evaluation.nextSign(r, after: Self.t0 + .seconds(30)) == Self.t0 + .minutes(300))
        #expect(Evaluation.nextSign(r, after: Self.t0 + .minutes(300)) == Self.t0 + .minutes(600))
        #expect(Evaluation.nextSign(r, after: Self.t0 + .minutes(600)) == nil)
    }

    @Test("latency past the next sign: the alarm's delay after it, zero when the alarm came first, misses kept")
    func afterSign() {
        var l = Evaluation.Latencies(detected: [], misses: 0)
        let cut = Self.t0 + .hours(1)
        // Cut at 1 h, the resident would have moved at 9 h, alarm at 10 h: 1 h late.
        Evaluation.afterSign(.hours(9), cut: cut, sign: Self.t0 + .hours(9), into: &l)
        // An alarm before the resident would have moved: 0.
        Evaluation.afterSign(.hours(2), cut: cut, sign: Self.t0 + .hours(9), into: &l)
        Evaluation.afterSign(nil, cut: cut, sign: Self.t0 + .hours(9), into: &l)
        #expect(l.detected == [.hours(1), .zero])
        #expect(l.misses == 1)
    }

    @Test("every cut is reported (time, away, next sign, both latencies) and the false alarms are listed")
    func perCutAndFalseAlarms() {
        let r = Self.recording()
        var settings = r.engineSettings(base: nil)
        settings.routine = nil
        let report = Evaluation.run(r, settings: settings, cuts: 5, seed: 3)
        #expect(report.perCut.map(\.at) == report.cutTimes)
        #expect(report.perCut.count == 5)
        #expect(report.perCut.compactMap(\.routine).sorted() == report.routine.detected.sorted())
        #expect(report.perCut.filter { $0.routine == nil }.count == report.routine.misses)
        #expect(report.perCut.compactMap(\.fixed).sorted() == report.fixed.detected.sorted())
        for c in report.perCut {
            #expect(c.nextSign == Evaluation.nextSign(r, after: c.at))
        }
        // Whether the 5 h silence before the door is a false alarm depends on the hour it falls
        // in (day limit 3 h, night 10 h); either way only network inactivity alarms are listed.
        #expect(report.falseAlarmSteps.allSatisfy { $0.step == .alarm && $0.kind.isInactivity })
    }

    @Test("the routine's latencies by where the cut found her: home by day, home at night (the night window), out; together all of them")
    func byWhereTheCutFell() throws {
        let r = Self.dailyOutings()
        let settings = r.engineSettings(base: nil)
        let report = Evaluation.run(r, settings: settings, cuts: 40, seed: 5)
        let night = try #require(report.night)
        #expect(night == settings.night)
        for c in report.perCut {
            #expect(c.atNight == night.contains(c.at))
            #expect(c.where == (c.away ? .away : c.atNight ? .homeAtNight : .homeByDay))
        }
        let parts = Evaluation.Cut.Where.allCases.map { report.routineBy($0) }
        // Each cut in exactly one part: together they are the routine's latencies.
        #expect(parts.flatMap(\.detected).sorted() == report.routine.detected.sorted())
        #expect(parts.map(\.misses).reduce(0, +) == report.routine.misses)
        #expect(report.routineBy(.away).detected.count + report.routineBy(.away).misses == report.awayCuts)
        // 40 cuts over 9 of 16 days: some fall in each part (the night is 9 h of 24, she is out
        // 2 h 20 min a day), so the split above could fail.
        #expect(parts.allSatisfy { $0.detected.count + $0.misses > 0 })
        let text = Evaluation.describe(report)
        #expect(text.contains("the routine by where the cut found her (night 22:00–07:00)"))
        for place in Evaluation.Cut.Where.allCases {
            let l = report.routineBy(place)
            #expect(text.contains("  \(place.rawValue)"))
            #expect(text.contains(String(l.detected.count + l.misses)))
        }
    }

    /// Sensor `index` high at `w` for `span`, then low: a PIR trigger, a door opened and shut.
    static func trigger(_ index: Int, at w: WallTime, for span: Span, into obs: inout [Observation]) {
        obs.append(.level(SensorID(index), high: true, at: Recording.stamp(w)))
        obs.append(.level(SensorID(index), high: false, at: Recording.stamp(w + span)))
    }

    /// Ten days of a resident seen every 20 min from 07:00 to 22:00 (UTC), with a nap from
    /// 13:00 to 15:00, and on day 5 out from 10:00 to 16:00 through the door.
    static func routineWeek() -> Recording {
        let sensors = SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! })
        let day0 = WallTime(nanosecondsSinceEpoch: 1_700_006_400_000_000_000)   // 2023-11-15 00:00 UTC
        var obs: [Observation] = []
        func pir(_ w: WallTime) { trigger(0, at: w, for: .seconds(5), into: &obs) }
        for d in 0..<10 {
            var m: Int64 = 7 * 60
            while m < 22 * 60 {
                let w = day0 + .days(Int64(d)) + .minutes(m)
                let napping = m > 13 * 60 && m < 15 * 60
                let out = d == 5 && m > 10 * 60 && m < 16 * 60
                if !napping && !out { pir(w) }
                if d == 5 && (m == 10 * 60 || m == 16 * 60) {
                    obs.append(.level(SensorID(1), high: true, at: Recording.stamp(w + .seconds(30))))
                }
                m += 20
            }
        }
        return Recording(format: .kizuna, sensors: sensors, observations: obs, first: day0, last: day0 + .days(10))
    }

    @Test("hindsight: no silence at home in the recording reaches its limit; absences through the door are not learned")
    func hindsightHasNoFalseAlarmByConstruction() {
        let r = Self.routineWeek()
        let signs = Hindsight.signs(r)
        var settings = RoutineSettings()
        settings.margin = 0
        settings.extra = .zero
        settings.window = .zero
        settings.upExtra = .zero   // and none out of bed either
        let model = Hindsight.model(signs, settings: settings, offset: .utc, awayAfter: .minutes(15))
        for (p, n) in zip(signs, signs.dropFirst()) where !p.door {
            #expect(model.improbableSilence(since: p.at) >= n.at)
        }
        // The nap (13:00 to 15:00) is remembered in the 14:30 slot; the outing (10:00 to 16:00
        // through the door) is not: the 15:30 slot holds 20 min, not 6 h.
        #expect(model.longestSilence(slotOfDay: 29) == .hours(2))
        #expect(model.longestSilence(slotOfDay: 31) == .minutes(20))
        // A cut at 10:05 on day 7: silent since 10:00; by day this resident is never quiet for
        // more than 20 minutes, so the floor (1 h) decides: 55 min after the cut.
        let day7 = r.first + .days(7)
        let l = Hindsight.latencies(r, settings: settings, awayAfter: .minutes(15),
                                    cuts: [(day7 + .minutes(605), false), (day7 + .minutes(606), true)])
        #expect(l.detected == [.minutes(55)])
    }

    /// Sixteen days of a resident seen every 20 min from 07:00 to 22:00 (UTC) and once at
    /// 02:00 (a night without any event for 6 h would be a data gap), out every day from 10:00
    /// to 12:00 through the door (back: the door at 12:00, motion from 12:20).
    static func dailyOutings() -> Recording {
        let sensors = SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! })
        let day0 = WallTime(nanosecondsSinceEpoch: 1_700_006_400_000_000_000)   // 2023-11-15 00:00 UTC
        var obs: [Observation] = []
        func door(_ w: WallTime) { trigger(1, at: w, for: .seconds(10), into: &obs) }
        for d in 0..<16 {
            trigger(0, at: day0 + .days(Int64(d)) + .hours(2), for: .seconds(5), into: &obs)
            var m: Int64 = 7 * 60
            while m < 22 * 60 {
                let w = day0 + .days(Int64(d)) + .minutes(m)
                if m > 10 * 60 && m <= 12 * 60 {
                    if m == 12 * 60 { door(w) }
                } else {
                    trigger(0, at: w, for: .seconds(5), into: &obs)
                }
                if m == 10 * 60 { door(w + .seconds(30)) }
                m += 20
            }
        }
        return Recording(format: .kizuna, sensors: sensors, observations: obs, first: day0, last: day0 + .days(16))
    }

    @Test("a cut while out (the return that never comes) is found by not-back, not by the 12 h timer; daily outings raise nothing")
    func cutWhileOut() throws {
        let r = Self.dailyOutings()
        let settings = r.engineSettings(base: nil)
        let routine = try #require(settings.routine)
        #expect(routine.notBack != nil)
        let normal = Replay.run(r, settings: settings)
        #expect(!normal.steps.contains { $0.kind == .inactivityNotBack })
        #expect(Evaluation.inactivityAlarms(normal.steps).isEmpty)
        // Day 14, 11:00: she left at 10:00:40 (the door closing). Her outings last 2 h 19 min
        // (to the motion at 12:20): × 1.25 + 1 h is 3 h 54 min, under the 4 h floor. The
        // pre-alarm at 14:00:40, the network alarm after its grace.
        let cut = r.first + .days(14) + .hours(11)
        let a = Replay.run(r, settings: settings, cutAt: cut, until: cut + .hours(48))
        #expect(Evaluation.wasAway(a, at: cut))
        let expected = (r.first + .days(14) + .minutes(600) + .seconds(40) + .hours(4) + settings.ladder.preAlarmGrace) - cut
        #expect(Evaluation.latency(a, cut: cut, horizon: .hours(48)) == expected)
        #expect(a.steps.first { $0.step == .alarm && $0.at.wall >= cut }?.kind == .inactivityNotBack)
        let b = Replay.run(r, settings: Evaluation.fixedTimer(settings), cutAt: cut, until: cut + .hours(48))
        #expect(Evaluation.latency(b, cut: cut, horizon: .hours(48)) == nil)
    }
}
