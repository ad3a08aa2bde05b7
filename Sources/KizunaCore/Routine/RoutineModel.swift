/// What the flat's own history says about silences, slot by slot of the day (issue 8).
///
/// For each of the last `memoryDays` days and each slot of the day (30 minutes), the model
/// keeps the longest silence at home that was under way during that slot: a silence from
/// 23:10 to 06:40 counts 20 min in the 23:00 slot, 50 min in the 23:30 slot, … 7.5 h in the
/// 06:30 slot. A silence is alarming when it is longer, by `margin` and `extra`, than every
/// silence the remembered days had within `window` of this time of day: "longer than she has
/// ever been quiet at this hour". A resident who is up and about by day has short silences by
/// day, so a collapse at 10:00 is found within the hour or two her days allow; a sleeper
/// is not woken by a night silence the model has seen many times.
///
/// Why not a probability model: a hazard per slot (the first version, EVALUATION.md) treats
/// every 30 minutes of silence alike, while real silences are short by day and long at
/// night in a way a per-slot rate cannot express without either crying wolf at night or
/// waiting half a day by day. "Longer than ever at this hour" is also a reason the care
/// staff can check against what they know of the resident.
///
/// Silences that include an absence (the occupancy read `away`) are not learned (the
/// inactivity rule does not pass them), nor gaps longer than `unknownGap`. Fixed-size
/// arrays: nothing is allocated on the per-event path.
public struct RoutineModel: Sendable, Equatable {
    public let settings: RoutineSettings
    public let offset: UTCOffset
    let slotNs: Int64
    let perDay: Int
    let memory: Int
    /// Longest silence under way, seconds, by remembered day (row: local day modulo `memory`)
    /// and slot of the day.
    public internal(set) var longest: [Double]
    /// The local day number each row holds (`.min`: none).
    var rowDay: [Int64]
    /// The longest silence within `window` (`reach` slots) of each slot of the day over the
    /// remembered days, kept up to date by `learn`: the limit is asked at every silence,
    /// learning happens at most once a slot.
    var windowed: [Double]
    let reach: Int
    /// Wall seconds of the first sign of life learned from (0: none yet).
    public internal(set) var firstSeconds: Int64 = 0
    /// Usual minute of the local day of the first sign of life in the wake window.
    public internal(set) var wakeMinutes: Double = 0
    public internal(set) var wakeDays: Int = 0
    var lastWakeDay: Int64 = .min
    /// How long the resident's outings last ("not back"); nil when that rule is off.
    public internal(set) var absences: AbsenceMemory?

    public init(settings: RoutineSettings, offset: UTCOffset) {
        self.settings = settings
        self.offset = offset
        let minutes = max(1, min(1440, settings.slotMinutes))
        slotNs = Int64(minutes) * 60_000_000_000
        perDay = 1440 / minutes
        memory = max(1, settings.memoryDays)
        longest = Array(repeating: 0, count: memory * perDay)
        rowDay = Array(repeating: .min, count: memory)
        windowed = Array(repeating: 0, count: perDay)
        reach = Int(settings.window.nanoseconds / slotNs)
        absences = settings.notBack.map(AbsenceMemory.init)
    }

    static let dayNs: Int64 = 86_400_000_000_000

    @inline(__always) func localNs(_ w: WallTime) -> Int64 { w.nanosecondsSinceEpoch + offset.seconds * 1_000_000_000 }
    /// Absolute local slot number.
    @inline(__always) func slot(_ w: WallTime) -> Int64 { CivilTime.floorDiv(localNs(w), slotNs) }
    /// The wall time at which local slot `a` begins.
    @inline(__always) func start(ofSlot a: Int64) -> WallTime {
        WallTime(nanosecondsSinceEpoch: a * slotNs - offset.seconds * 1_000_000_000)
    }
    @inline(__always) func slotOfDay(_ a: Int64) -> Int { Self.modulo(a, perDay) }

    /// `a` modulo `n` in `0..<n`, negative `a` included, with one division (none when `a` is
    /// already in range).
    @inline(__always) static func modulo(_ a: Int64, _ n: Int) -> Int {
        if a >= 0, a < Int64(n) { return Int(a) }
        let r = Int(a % Int64(n))
        return r < 0 ? r + n : r
    }

    /// The end of the slot containing `w`: the next moment a sign of life can teach anything.
    public func slotEnd(_ w: WallTime) -> WallTime { start(ofSlot: slot(w) + 1) }

    /// Whether enough history exists (`minHistoryDays`) at `w` to judge by the routine.
    public func isReady(at w: WallTime) -> Bool {
        firstSeconds != 0 && w.nanosecondsSinceEpoch / 1_000_000_000 - firstSeconds >= Int64(settings.minHistoryDays) * 86_400
    }

    /// Slot of the day `i`, wrapped around midnight.
    @inline(__always) func wrapped(_ i: Int) -> Int { Self.modulo(Int64(i), perDay) }

    /// The longest silence the remembered days had under way in slot-of-the-day `i` (0 when
    /// none was learned).
    public func longestSilence(slotOfDay i: Int) -> Span {
        var m = 0.0
        for r in 0..<memory where rowDay[r] != .min { m = max(m, longest[r * perDay + i]) }
        return .seconds(Int64(m))
    }

    /// The silence that becomes alarming during slot-of-the-day `i`: the longest remembered
    /// within `window` either side, plus the margin.
    public func limit(slotOfDay i: Int) -> Span {
        .seconds(Int64((windowed[i] * (1 + settings.margin)).rounded(.up))) + settings.extra
    }

    /// Recomputes `windowed` from the remembered days (after a day is forgotten, or a restore).
    @inline(never) mutating func rebuildWindowed() {
        // Once a day at most, on the per-event path: on the stack, without a branch or a
        // division in the loops (28 days of 48 slots each time).
        let (perDay, memory, reach) = (perDay, memory, reach)
        windowed.withUnsafeMutableBufferPointer { windowed in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: perDay) { column in
                column.initialize(repeating: 0)
                longest.withUnsafeBufferPointer { longest in
                    for r in 0..<memory where rowDay[r] != .min {
                        let row = longest.baseAddress! + r * perDay
                        for i in 0..<perDay {
                            let v = row[i], c = column[i]
                            column[i] = v > c ? v : c
                        }
                    }
                }
                for i in 0..<perDay {
                    var m = 0.0
                    for k in -reach...reach {
                        let j = Self.modulo(Int64(i + k), perDay)
                        if column[j] > m { m = column[j] }
                    }
                    windowed[i] = m
                }
            }
        }
    }

    /// Learns from a sign of life at `t` after the previous one at `previous`.
    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime) {
        let secs = t.nanosecondsSinceEpoch / 1_000_000_000
        if firstSeconds == 0 { firstSeconds = max(1, secs) }
        learnWake(t, previous: previous)
        guard t > previous, t - previous <= settings.unknownGap else { return }
        // Every slot the silence overlapped: how long it had lasted by the end of its overlap.
        var forgot = false
        defer { if forgot { rebuildWindowed() } }
        var a = slot(previous)
        while start(ofSlot: a) < t {
            let end = min(t, start(ofSlot: a + 1))
            let day = CivilTime.floorDiv(a * slotNs, Self.dayNs)
            let r = Self.modulo(day, memory)
            if rowDay[r] != day {
                if rowDay[r] != .min && rowDay[r] > day { a += 1; continue }   // older than memory
                forgot = forgot || rowDay[r] != .min
                rowDay[r] = day
                for i in 0..<perDay { longest[r * perDay + i] = 0 }
            }
            let i = slotOfDay(a)
            let length = (end - previous).seconds
            if length > longest[r * perDay + i] {
                longest[r * perDay + i] = length
                for k in -reach...reach { windowed[wrapped(i + k)] = max(windowed[wrapped(i + k)], length) }
            }
            a += 1
        }
    }

    mutating func learnWake(_ t: WallTime, previous: WallTime) {
        let local = localNs(t)
        let day = CivilTime.floorDiv(local, Self.dayNs)
        guard day != lastWakeDay else { return }
        let minute = Int((local - day * Self.dayNs) / 60_000_000_000)
        guard minute >= settings.wakeWindowStart.minutes, minute < settings.wakeWindowEnd.minutes else { return }
        let windowStart = WallTime(nanosecondsSinceEpoch: day * Self.dayNs + Int64(settings.wakeWindowStart.minutes) * 60_000_000_000
                                   - offset.seconds * 1_000_000_000)
        lastWakeDay = day
        guard previous < windowStart else { return }   // already up (a sign earlier in the window)
        wakeMinutes = wakeDays == 0 ? Double(minute) : wakeMinutes + 0.3 * (Double(minute) - wakeMinutes)
        wakeDays += 1
    }

    /// The first moment the silence that began at `since` is longer than the remembered days
    /// allow at that time of day; never before `floor`, always by `ceiling`.
    public func improbableSilence(since: WallTime) -> WallTime {
        let end = since + settings.ceiling
        var t = since + settings.floor
        while t < end {
            let a = slot(t)
            let at = since + limit(slotOfDay: slotOfDay(a))
            let slotEnd = start(ofSlot: a + 1)
            if at < slotEnd { return min(max(at, t), end) }
            t = slotEnd
        }
        return end
    }

    /// When the resident, out since `since`, is not back later than her outings allow; the
    /// fixed fallback until the routine is ready and enough outings are remembered; nil when
    /// "not back" is off.
    public func notBackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)? {
        guard let absences else { return nil }
        if isReady(at: since), let learned = absences.notBackTime(awaySince: since) { return learned }
        return absences.fallbackTime(awaySince: since)
    }

    /// Remembers an outing from `start` (the last sign before she left) to her return at `end`.
    public mutating func learnAbsence(from start: WallTime, to end: WallTime) {
        absences?.learn(from: start, to: end)
    }

    /// When the resident, silent since `since`, is late getting up: the usual first sign of
    /// life of the morning plus the margin, on the first morning whose window starts after
    /// `since`. Nil until three mornings were seen.
    public func notUpTime(silenceSince since: WallTime) -> WallTime? {
        guard wakeDays >= 3 else { return nil }
        let local = localNs(since)
        var day = CivilTime.floorDiv(local, Self.dayNs)
        let windowStartNs = Int64(settings.wakeWindowStart.minutes) * 60_000_000_000
        if local - day * Self.dayNs >= windowStartNs { day += 1 }
        let due = day * Self.dayNs + Int64(wakeMinutes * 60e9) + settings.notUpMargin.nanoseconds
        return WallTime(nanosecondsSinceEpoch: due - offset.seconds * 1_000_000_000)
    }
}
