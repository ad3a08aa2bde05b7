/// Decides when a silence becomes alarming. The seam where the learned routine plugs in:
/// today `FixedSilenceLimits` (a day and a night limit); a routine model answers the same
/// question from the resident's own history.
public protocol SilencePolicy: Sendable {
    /// The shortest silence this policy will ever alarm on. The engine uses it as a cheap
    /// lower bound on the hot path and asks `alarmTime` only when a timer is due.
    var floor: Span { get }
    /// When a silence that began at `since` (with a sign of life from `sensor`) becomes
    /// alarming, the limit that applies then, and whether that moment is at night.
    func alarmTime(silenceSince since: WallTime, from sensor: SensorID) -> (at: WallTime, limit: Span, atNight: Bool)
    /// When a resident silent since `since` is late getting up (`inactivity.not-up`); nil: never.
    func notUpTime(silenceSince since: WallTime) -> WallTime?
    /// When a resident out since `since` is not back later than her outings allow
    /// (`inactivity.not-back`), and that limit; nil: never. Never before `since + floor`.
    func notBackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)?
    /// Learns from an outing, from the last sign before she left to her return.
    mutating func learnAbsence(from start: WallTime, to end: WallTime)
    /// Learns from a sign of life at `t` (the previous one was at `previous`, from `sensor`).
    /// Returns the moment before which another call would teach nothing: the rule calls
    /// again only after it, so learning stays off the per-event path.
    mutating func learn(signOfLifeAt t: WallTime, previous: WallTime, from sensor: SensorID) -> WallTime
    /// The wall clock was seen stepping back to `now` (`RoutineModel.clockSetBack`).
    mutating func clockSetBack(to now: WallTime)
    /// Forgets what was learned from the day holding `from` through the day holding `through`
    /// (`RoutineModel.forgetDays`).
    mutating func forgetLearned(from: WallTime, through: WallTime)
    /// The learned state, for the store (nil: nothing learned).
    var routineState: RoutineState? { get }
    /// Puts back a learned state; returns whether it was taken.
    mutating func restoreRoutine(_ state: RoutineState) -> Bool
}

extension SilencePolicy {
    /// A silence whose last sign's sensor does not matter (or is not known).
    public func alarmTime(silenceSince since: WallTime) -> (at: WallTime, limit: Span, atNight: Bool) {
        alarmTime(silenceSince: since, from: .none)
    }
    public func notUpTime(silenceSince since: WallTime) -> WallTime? { nil }
    public func notBackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)? { nil }
    public mutating func learnAbsence(from start: WallTime, to end: WallTime) {}
    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime, from sensor: SensorID) -> WallTime { WallTime(nanosecondsSinceEpoch: .max) }
    public mutating func clockSetBack(to now: WallTime) {}
    public mutating func forgetLearned(from: WallTime, through: WallTime) {}
    public var routineState: RoutineState? { nil }
    public mutating func restoreRoutine(_ state: RoutineState) -> Bool { false }
}

/// The fixed thresholds of commercial systems, with separate day and night limits.
public struct FixedSilenceLimits: SilencePolicy {
    public var byDay: Span
    public var atNight: Span
    public var night: DailyWindow

    public init(byDay: Span, atNight: Span, night: DailyWindow) {
        self.byDay = byDay
        self.atNight = atNight
        self.night = night
    }

    /// By sensor index: whether it is in a room of rest (the bedroom). Only when the flat
    /// has one does where a silence began count (below).
    public var atRest: [Bool] = []

    public var floor: Span { min(byDay, atNight) }

    /// A silence is judged by the most lenient limit of the periods it ran through: one
    /// that began at night keeps the night limit into the morning, and one that began by day
    /// in bed (an early night) takes the night's as it comes. One that began by day out of
    /// bed, in a flat with a bedroom sensor, keeps the day limit into the night: she did not
    /// go to bed (a collapse in the bath at 19:05 was called for at 05:05, by the night's 10
    /// hours, and one at 18:59 at 21:59). One whose place is not known (since a restart) is
    /// judged as one in bed.
    public func alarmTime(silenceSince since: WallTime, from sensor: SensorID) -> (at: WallTime, limit: Span, atNight: Bool) {
        let i = Int(sensor.index)
        if i < atRest.count, !atRest[i], !night.contains(since) {
            return (since + byDay, byDay, false)
        }
        let r = night.firstTimeExceeding(since: since, inside: atNight, outside: byDay, crossing: .mostLenient)
        return (r.at, r.limit, r.inWindow)
    }
}
