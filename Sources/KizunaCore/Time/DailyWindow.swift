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

    /// The first time `t >= since` at which `t - since` reaches the limit in force at `t`:
    /// `inside` while `t` is in the window, `outside` otherwise.
    ///
    /// Used by every rule with a day and a night limit: a silence that began at 21:00 with a
    /// 3 h day limit and a 9 h night limit (22:00–07:00) is judged by the night limit from
    /// 22:00 and by the day limit again at 07:00, when it is already 10 h long.
    public func firstTimeExceeding(since: WallTime, inside: Span, outside: Span) -> WallTime {
        var segmentStart = since
        for _ in 0..<64 {
            let limit = contains(segmentStart) ? inside : outside
            let segmentEnd = nextBoundary(after: segmentStart)
            let candidate = since + limit
            if candidate < segmentEnd { return max(candidate, segmentStart) }
            segmentStart = segmentEnd
        }
        return since + max(inside, outside)
    }
}
