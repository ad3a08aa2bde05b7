/// Turns a PIR output into motion episodes.
///
/// A PIR raises its output for a couple of seconds per trigger and retriggers while the
/// person moves. The filter reports `motionStarted` on the first rising edge and
/// `motionEnded` only once the output has stayed low for `hold`, stamped with the moment
/// the output fell (when motion was last seen). Retriggers inside `hold` merge into one
/// episode. It also remembers since when the raw output has been high without a break,
/// which the stuck-PIR rule reads.
public struct MotionFilter: Sendable {
    public var hold: Span
    public private(set) var active = false
    var rawHigh = false
    var fallTime = Timestamp(monotonic: .init(nanoseconds: 0), wall: .init(nanosecondsSinceEpoch: 0))
    /// When the raw output last went high (valid while `isRawHigh`).
    public private(set) var rawHighSince = Timestamp(monotonic: .init(nanoseconds: 0), wall: .init(nanosecondsSinceEpoch: 0))
    /// When a pending end is confirmed; `.never` when none is pending.
    public private(set) var deadline: MonotonicInstant = .never

    public init(hold: Span) { self.hold = hold }

    public var isRawHigh: Bool { rawHigh }

    public enum Output: Equatable, Sendable { case none, started, ended(at: Timestamp) }

    /// A raw edge (after inversion). Returns `.started` when a new episode begins.
    @inline(__always) public mutating func input(_ high: Bool, at time: Timestamp) -> Output {
        if high {
            if !rawHigh { rawHigh = true; rawHighSince = time }
            deadline = .never
            if !active { active = true; return .started }
            return .none
        } else {
            guard rawHigh else { return .none }
            rawHigh = false
            fallTime = time
            if active { deadline = time.monotonic + hold }
            return .none
        }
    }

    /// The output found high at start: held high from `time` (for the stuck-PIR rule), no
    /// episode (its fall ends nothing; its next rise starts one).
    mutating func primeHigh(at time: Timestamp) {
        rawHigh = true
        rawHighSince = time
    }

    /// Takes another hold time (the configuration changed). An end still pending is
    /// confirmed by it, counted from when the output fell.
    mutating func reconfigure(hold: Span) {
        self.hold = hold
        if deadline != .never { deadline = fallTime.monotonic + hold }
    }

    /// Called when `deadline` has passed; returns the end of the episode.
    public mutating func expire() -> Output {
        deadline = .never
        guard active, !rawHigh else { return .none }
        active = false
        return .ended(at: fallTime)
    }
}
