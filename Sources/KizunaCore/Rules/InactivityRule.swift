/// No sign of life while the resident is presumed home.
///
/// Silence starts at the last sign of life: the start or the end of motion, a door event, a
/// button press. While a (not stuck) PIR still sees motion there is no silence at all.
/// When the silence reaches the limit of the `policy` the rule raises an `inactivity`
/// alarm once; the next sign of life re-arms it.
public struct InactivityRule: Sendable {
    public var policy: any SilencePolicy
    public private(set) var lastSign: Timestamp
    public private(set) var lastSignSensor: SensorID = .none
    var activeMotion = 0
    var fired = false
    var cached: MonotonicInstant?

    public init(policy: any SilencePolicy, start: Timestamp) {
        self.policy = policy
        self.lastSign = start
    }

    /// Restores the last sign of life after a restart: a silence that began before the
    /// reboot goes on counting from when it began.
    public mutating func restore(lastSign: Timestamp, sensor: SensorID) {
        self.lastSign = lastSign
        self.lastSignSensor = sensor
        cached = nil
    }

    mutating func signOfLife(_ sensor: SensorID, at time: Timestamp) {
        if time.monotonic >= lastSign.monotonic {
            lastSign = time
            lastSignSensor = sensor
        }
        fired = false
        cached = nil
    }

    mutating func motionStarted(_ sensor: SensorID, at time: Timestamp) {
        activeMotion += 1
        signOfLife(sensor, at: time)
    }

    mutating func motionEnded(_ sensor: SensorID, lastSeen: Timestamp) {
        activeMotion = max(0, activeMotion - 1)
        signOfLife(sensor, at: lastSeen)
    }

    mutating func motionDiscounted() {
        activeMotion = max(0, activeMotion - 1)
        cached = nil
    }

    /// A cheap lower bound of `deadline`, for the per-event path.
    var lowerBound: MonotonicInstant {
        fired || activeMotion > 0 ? .never : lastSign.monotonic + policy.floor
    }

    /// When the rule fires, given the current sign of life (`.never` while motion is seen).
    mutating func deadline() -> MonotonicInstant {
        if fired || activeMotion > 0 { return .never }
        if let c = cached { return c }
        let t = policy.alarmTime(silenceSince: lastSign.wall)
        let d = lastSign.monotonic + (t.at - lastSign.wall)
        cached = d
        return d
    }

    mutating func expire(at now: Timestamp, presumedHome: Bool, ladder: inout AlarmLadder, into out: inout [Decision]) {
        guard deadline() <= now.monotonic else { return }
        let t = policy.alarmTime(silenceSince: lastSign.wall)
        fired = true
        guard presumedHome else { return }
        let silence = now.monotonic - lastSign.monotonic
        ladder.raise(.inactivity, .silence(for: silence, limit: t.limit, atNight: t.atNight, lastSign: lastSignSensor), at: now, into: &out)
    }

    /// The silence so far.
    public func silence(at now: MonotonicInstant) -> Span {
        activeMotion > 0 ? .zero : now - lastSign.monotonic
    }
}
