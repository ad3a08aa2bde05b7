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
/// Where a silence began counts (`RoutineSettings.restRooms`): the model keeps the longest
/// silences of two kinds (`places`), those that began with a sign of life in bed (1) and
/// the others (0). One that began in bed may be as long as any; one that began elsewhere,
/// at an hour when some slot within `window` had such a silence under way on `upShare` of
/// the remembered days, only as long as those, with an allowance of its own (`upMargin`,
/// `upExtra`: her days out of bed vary less than her nights): a nap in bed at 13:00 does not
/// make a silence after the kitchen at 12:10 usual. At other hours (the night: she is seldom up then, and
/// too few such silences were seen to judge by) all silences judge, except for a silence
/// that began out of bed at an hour she is up: it is judged by its own kind all the way
/// (`improbableSilence`: she did not go to bed).
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
    /// How many kinds of silence are told apart: 1, or 2 when `restRooms` are set (a silence
    /// that began in a place of rest, the bed, against one that began anywhere else).
    public let places: Int
    /// By place and slot of the day: the longest silence of the remembered days (`windowed`
    /// before the window), kept so that forgetting a day rescans only the slots it held the
    /// longest of.
    var column: [Double]
    /// By place and slot of the day: on how many remembered days a silence of that place was
    /// under way in the slot.
    var daysWith: [Int32]
    /// `daysWith` of the silences out of bed, the most within `window` of each slot.
    var upWindowed: [Int32]
    /// How many days are remembered, and how many of them `upWindowed` must reach for the
    /// silences out of bed to judge alone (`upShare`).
    var remembered: Int32 = 0
    var upNeeded: Int32 = 0
    /// Wall seconds of the first sign of life learned from (0: none yet).
    public internal(set) var firstSeconds: Int64 = 0
    /// Usual minute of the local day of the first sign of life in the wake window.
    public internal(set) var wakeMinutes: Double = 0
    public internal(set) var wakeDays: Int = 0
    /// The same by day of the week (the local day number modulo 7): a resident up at 06:30
    /// on weekdays and at 09:00 on Sundays is not late every Sunday at 08:36.
    public internal(set) var wakeByWeekday = [Double](repeating: 0, count: 7)
    public internal(set) var wakeDaysByWeekday = [Int](repeating: 0, count: 7)
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
        places = settings.restRooms.isEmpty ? 1 : 2
        longest = Array(repeating: 0, count: places * memory * perDay)
        rowDay = Array(repeating: .min, count: memory)
        windowed = Array(repeating: 0, count: places * perDay)
        column = Array(repeating: 0, count: places * perDay)
        daysWith = Array(repeating: 0, count: places * perDay)
        upWindowed = Array(repeating: 0, count: perDay)
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

    /// Whether enough history exists (`minHistoryDays`) at `w` to judge by the routine: that
    /// many days since the first sign learned, and that many days learned. Time alone is not
    /// history: a walk test at the installation, then ten days with nobody home (she moves in
    /// later, a stay in hospital, the device unplugged), and one night learned would judge
    /// her sleep by an empty night (an alarm an hour after she went to bed).
    public func isReady(at w: WallTime) -> Bool {
        firstSeconds != 0 && w.nanosecondsSinceEpoch / 1_000_000_000 - firstSeconds >= Int64(settings.minHistoryDays) * 86_400
            && remembered >= Int32(settings.minHistoryDays)
    }

    /// The wall clock was seen stepping back to `now` (NTP, or a technician, correcting a
    /// clock that ran ahead: an RTC a year wrong). The days learned "in the future" are her
    /// days dated wrong: each row ahead of today is dated back to the latest day at or before
    /// today that falls in the same row, so it still judges, ages out as any other, and is
    /// taken over by her real days as they come. Left dated ahead, it refused every real day
    /// of its row as "older than memory" until the clock caught up with it (a year ahead: a
    /// year without learning); and a first sign ahead of now kept the routine from judging.
    /// Only a step seen: a clock found far behind at a boot (no RTC, no network) may be the
    /// wrong one, and is not allowed to date her history.
    public mutating func clockSetBack(to now: WallTime) {
        let today = CivilTime.floorDiv(localNs(now), Self.dayNs)
        for r in 0..<memory where rowDay[r] != .min && rowDay[r] > today {
            rowDay[r] = today - Int64(Self.modulo(today - Int64(r), memory))
        }
        let secs = now.nanosecondsSinceEpoch / 1_000_000_000
        // Her history is the days remembered (a step of minutes at the installation adds none).
        if firstSeconds > secs { firstSeconds = max(1, secs - Int64(max(0, remembered - 1)) * 86_400) }
        if lastWakeDay > today { lastWakeDay = .min }
        absences?.clockSetBack(to: now)
    }

    /// Slot of the day `i`, wrapped around midnight.
    @inline(__always) func wrapped(_ i: Int) -> Int { Self.modulo(Int64(i), perDay) }

    /// The longest silence the remembered days had under way in slot-of-the-day `i` (0 when
    /// none was learned).
    public func longestSilence(slotOfDay i: Int, place: Int = 0) -> Span {
        var m = 0.0
        let base = place * memory * perDay
        for r in 0..<memory where rowDay[r] != .min { m = max(m, longest[base + r * perDay + i]) }
        return .seconds(Int64(m))
    }

    /// The silence that becomes alarming during slot-of-the-day `i` for a silence of `place`:
    /// the longest remembered within `window` either side, plus the margin. `upAtStart`: the
    /// silence began out of bed at an hour she is usually up (`improbableSilence`).
    public func limit(slotOfDay i: Int, place: Int = 0, upAtStart: Bool = false) -> Span {
        var w = windowed[place * perDay + i]
        // A silence that began in bed may be as long as any; one that began elsewhere, as long
        // as those that did (with their own allowance), where she is usually up and about at
        // this hour.
        if places > 1 {
            if place == 1 || (!upAtStart && upWindowed[i] < upNeeded) {
                w = max(windowed[i], windowed[perDay + i])
            } else {
                return .seconds(Int64((w * (1 + settings.upMargin)).rounded(.up))) + settings.upExtra
            }
        }
        return .seconds(Int64((w * (1 + settings.margin)).rounded(.up))) + settings.extra
    }

    /// Recomputes everything derived from the remembered days (after a restore).
    mutating func rebuildWindowed() {
        var days: Int32 = 0
        for r in 0..<memory where rowDay[r] != .min { days += 1 }
        remembered = days
        for k in column.indices { column[k] = 0; daysWith[k] = 0 }
        for place in 0..<places {
            for r in 0..<memory where rowDay[r] != .min {
                for i in 0..<perDay {
                    let v = longest[(place * memory + r) * perDay + i]
                    column[place * perDay + i] = max(column[place * perDay + i], v)
                    if v > 0 { daysWith[place * perDay + i] += 1 }
                }
            }
        }
        rewindow()
    }

    /// Forgets remembered row `r` (its day is older than the memory): its silences no longer
    /// count. Only the slots whose longest it held are rescanned; the windows are redone.
    /// Once a day, on the per-event path.
    @inline(never) mutating func forget(row r: Int) {
        for place in 0..<places {
            for i in 0..<perDay {
                let cell = (place * memory + r) * perDay + i
                let v = longest[cell]
                guard v > 0 else { continue }
                longest[cell] = 0
                let slot = place * perDay + i
                daysWith[slot] -= 1
                if v >= column[slot] {
                    var m = 0.0
                    for o in 0..<memory where rowDay[o] != .min { m = max(m, longest[(place * memory + o) * perDay + i]) }
                    column[slot] = m
                }
            }
        }
        rewindow()
    }

    /// Forgets the remembered days from the one holding `from` through the one holding
    /// `through`, as if never learned: what was learned while a PIR was not seeing her (found
    /// dead after three days of door uses, her hours in its room taken for silences). Left,
    /// those silences were "usual" at their hours for `memoryDays`, and a collapse there was
    /// found that much later after the repair. Whole days: the day it died held her real
    /// silences too, but which of them it hid cannot be told. Fewer days remembered than
    /// `minHistoryDays`, the fixed limits judge again until there are. Returns how many days
    /// were forgotten.
    @discardableResult
    public mutating func forgetDays(from: WallTime, through: WallTime) -> Int {
        let first = CivilTime.floorDiv(localNs(from), Self.dayNs), last = CivilTime.floorDiv(localNs(through), Self.dayNs)
        var n: Int32 = 0
        for r in 0..<memory where rowDay[r] != .min && rowDay[r] >= first && rowDay[r] <= last {
            forget(row: r)
            rowDay[r] = .min
            n += 1
        }
        remembered -= n
        upNeeded = daysNeededUp()
        return Int(n)
    }

    /// On how many of the remembered days a silence out of bed must have been under way near
    /// an hour for her to count as usually up then (`upShare`).
    @inline(__always) func daysNeededUp() -> Int32 { Int32((settings.upShare * Double(remembered)).rounded(.up)) }

    /// `windowed` from `column`, `upWindowed` from `daysWith`, `upNeeded` from `remembered`:
    /// on the stack, without a branch or a division in the loops.
    mutating func rewindow() {
        let (perDay, reach) = (perDay, reach)
        upNeeded = daysNeededUp()
        withUnsafeTemporaryAllocation(of: Int.self, capacity: perDay + 2 * reach) { index in
            // index[i + reach] = the slot of the day `i` stands for, wrapped around midnight.
            for i in 0..<(perDay + 2 * reach) { index[i] = Self.modulo(Int64(i - reach), perDay) }
            column.withUnsafeBufferPointer { column in
                windowed.withUnsafeMutableBufferPointer { windowed in
                    for place in 0..<places {
                        let base = place * perDay
                        for i in 0..<perDay {
                            var m = 0.0
                            for k in 0...(2 * reach) {
                                let c = column[base + index[i + k]]
                                m = c > m ? c : m
                            }
                            windowed[base + i] = m
                        }
                    }
                }
            }
            daysWith.withUnsafeBufferPointer { daysWith in
                upWindowed.withUnsafeMutableBufferPointer { up in
                    for i in 0..<perDay {
                        var m: Int32 = 0
                        for k in 0...(2 * reach) {
                            let c = daysWith[index[i + k]]
                            m = c > m ? c : m
                        }
                        up[i] = m
                    }
                }
            }
        }
    }

    /// Learns from a sign of life at `t` after the previous one at `previous` (the silence
    /// between them is of `place`: where `previous` was).
    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime, place: Int = 0) {
        let secs = t.nanosecondsSinceEpoch / 1_000_000_000
        if firstSeconds == 0 { firstSeconds = max(1, secs) }
        learnWake(t, previous: previous)
        guard t > previous, t - previous <= settings.unknownGap else { return }
        // Every slot the silence overlapped: how long it had lasted by the end of its overlap.
        var a = slot(previous)
        while start(ofSlot: a) < t {
            let end = min(t, start(ofSlot: a + 1))
            let day = CivilTime.floorDiv(a * slotNs, Self.dayNs)
            let r = Self.modulo(day, memory)
            if rowDay[r] != day {
                if rowDay[r] != .min && rowDay[r] > day { a += 1; continue }   // older than memory
                if rowDay[r] == .min {
                    remembered += 1
                    upNeeded = daysNeededUp()
                    for p in 0..<places { for i in 0..<perDay { longest[(p * memory + r) * perDay + i] = 0 } }
                } else {
                    forget(row: r)
                }
                rowDay[r] = day
            }
            let i = slotOfDay(a)
            let length = (end - previous).seconds
            let cell = (place * memory + r) * perDay + i
            if length > longest[cell] {
                let slot = place * perDay + i
                if longest[cell] == 0 {
                    daysWith[slot] += 1
                    if place == 0 {
                        for k in -reach...reach { upWindowed[wrapped(i + k)] = max(upWindowed[wrapped(i + k)], daysWith[slot]) }
                    }
                }
                longest[cell] = length
                column[slot] = max(column[slot], length)
                for k in -reach...reach {
                    let w = place * perDay + wrapped(i + k)
                    windowed[w] = max(windowed[w], length)
                }
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
        let w = Self.modulo(day, 7)
        wakeByWeekday[w] = wakeDaysByWeekday[w] == 0 ? Double(minute) : wakeByWeekday[w] + 0.3 * (Double(minute) - wakeByWeekday[w])
        wakeDaysByWeekday[w] += 1
    }

    /// The first moment the silence that began at `since` (in `place`) is longer than the
    /// remembered days allow at that time of day; never before `floor`, always by `ceiling`.
    /// One that began out of bed at an hour she is usually up is judged by the silences out of
    /// bed all the way, into the night too: she did not go to bed, and "silent out of bed at
    /// 01:00" is judged by how often she has been (a doze on the sofa she often takes is
    /// remembered there), not by her nights in bed.
    public func improbableSilence(since: WallTime, place: Int = 0) -> WallTime {
        let end = since + settings.ceiling
        var t = since + settings.floor
        let upAtStart = places > 1 && place == 0 && upWindowed[slotOfDay(slot(since))] >= upNeeded
        while t < end {
            let a = slot(t)
            let at = since + limit(slotOfDay: slotOfDay(a), place: place, upAtStart: upAtStart)
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
    /// `since`. Usual: of every morning, or of that day of the week when two of them were
    /// seen and it is later by more than half the margin (never earlier: a weekday the
    /// routine has seen less of must not call sooner than before). Nil until three mornings
    /// were seen.
    public func notUpTime(silenceSince since: WallTime) -> WallTime? {
        guard wakeDays >= 3 else { return nil }
        let local = localNs(since)
        var day = CivilTime.floorDiv(local, Self.dayNs)
        let windowStartNs = Int64(settings.wakeWindowStart.minutes) * 60_000_000_000
        if local - day * Self.dayNs >= windowStartNs { day += 1 }
        let w = Self.modulo(day, 7)
        // A day of the week later by more than half the margin: a lie-in day, not noise (a
        // morning or two a little later would only delay the call; within half the margin
        // the margin covers it).
        let lieIn = wakeByWeekday[w] - wakeMinutes > Double(settings.notUpMargin.nanoseconds) / 120e9
        let usual = wakeDaysByWeekday[w] >= 2 && lieIn ? wakeByWeekday[w] : wakeMinutes
        let due = day * Self.dayNs + Int64(usual * 60e9) + settings.notUpMargin.nanoseconds
        return WallTime(nanosecondsSinceEpoch: due - offset.seconds * 1_000_000_000)
    }
}
