/// How long the resident stays out, for "not back" (`inactivity.not-back`, issue 8).
///
/// A resident who goes out and does not come back (a fall in the street, lost) leaves the
/// flat `away` and silent: the silence rule cannot speak for her, since an empty flat is
/// quiet by right. This remembers, for each of the last `memoryDays` days, the longest
/// absence that began that day and how many there were; once `minAbsences` are remembered,
/// an absence is alarming when it is longer than every remembered one by `margin` and
/// `extra`, and never before `floor`. Until then (a new installation, the weeks after a long
/// outage) an absence is alarming after the fixed `fallback` (24 h): a resident who went out
/// and never came back is found the next day, not never; an evening out or a night at a
/// daughter's is not called for.
///
/// Why not by time of day, as silences are: outings are few (a handful a week), so a
/// per-hour envelope has seen almost nothing at most hours and cries wolf at an outing at a
/// new hour (estimated offline on NEARS 0104: 6 alarms in 198 days at +25 % + 1 h ±1 h; this
/// rule raises none there, nor on CASAS AL; EVALUATION.md). "Longer than any outing of the
/// last three months" is also what the care staff can check against what they know.
///
/// A resident away for a week raises one alarm (acknowledged, it stays quiet until she is
/// back). Such a trip is not learned: an absence longer than `longestOuting` (24 h) is not an
/// outing, and remembering it would make every outing of the next three months wait days
/// for its alarm (a fall in the street found a week late). The limit is therefore never
/// more than `longestOuting` × (1 + `margin`) + `extra` (31 h by default).
public struct AbsenceMemory: Sendable, Equatable {
    public let settings: AbsenceSettings
    /// Longest absence, seconds, begun on the remembered day in this row (day modulo memory).
    var longest: [Double]
    /// Absences begun on the day in this row.
    var count: [Double]
    /// The day number (UTC days since the epoch) each row holds (`.min`: none).
    var rowDay: [Int64]

    public init(settings: AbsenceSettings) {
        self.settings = settings
        let m = max(1, settings.memoryDays)
        longest = Array(repeating: 0, count: m)
        count = Array(repeating: 0, count: m)
        rowDay = Array(repeating: .min, count: m)
    }

    @inline(__always) static func day(_ w: WallTime) -> Int64 { CivilTime.floorDiv(w.nanosecondsSinceEpoch, RoutineModel.dayNs) }

    /// Remembers an absence from `start` (the last sign before she left) to `end` (her return),
    /// unless it lasted longer than `longestOuting` (a trip).
    public mutating func learn(from start: WallTime, to end: WallTime) {
        guard end > start, end - start <= settings.longestOuting else { return }
        let day = Self.day(start)
        let r = Int((day % Int64(rowDay.count) + Int64(rowDay.count)) % Int64(rowDay.count))
        if rowDay[r] != day {
            guard rowDay[r] == .min || rowDay[r] < day else { return }   // older than memory
            rowDay[r] = day
            longest[r] = 0
            count[r] = 0
        }
        longest[r] = max(longest[r], (end - start).seconds)
        count[r] += 1
    }

    /// The wall clock was seen stepping back to `now` (`RoutineModel.clockSetBack`): outings
    /// remembered on days ahead of today are dated back into their row's latest day at or
    /// before today. Hers all the same, they still count, and age out as any other.
    mutating func clockSetBack(to now: WallTime) {
        let today = Self.day(now), n = Int64(rowDay.count)
        for r in rowDay.indices where rowDay[r] != .min && rowDay[r] > today {
            rowDay[r] = today - ((today - Int64(r)) % n + n) % n
        }
    }

    /// The absences remembered on the days up to `memoryDays` before `at`: how many, and the longest.
    func remembered(at: WallTime) -> (count: Int, longest: Double) {
        let today = Self.day(at)
        var n = 0.0, m = 0.0
        for r in rowDay.indices where rowDay[r] != .min && rowDay[r] <= today && today - rowDay[r] < Int64(rowDay.count) {
            n += count[r]
            m = max(m, longest[r])
        }
        return (Int(n), m)
    }

    /// When an absence that began at `since` is longer than the remembered ones allow, and
    /// that limit; nil while fewer than `minAbsences` are remembered.
    public func notBackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)? {
        let r = remembered(at: since)
        guard r.count >= settings.minAbsences, r.count > 0 else { return nil }
        let limit = max(settings.floor, .seconds(Int64((r.longest * (1 + settings.margin)).rounded(.up))) + settings.extra)
        return (since + limit, limit)
    }

    /// The fixed limit in force until the outings (and the routine) can judge: `fallback`,
    /// never before `floor`; nil when `fallback` is off.
    public func fallbackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)? {
        guard let f = settings.fallback else { return nil }
        let limit = max(settings.floor, f)
        return (since + limit, limit)
    }
}

/// The "not back" rule's settings (`rules: routine: not_back:` in the config).
public struct AbsenceSettings: Sendable, Equatable {
    /// Never alarm on an absence shorter than this.
    public var floor: Span = .hours(4)
    /// How much longer than the longest remembered absence: 0.25 is a quarter longer.
    public var margin: Double = 0.25
    /// And by this much more.
    public var extra: Span = .hours(1)
    /// How many days of absences are remembered.
    public var memoryDays: Int = 90
    /// How many absences must be remembered before the rule judges by them.
    public var minAbsences: Int = 10
    /// The limit until then (nil: none, the rule is silent until it can judge).
    public var fallback: Span? = .hours(24)
    /// An absence longer than this is a trip, not an outing: it is not learned.
    public var longestOuting: Span = .hours(24)
    public init() {}
}
