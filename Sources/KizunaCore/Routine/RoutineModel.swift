/// What the flat's own history says about silences, slot by slot (issue 8).
///
/// For each slot of the day (and of the week) the model keeps the probability that a
/// silence already `conditioning` long at the slot's start goes on through the whole slot.
/// Conditioning on a silence already under way (rather than asking "is there a sign of life
/// in this slot") keeps the correlation of real silences: a sleeper who is quiet at 02:00 is
/// likely quiet at 02:30 too. Estimates decay exponentially, so a changed routine is followed
/// within about a week. Learning happens only when a sign of life crosses a slot boundary,
/// with fixed-size arrays: nothing is allocated after `init`.
public struct RoutineModel: Sendable, Equatable {
    public let settings: RoutineSettings
    public let offset: UTCOffset
    let slotNs: Int64
    let perDay: Int
    /// P(silence goes on through the slot | silent `conditioning` at its start).
    public internal(set) var daily: [Double]
    public internal(set) var weekly: [Double]
    /// Wall seconds of the first sign of life learned from (0: none yet).
    public internal(set) var firstSeconds: Int64 = 0
    /// Usual minute of the local day of the first sign of life in the wake window.
    public internal(set) var wakeMinutes: Double = 0
    public internal(set) var wakeDays: Int = 0
    var lastWakeDay: Int64 = .min

    public init(settings: RoutineSettings, offset: UTCOffset) {
        self.settings = settings
        self.offset = offset
        let minutes = max(1, min(1440, settings.slotMinutes))
        slotNs = Int64(minutes) * 60_000_000_000
        perDay = 1440 / minutes
        daily = Array(repeating: 0.5, count: perDay)
        weekly = Array(repeating: 0.5, count: perDay * 7)
    }

    static let dayNs: Int64 = 86_400_000_000_000

    @inline(__always) func localNs(_ w: WallTime) -> Int64 { w.nanosecondsSinceEpoch + offset.seconds * 1_000_000_000 }
    /// Absolute local slot number.
    @inline(__always) func slot(_ w: WallTime) -> Int64 { CivilTime.floorDiv(localNs(w), slotNs) }
    /// The wall time at which local slot `a` begins.
    @inline(__always) func start(ofSlot a: Int64) -> WallTime {
        WallTime(nanosecondsSinceEpoch: a * slotNs - offset.seconds * 1_000_000_000)
    }

    /// The end of the slot containing `w`: the next moment a sign of life can teach anything.
    public func slotEnd(_ w: WallTime) -> WallTime { start(ofSlot: slot(w) + 1) }

    /// Whether enough history exists (`minHistoryDays`) at `w` to judge by the routine.
    public func isReady(at w: WallTime) -> Bool {
        firstSeconds != 0 && w.nanosecondsSinceEpoch / 1_000_000_000 - firstSeconds >= Int64(settings.minHistoryDays) * 86_400
    }

    /// The continuation probability of local slot `a`, clamped away from 0 and 1.
    public func continuation(slot a: Int64) -> Double {
        let d = Int((a % Int64(perDay) + Int64(perDay)) % Int64(perDay))
        // 1970-01-01 was a Thursday; weekly index 0 = that weekday, the choice does not matter.
        let w = Int((a % Int64(perDay * 7) + Int64(perDay * 7)) % Int64(perDay * 7))
        let q = settings.weekWeight * weekly[w] + (1 - settings.weekWeight) * daily[d]
        return min(0.995, max(0.05, q))
    }

    /// Learns from a sign of life at `t` after the previous one at `previous`.
    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime) {
        let secs = t.nanosecondsSinceEpoch / 1_000_000_000
        if firstSeconds == 0 { firstSeconds = max(1, secs) }
        learnWake(t, previous: previous)
        guard t > previous, t - previous <= settings.unknownGap else { return }
        // Every slot boundary b with b - previous ≥ conditioning and b ≤ t: the silence was
        // already long at b; it went on through the slot iff t ≥ end of that slot.
        var a = slot(previous + settings.conditioning)
        if start(ofSlot: a) < previous + settings.conditioning { a += 1 }
        while start(ofSlot: a) <= t {
            let went = t >= start(ofSlot: a + 1) ? 1.0 : 0.0
            let d = Int((a % Int64(perDay) + Int64(perDay)) % Int64(perDay))
            let w = Int((a % Int64(perDay * 7) + Int64(perDay * 7)) % Int64(perDay * 7))
            daily[d] += settings.dailyDecay * (went - daily[d])
            weekly[w] += settings.weeklyDecay * (went - weekly[w])
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

    /// The first moment the silence that began at `since` has become improbable: the
    /// learned probability that it lasts this long drops below `threshold`; never before
    /// `floor`, always by `ceiling`.
    public func improbableSilence(since: WallTime) -> WallTime {
        let end = since + settings.ceiling
        let floorAt = since + settings.floor
        let limit = naturalLog(settings.threshold)
        var logS = 0.0
        var t = since + settings.conditioning
        let slotSeconds = Double(slotNs) / 1e9
        while t < end {
            let a = slot(t)
            let segEnd = min(start(ofSlot: a + 1), end)
            let rate = -naturalLog(continuation(slot: a)) / slotSeconds
            let segment = (segEnd - t).seconds
            if logS - rate * segment <= limit {
                let x = t + Span(nanoseconds: Int64((logS - limit) / rate * 1e9))
                return min(max(x, floorAt), end)
            }
            logS -= rate * segment
            t = segEnd
        }
        return end
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

/// Natural logarithm without Foundation (the core imports the standard library only).
@inline(__always) func naturalLog(_ x: Double) -> Double {
    // log(x) = 2 atanh((x-1)/(x+1)) after scaling x into [1, 2).
    guard x > 0 else { return -.infinity }
    let e = x.exponent
    let m = x.significand   // [1, 2)
    let y = (m - 1) / (m + 1), y2 = y * y
    var term = y, sum = 0.0
    var k = 1.0
    for _ in 0..<20 {
        sum += term / k
        term *= y2
        k += 2
    }
    return 2 * sum + Double(e) * 0.6931471805599453
}
