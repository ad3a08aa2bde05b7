/// A UTC wall-clock time in nanoseconds since the Unix epoch.
///
/// Carried by every event for the record and for the authority; never used to measure a
/// duration (see `MonotonicInstant`).
public struct WallTime: Hashable, Comparable, Sendable {
    public var nanosecondsSinceEpoch: Int64

    @inlinable public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }
    public init(secondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000 }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    @inlinable public static func + (a: Self, d: Span) -> Self { Self(nanosecondsSinceEpoch: a.nanosecondsSinceEpoch &+ d.nanoseconds) }
    @inlinable public static func - (a: Self, b: Self) -> Span { Span(nanoseconds: a.nanosecondsSinceEpoch &- b.nanosecondsSinceEpoch) }
}

/// The two clocks read at one moment. Every event carries both.
public struct Timestamp: Hashable, Sendable {
    public var monotonic: MonotonicInstant
    public var wall: WallTime

    @inlinable public init(monotonic: MonotonicInstant, wall: WallTime) {
        self.monotonic = monotonic
        self.wall = wall
    }

    /// The timestamp of a later monotonic instant, assuming the wall clock ran with it.
    @inlinable public func advanced(to instant: MonotonicInstant) -> Timestamp {
        Timestamp(monotonic: instant, wall: wall + (instant - monotonic))
    }

    @inlinable public func advanced(by span: Span) -> Timestamp {
        Timestamp(monotonic: monotonic + span, wall: wall + span)
    }
}
