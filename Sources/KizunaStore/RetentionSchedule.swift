import KizunaCore

/// When the store's retention pass runs, and whether the wall clock it counts ages from can be
/// trusted then.
///
/// Retention deletes what is older than the last event stored minus the retention: a clock
/// that runs ahead (an RTC a year wrong at the boot, a time set by hand with the wrong year)
/// would make one pass delete all the flat's history. The schedule keeps to the monotonic
/// clock: the first pass runs an hour after the start (NTP usually sets a wrong clock within
/// a minute of the boot), then one an hour; and a pass whose last stored event jumped ahead
/// of the previous pass's by more than the time between them (plus an hour) is put off an
/// hour, so a wrong clock corrected meanwhile deletes nothing. A clock that stays wrong for
/// longer than that cannot be told from the truth by the store; so a pass never moves a cutoff
/// past the oldest row kept by more than a day for each hour since the last pass, and a day
/// (`cutoff`). Steady, that is the retention. A clock a year ahead and left wrong loses a day
/// of history an hour: two days to notice before a 30-day history is gone, not one pass. A
/// retention shortened by the authority (less kept about her), or a backlog after the device
/// was off, is caught up a day an hour.
struct RetentionSchedule {
    static let hourNs: UInt64 = 3_600_000_000_000
    var lastPass: UInt64
    var lastReference: (wall: WallTime, at: UInt64)?

    /// `start`: the monotonic time (ns) the writer started.
    init(start: UInt64) { lastPass = start }

    /// Whether a pass is due at `now` (monotonic ns).
    func due(at now: UInt64) -> Bool { now &- lastPass >= Self.hourNs }

    /// Whether a pass may count ages from `reference` (the wall time of the last event stored)
    /// at `now`. False: the clock jumped ahead since the previous pass; the pass is put off an
    /// hour and the new reference is taken as the one to compare with then.
    mutating func mayCount(from reference: WallTime, at now: UInt64) -> Bool {
        defer { lastReference = (reference, now) }
        guard let last = lastReference else { return true }
        let elapsed = Span(nanoseconds: Int64(min(now &- last.at, UInt64(Int64.max) - Self.hourNs)) + Int64(Self.hourNs))
        guard reference - last.wall > elapsed else { return true }
        lastPass = now
        return false
    }

    /// The cutoff a pass at `now` may use: `wanted` (the reference minus the retention), but no
    /// further past `oldest` (the oldest row kept; nil: none) than a day for each hour since the
    /// last pass, and a day.
    func cutoff(wanted: WallTime, oldest: WallTime?, at now: UInt64) -> WallTime {
        guard let oldest else { return wanted }
        let hours = min(now &- lastPass, UInt64(Int64.max / 48)) / Self.hourNs + 1
        return min(wanted, oldest + .days(Int64(min(hours, 1_000_000))))
    }

    /// A pass ran (or had nothing to count from) at `now`.
    mutating func passed(at now: UInt64) { lastPass = now }
}
