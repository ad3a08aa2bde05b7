/// A measured quantity judged against up to three ordered thresholds, with hysteresis and
/// minimum durations so that a value hovering around a threshold never flaps.
///
/// Level `k` (1…`count`) is **entered** once every reading for `enterAfter` has met its
/// threshold (rising: at or above it; falling: below it), and **left** once every reading for
/// `leaveAfter` has been past it by the hysteresis (rising: below `threshold − hysteresis`;
/// falling: at or above `threshold + hysteresis`). In between the level holds. A duration
/// runs from the first reading of an unbroken run; one reading on the other side starts it
/// again. A value is taken to hold until the next reading, so the change happens exactly
/// when the duration completes (a timer), not at the next reading; a reading at that very
/// instant comes after it. Levels may be skipped (a sudden jump into danger).
///
/// Fixed storage, updated in place: no allocation.
struct BandTracker: Sendable {
    enum Direction: Sendable { case rising, falling }

    let direction: Direction
    /// How many levels (1…3).
    let count: Int
    private(set) var thresholds: Levels<Double>
    private(set) var hysteresis: Double
    private(set) var enterAfter: Span
    private(set) var leaveAfter: Span

    /// 0: no level; otherwise the level held.
    private(set) var level = 0
    /// Start of the current run of readings meeting level k's entry (`.never`: none).
    private(set) var enterRun = Levels<MonotonicInstant>(.never)
    /// Start of the current run of readings meeting level k's exit (`.never`: none).
    private(set) var leaveRun = Levels<MonotonicInstant>(.never)
    /// When the run that led to the current level began (its entry or, after falling, its exit).
    private(set) var changeRunStart = MonotonicInstant.never
    /// The last reading taken (NaN: none since start or since `reset`).
    private(set) var value = Double.nan

    init(_ direction: Direction, thresholds: Levels<Double>, count: Int, hysteresis: Double, enterAfter: Span, leaveAfter: Span) {
        precondition((1...3).contains(count), "a band tracker has one to three levels")
        self.direction = direction
        self.thresholds = thresholds
        self.count = count
        self.hysteresis = hysteresis
        self.enterAfter = enterAfter
        self.leaveAfter = leaveAfter
    }

    func threshold(_ k: Int) -> Double { thresholds[k] }

    /// The bound a reading must pass for level `k` to be left.
    func exitBound(_ k: Int) -> Double {
        direction == .rising ? thresholds[k] - hysteresis : thresholds[k] + hysteresis
    }

    mutating func input(_ v: Double, at t: MonotonicInstant) {
        value = v
        var k = 1
        while k <= count {
            let th = thresholds[k]
            let enters = direction == .rising ? v >= th : v < th
            let leaves = direction == .rising ? v < th - hysteresis : v >= th + hysteresis
            if !enters { enterRun[k] = .never } else if enterRun[k] == .never { enterRun[k] = t }
            if !leaves { leaveRun[k] = .never } else if leaveRun[k] == .never { leaveRun[k] = t }
            k += 1
        }
    }

    /// When the level next changes if the readings go on as they are (`.never`: not by itself).
    /// Entry runs of higher levels start no earlier than the next level's, and exit runs of
    /// lower levels no earlier than the current one's, so only these two can be first.
    var deadline: MonotonicInstant {
        var d = MonotonicInstant.never
        if level < count, enterRun[level + 1] != .never { d = enterRun[level + 1] + enterAfter }
        if level > 0, leaveRun[level] != .never { d = min(d, leaveRun[level] + leaveAfter) }
        return d
    }

    /// Moves to the level the runs complete by `now`; returns the change, if any.
    mutating func expire(at now: MonotonicInstant) -> (from: Int, to: Int)? {
        let from = level
        var l = level
        while l < count, enterRun[l + 1] != .never, enterRun[l + 1] + enterAfter <= now { l += 1 }
        if l == from {
            while l > 0, leaveRun[l] != .never, leaveRun[l] + leaveAfter <= now { l -= 1 }
        }
        guard l != from else { return nil }
        changeRunStart = l > from ? enterRun[l] : leaveRun[from]
        level = l
        return (from, l)
    }

    /// Forgets the runs (the sensor failed, or what it measures changed): the level holds
    /// until fresh readings decide.
    mutating func reset() {
        enterRun = Levels<MonotonicInstant>(.never)
        leaveRun = Levels<MonotonicInstant>(.never)
        value = .nan
    }

    /// Keeps level `k` from being left on the readings so far: the run out of it restarts
    /// (the quantity read cannot tell whether it is left).
    mutating func hold(level k: Int) {
        leaveRun[k] = .never
    }

    /// Judges against other thresholds from now on (a room's humidity reading came or went).
    mutating func retarget(_ thresholds: Levels<Double>) {
        self.thresholds = thresholds
        reset()
    }

    /// Takes other thresholds, hysteresis and durations (the configuration changed). The
    /// level holds. With the same thresholds and hysteresis the runs stay (only how long
    /// they must last changed, so the deadline moves with it); otherwise the runs were
    /// measured against other bounds and restart at `t` from the last reading (taken to
    /// hold until the next one), as after `retarget`.
    mutating func reconfigure(thresholds: Levels<Double>, hysteresis: Double, enterAfter: Span, leaveAfter: Span, at t: MonotonicInstant) {
        self.enterAfter = enterAfter
        self.leaveAfter = leaveAfter
        guard thresholds != self.thresholds || hysteresis != self.hysteresis else { return }
        self.thresholds = thresholds
        self.hysteresis = hysteresis
        let last = value
        reset()
        if last.isFinite { input(last, at: t) }
    }

    /// Puts the tracker at a level without a run (restart recovery: an alarm was open).
    mutating func force(level l: Int, since: MonotonicInstant) {
        level = max(0, min(count, l))
        changeRunStart = since
    }
}

/// Three values indexed by level 1…3, stored inline.
struct Levels<T: Sendable>: Sendable {
    var first: T, second: T, third: T

    init(_ value: T) { first = value; second = value; third = value }
    init(_ a: T, _ b: T, _ c: T) { first = a; second = b; third = c }

    subscript(level: Int) -> T {
        get {
            switch level {
            case 1: first
            case 2: second
            default: third
            }
        }
        set {
            switch level {
            case 1: first = newValue
            case 2: second = newValue
            default: third = newValue
            }
        }
    }
}

extension Levels: Equatable where T: Equatable {
    static func == (a: Self, b: Self) -> Bool { a.first == b.first && a.second == b.second && a.third == b.third }
}
