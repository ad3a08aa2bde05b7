/// A span of the local day that repeats every day, such as the night `22:00`–`07:00`.
/// A window whose start is after its end wraps over midnight.
public struct DailyWindow: Hashable, Sendable, CustomStringConvertible {
    public var start: TimeOfDay
    public var end: TimeOfDay
    public var offset: UTCOffset

    public init(start: TimeOfDay, end: TimeOfDay, offset: UTCOffset) {
        self.start = start
        self.end = end
        self.offset = offset
    }

    public var description: String { "\(start)–\(end)" }

    static let minuteNs: Int64 = 60_000_000_000
    static let dayNs: Int64 = 86_400_000_000_000

    /// Whether `wall` falls inside the window.
    public func contains(_ wall: WallTime) -> Bool {
        if start == end { return false }
        let m = CivilTime.nanosecondsIntoLocalDay(wall, offset: offset)
        let s = Int64(start.minutes) * Self.minuteNs, e = Int64(end.minutes) * Self.minuteNs
        return s < e ? (m >= s && m < e) : (m >= s || m < e)
    }

    /// The first window boundary strictly after `wall`.
    public func nextBoundary(after wall: WallTime) -> WallTime {
        if start == end { return WallTime(nanosecondsSinceEpoch: .max) }
        let m = CivilTime.nanosecondsIntoLocalDay(wall, offset: offset)
        let midnight = wall.nanosecondsSinceEpoch - m
        let s = Int64(start.minutes) * Self.minuteNs, e = Int64(end.minutes) * Self.minuteNs
        var best = Int64.max
        for b in [s, e, s + Self.dayNs, e + Self.dayNs] where b > m { best = min(best, b) }
        return WallTime(nanosecondsSinceEpoch: midnight + best)
    }

    /// How a limit is chosen while a duration runs across window boundaries.
    public enum Crossing: Sendable {
        /// The limit in force at each moment applies ("stricter at night" for a door).
        case current
        /// The most lenient limit of every period the duration has run through applies: a
        /// silence that began in the night keeps the night limit into the morning, so a
        /// resident who sleeps in is not called for at the first minute of the day.
        case mostLenient
    }

    /// The first time `t >= since` at which `t - since` reaches the limit: `inside` while
    /// in the window, `outside` otherwise, combined across boundaries as `crossing` says.
    /// Returns that time, the limit that applied, and whether it was the window's.
    public func firstTimeExceeding(since: WallTime, inside: Span, outside: Span, crossing: Crossing = .current)
        -> (at: WallTime, limit: Span, inWindow: Bool)
    {
        var segmentStart = since
        var limit: Span?
        var inWindow = false
        for _ in 0..<64 {
            let here = contains(segmentStart)
            let segmentLimit = here ? inside : outside
            if crossing == .current || limit == nil || segmentLimit > limit! {
                limit = segmentLimit
                inWindow = here
            }
            let segmentEnd = nextBoundary(after: segmentStart)
            let candidate = since + limit!
            if candidate < segmentEnd { return (max(candidate, segmentStart), limit!, inWindow) }
            segmentStart = segmentEnd
        }
        let longest = max(inside, outside)
        return (since + longest, longest, longest == inside)
    }
}
