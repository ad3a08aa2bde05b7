/// A point on the boot clock (`CLOCK_BOOTTIME`), in nanoseconds.
///
/// Every duration the runtime measures (silence, door open, debounce) is a difference of
/// two monotonic instants, so that a wall-clock jump at boot (a Pi has no RTC and NTP may
/// move the clock by years) never fires or resets a timer.
public struct MonotonicInstant: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Far in the future: "no deadline".
    public static let never = MonotonicInstant(nanoseconds: .max)

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    @inlinable public static func + (a: Self, d: Span) -> Self {
        let (sum, overflow) = a.nanoseconds.addingReportingOverflow(d.nanoseconds)
        return Self(nanoseconds: overflow ? .max : sum)
    }

    @inlinable public static func - (a: Self, b: Self) -> Span { Span(nanoseconds: a.nanoseconds &- b.nanoseconds) }
    @inlinable public static func - (a: Self, d: Span) -> Self { Self(nanoseconds: a.nanoseconds &- d.nanoseconds) }
}
