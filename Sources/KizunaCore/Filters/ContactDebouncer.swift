/// Debounces a mechanical contact (reed switch, push button).
///
/// A level is reported only once the raw line has held it for `settle`; the report is
/// stamped with the time of the last raw edge, when the contact actually came to rest.
/// A burst of bounces therefore yields one change, and a burst that ends where it began
/// (a knock on the door) yields none.
public struct ContactDebouncer: Sendable {
    public var settle: Span
    /// The last level reported (nil until the first one settles or `prime` is called).
    public private(set) var stable: Bool?
    var pending: Bool = false
    var lastEdge: Timestamp = Timestamp(monotonic: .init(nanoseconds: 0), wall: .init(nanosecondsSinceEpoch: 0))
    /// When the pending level will have been stable long enough; `.never` when idle.
    public private(set) var deadline: MonotonicInstant = .never

    public init(settle: Span) { self.settle = settle }

    /// Sets the level read at start-up, without reporting a change.
    public mutating func prime(_ level: Bool) {
        stable = level
        pending = level
        deadline = .never
    }

    /// Takes another settle time (the configuration changed). A level still settling is
    /// judged by it, counted from its last raw edge.
    mutating func reconfigure(settle: Span) {
        self.settle = settle
        if deadline != .never { deadline = lastEdge.monotonic + settle }
    }

    /// A raw edge (after inversion).
    public mutating func input(_ level: Bool, at time: Timestamp) {
        pending = level
        lastEdge = time
        deadline = time.monotonic + settle
    }

    /// Called when `deadline` has passed; returns the new settled level and when it settled.
    public mutating func expire() -> (level: Bool, at: Timestamp)? {
        deadline = .never
        guard pending != stable else { return nil }
        stable = pending
        return (pending, lastEdge)
    }
}
