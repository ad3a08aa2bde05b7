/// No sign of life while the resident is presumed home.
///
/// Silence starts at the last sign of life: the start or the end of motion, a door event, a
/// button press. While a (not stuck) PIR still sees motion there is no silence at all.
/// When the silence reaches the limit of the `policy` the rule raises an `inactivity`
/// alarm once; the next sign of life re-arms it. While an `aggravation` (a sustained VOC
/// rise) is in force, the policy's limit is shortened and the alarm says why.
public struct InactivityRule: Sendable {
    public var policy: any SilencePolicy {
        didSet { policyFloor = policy.floor }
    }
    /// `policy.floor`, kept: the lower bound is asked at every timer.
    var policyFloor: Span
    /// Evidence that shortens the limit in force, while it lasts.
    public private(set) var aggravation: SilenceAggravation?
    public private(set) var lastSign: Timestamp
    public private(set) var lastSignSensor: SensorID = .none
    var activeMotion = 0
    var fired = false
    /// When the silence under way raised its alarm: it is learned as if it had ended then.
    var raisedAt: WallTime?
    var cached: MonotonicInstant?
    /// Whether the deadline in `cached` is the not-up time rather than the silence limit.
    var cachedIsNotUp = false
    /// Before this wall time a sign of life teaches the policy nothing (same routine slot).
    var nextLearn = WallTime(nanosecondsSinceEpoch: .min)
    /// The silence under way says nothing about how long this resident is quiet at home, so
    /// the policy does not learn from it: the flat read `away` during it, or the device was
    /// off for part of it (`restore`).
    var silenceNotLearned = false
    /// While the flat reads `away`: the last sign before she left, and its sensor (the
    /// door). The "not back" limit counts from it.
    public private(set) var awaySince: (time: Timestamp, sensor: SensorID)?
    var notBackFired = false
    /// The not-back alarm of this outing was raised (not only held back).
    var notBackRaised = false
    var cachedNotBack: MonotonicInstant?
    /// The authority's "away until" (`DeclaredAbsence`): "not back" counts from it, and the
    /// outing is not learned.
    public private(set) var declaredUntil: Timestamp?

    public init(policy: any SilencePolicy, start: Timestamp) {
        self.policy = policy
        self.policyFloor = policy.floor
        self.lastSign = start
    }

    /// Restores the last sign of life after a restart: a silence that began before the
    /// reboot goes on counting from when it began. `placeKnown` false (the device was off for
    /// a while): where it began no longer says where she is, so it is judged, and learned,
    /// as a silence of unknown place (by all silences, as one in bed).
    /// `learnable` false (the device was off for more than a few minutes): what she did
    /// meanwhile was not seen, so the silence is not learned — a six-hour power cut would
    /// otherwise teach a six-hour silence as usual at those hours, for 28 days.
    public mutating func restore(lastSign: Timestamp, sensor: SensorID, placeKnown: Bool = true, learnable: Bool = true) {
        self.lastSign = lastSign
        self.lastSignSensor = sensor
        self.placeKnown = placeKnown
        if !learnable { silenceNotLearned = true }
        signRestored = true
        cached = nil
    }

    /// The last sign was restored from the store: its pairing of wall and monotonic time is the
    /// recovery's guess (a clock behind the store at a boot is taken as "off no time at all"),
    /// so the first sign after it does not tell a step of the clock.
    var signRestored = false

    /// Whether the silence under way is judged by where its last sign was (`restore`).
    public private(set) var placeKnown = true
    /// The sensor the policy judges the silence under way by: `.none` when its place is unknown.
    var judgedBy: SensorID { placeKnown ? lastSignSensor : .none }

    /// Takes another policy (the configuration changed), keeping the silence under way: its
    /// deadline is recomputed from the same last sign of life. An alarm already raised for
    /// this silence stays raised (the rule re-arms at the next sign of life).
    mutating func replacePolicy(_ new: any SilencePolicy) {
        policy = new
        cached = nil
        cachedNotBack = nil
        // The old policy's answer may have been "never learn again" (fixed limits); asking
        // the new one at the next sign of life is harmless (learning is incremental).
        nextLearn = WallTime(nanosecondsSinceEpoch: .min)
    }

    /// A sign of life. `found`: it may be someone finding her (the door: a carer coming in;
    /// the button, pressed once help was called): a silence that raised an alarm and ends so
    /// is learned only up to the alarm.
    mutating func signOfLife(_ sensor: SensorID, at time: Timestamp, found: Bool = false) {
        if time.monotonic >= lastSign.monotonic {
            let clockSet = Self.clockWasSet(from: lastSign, to: time)
            if clockSet, !signRestored, Self.drift(from: lastSign, to: time) < 0 {
                // Set back (it ran ahead): what was learned on the wrong clock is dated back,
                // and learning is not kept off until the slot end the policy gave on that
                // clock (a year ahead: a year).
                policy.clockSetBack(to: time.wall)
                if nextLearn.nanosecondsSinceEpoch != .max { nextLearn = WallTime(nanosecondsSinceEpoch: .min) }
            }
            if silenceNotLearned {
                silenceNotLearned = false
            } else if clockSet {
                // NTP stepped the wall clock during the silence: its length on the wall
                // clock is not how long she was quiet. Not learned.
            } else if time.wall >= nextLearn {
                // A silence that raised an alarm and was ended by the door or the button
                // teaches no more than the silence up to the alarm: learned whole, a collapse
                // found hours later by a carer would become "usual" at this hour, and the
                // next one be found that much later. Ended by her own motion (a long sleep,
                // a false alarm) it is learned whole, as before: capped, the same sleep
                // raised a false alarm night after night (NEARS: 6 → 8 in 198 days).
                let until = found ? raisedAt.map { min($0, time.wall) } ?? time.wall : time.wall
                nextLearn = policy.learn(signOfLifeAt: until, previous: lastSign.wall, from: judgedBy)
            }
            lastSign = time
            lastSignSensor = sensor
            placeKnown = true
            signRestored = false
        }
        fired = false
        raisedAt = nil
        cached = nil
    }

    /// The occupancy machine decided the resident left: the silence under way is an absence,
    /// and the "not back" limit counts from its last sign.
    mutating func wentAway() {
        silenceNotLearned = true
        awaySince = (lastSign, lastSignSensor)
        resetNotBack()
    }

    /// Whether the wall clock was set between `a` and `b` (by more than a minute): the wall
    /// and the monotonic clock disagree on the time between them.
    static func clockWasSet(from a: Timestamp, to b: Timestamp) -> Bool {
        let d = drift(from: a, to: b)
        return d > 60_000_000_000 || d < -60_000_000_000
    }

    /// How far the wall clock moved beyond the monotonic one between `a` and `b` (ns):
    /// negative when it was set back.
    static func drift(from a: Timestamp, to b: Timestamp) -> Int64 {
        (b.wall - a.wall).nanoseconds - (b.monotonic - a.monotonic).nanoseconds
    }

    /// The occupancy machine decided she is home again (at `t`, the sign that says so): the
    /// outing is learned, whether or not it raised an alarm (not across a clock set).
    mutating func cameHome(at t: Timestamp) {
        if declaredUntil == nil, let s = awaySince, t.wall > s.time.wall, !Self.clockWasSet(from: s.time, to: t) {
            policy.learnAbsence(from: s.time.wall, to: t.wall)
        }
        awaySince = nil
        declaredUntil = nil
        resetNotBack()
    }

    /// A visitor left during a declared absence: she has been out since `time`, not since them.
    mutating func backdateAbsence(to time: Timestamp, sensor: SensorID) {
        awaySince = (time, sensor)
        cachedNotBack = nil
    }

    /// Someone else may be home (a visit during a declared absence): what they do teaches the
    /// routine nothing until `resumeLearning`.
    mutating func pauseLearning() { nextLearn = WallTime(nanosecondsSinceEpoch: .max) }

    /// She is back: signs of life are learned again (from the next one).
    mutating func resumeLearning() { nextLearn = WallTime(nanosecondsSinceEpoch: .min) }

    /// The authority declared her away until `until` (nil: the declaration is withdrawn, and
    /// "not back" counts from her departure again).
    mutating func declare(until: Timestamp?) {
        declaredUntil = until
        resetNotBack()
    }

    /// Where "not back" counts from: the declared return, or the departure.
    var notBackStart: Timestamp? { declaredUntil ?? awaySince?.time }

    /// A motion sensor or a door is in doubt (a PIR found silent, a line lost): the
    /// silence from now is not learned. Her afternoons in a room whose PIR is dead are
    /// silences it did not see; learned, they would be "usual" at that hour for weeks.
    mutating func doNotLearnSilence() { silenceNotLearned = true }

    /// Forgets what the policy learned from the day of `from` through the day of `through`
    /// (a sensor was blind meanwhile); the silence under way is judged by what is left.
    mutating func forgetLearned(from: WallTime, through: WallTime) {
        policy.forgetLearned(from: from, through: through)
        cached = nil
        cachedNotBack = nil   // fewer days remembered: "not back" may fall back to its fixed limit
    }

    /// `found`: the motion follows a door used while an alarm about her silence was out
    /// (someone coming in to her).
    mutating func motionStarted(_ sensor: SensorID, at time: Timestamp, found: Bool = false) {
        activeMotion += 1
        signOfLife(sensor, at: time, found: found)
    }

    mutating func motionEnded(_ sensor: SensorID, lastSeen: Timestamp) {
        activeMotion = max(0, activeMotion - 1)
        signOfLife(sensor, at: lastSeen)
    }

    mutating func motionDiscounted() {
        activeMotion = max(0, activeMotion - 1)
        cached = nil
    }

    /// Sets (or, with nil, withdraws) the evidence that shortens the limit. A new rise
    /// moves the deadline; the same rise with an updated percentage does not.
    mutating func aggravate(_ a: SilenceAggravation?) {
        let current = aggravation
        let same = a.map { $0.isSameRise(as: current) } ?? (current == nil)
        if !same { cached = nil }
        aggravation = a
    }

    /// The learned routine, for the store (nil with fixed limits).
    public var routineState: RoutineState? { policy.routineState }

    mutating func restoreRoutine(_ s: RoutineState) -> Bool {
        cached = nil
        cachedNotBack = nil
        return policy.restoreRoutine(s)
    }

    /// A cheap lower bound of `deadline`, for the per-event path.
    var lowerBound: MonotonicInstant {
        fired || activeMotion > 0 ? .never : lastSign.monotonic + (aggravation?.shortened(policyFloor) ?? policyFloor)
    }

    /// When the rule fires, given the current sign of life (`.never` while motion is seen).
    /// Aggravated, it fires when the shortened limit is reached, or at once when the
    /// evidence comes after that.
    mutating func deadline() -> MonotonicInstant {
        if fired || activeMotion > 0 { return .never }
        if let c = cached { return c }
        let t = policy.alarmTime(silenceSince: lastSign.wall, from: judgedBy)
        var d = lastSign.monotonic + (t.at - lastSign.wall)
        if let a = aggravation {
            d = min(d, max(lastSign.monotonic + a.shortened(t.limit), a.since.monotonic))
        }
        cachedIsNotUp = false
        if let up = policy.notUpTime(silenceSince: lastSign.wall) {
            let u = lastSign.monotonic + (up - lastSign.wall)
            if u < d, u >= lastSign.monotonic + policy.floor { d = u; cachedIsNotUp = true }
        }
        cached = d
        return d
    }

    mutating func expire(at now: Timestamp, presumedHome: Bool, ladder: inout AlarmLadder, into out: inout [Decision]) {
        guard deadline() <= now.monotonic else { return }
        let t = policy.alarmTime(silenceSince: lastSign.wall, from: judgedBy)
        fired = true
        guard presumedHome else { return }
        if raisedAt == nil { raisedAt = now.wall }   // restored: the alarm still open from before a restart
        let silence = now.monotonic - lastSign.monotonic
        if cachedIsNotUp {
            ladder.raise(.inactivityNotUp, .notUp(for: silence, lastSign: lastSignSensor), at: now, into: &out)
            return
        }
        if let a = aggravation {
            ladder.raise(.inactivity, .silenceWithVOCRise(for: silence, limit: a.shortened(t.limit), normalLimit: t.limit, atNight: t.atNight,
                                                          lastSign: lastSignSensor, rise: a.risePercent, voc: a.sensor),
                         at: now, into: &out)
        } else {
            ladder.raise(.inactivity, .silence(for: silence, limit: t.limit, atNight: t.atNight, lastSign: lastSignSensor), at: now, into: &out)
        }
    }

    /// When she is out later than her outings allow (`.never` while home, once raised, or
    /// when the policy has no such limit yet).
    @inline(__always) mutating func notBackDeadline() -> MonotonicInstant {
        guard let start = notBackStart, !notBackFired else { return .never }
        if let c = cachedNotBack { return c }
        let d = policy.notBackTime(awaySince: start.wall).map { start.monotonic + ($0.at - start.wall) } ?? .never
        cachedNotBack = d
        return d
    }

    /// Raises `inactivity.not-back` once per outing when its deadline has passed.
    mutating func expireNotBack(at now: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        guard let s = awaySince, let start = notBackStart, notBackDeadline() <= now.monotonic,
              let limit = policy.notBackTime(awaySince: start.wall)?.limit else { return }
        notBackFired = true
        // The silence alarm that went out before the door was used is still open (nobody was
        // seen moving since): that one the authority is already answering. Acknowledged, this
        // one counts again (`notBackMayCountAgain`).
        guard !ladder.hasSilenceAlarmOut() else { return }
        notBackRaised = true
        let away = now.monotonic - s.time.monotonic
        let reason: AlarmReason = declaredUntil.map { .notBackAfterDeclared(for: away, late: now.monotonic - $0.monotonic, limit: limit, lastSign: s.sensor) }
            ?? .notBack(for: away, limit: limit, lastSign: s.sensor)
        ladder.raise(.inactivityNotBack, reason, at: now, into: &out)
    }

    /// A "not back" held back beside an unacknowledged silence alarm counts again (that
    /// alarm was acknowledged).
    mutating func notBackMayCountAgain() {
        guard notBackFired, !notBackRaised else { return }
        resetNotBack()
    }

    /// A new outing, a declaration, a return: "not back" neither fired nor raised.
    mutating func resetNotBack() {
        notBackFired = false
        notBackRaised = false
        cachedNotBack = nil
    }

    /// The silence so far.
    public func silence(at now: MonotonicInstant) -> Span {
        activeMotion > 0 ? .zero : now - lastSign.monotonic
    }
}
