import Testing
@testable import KizunaCore

/// The learned routine on synthetic weeks (UTC+9, a day starting at local midnight).
struct RoutineTests {
    /// The settings these tests were written with (the mechanism, not the tuned defaults:
    /// threshold 0.01, the morning window from 04:00, the not-up alarm 90 min late).
    static var settings: RoutineSettings {
        var r = RoutineSettings()
        r.threshold = 0.01
        r.wakeWindowStart = TimeOfDay(hour: 4)
        r.notUpMargin = .minutes(90)
        return r
    }

    static let day: Int64 = 86_400
    /// Local midnight of day `d` (from an arbitrary Monday), as wall time.
    static func midnight(_ d: Int64) -> WallTime { WallTime(secondsSinceEpoch: 1_700_000_000 / day * day + d * day - 9 * 3600) }
    static func at(_ d: Int64, _ h: Int64, _ m: Int64 = 0) -> WallTime { midnight(d) + .minutes(h * 60 + m) }

    /// A resident up at `wake`, a sign of life every 10 minutes until 22:00, asleep after.
    static func live(_ model: inout RoutineModel, days: Range<Int64>, wake: Int64, last: inout WallTime) {
        for d in days {
            var t = at(d, wake)
            while t < at(d, 22) {
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
        // By day a silence is improbable well before the 12 h timer (slots never seen silent
        // keep the 0.5 prior: about 3.6 h); a night silence waits for the morning.
        #expect(m.improbableSilence(since: Self.at(14, 10)) - Self.at(14, 10) <= .hours(4))
        #expect(m.improbableSilence(since: Self.at(14, 22, 30)) > Self.at(15, 7))
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

    @Test func stateRoundTrip() {
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
    }
}
