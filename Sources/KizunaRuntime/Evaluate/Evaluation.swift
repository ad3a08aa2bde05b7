import KizunaCore

/// `kizuna evaluate`: how often a setting cries wolf over normal life, and how soon it finds
/// a resident who stopped moving, side by side with a plain 12 h fixed timer on the same cuts.
///
/// Cuts: `cuts` moments drawn with SplitMix64 from `seed` (same seed, same cuts), between
/// `minHistoryDays` after the start (the routine has learned) and an hour before the end, never
/// inside a data gap (a hub outage: the device was not running, nobody could have been found,
/// and such a cut would count 0 against an alarm the outage raised before it). The
/// recording is replayed up to the cut and the clock then runs on, with no more events, to
/// cut + 48 h. The latency is from the cut to the first network `alarm` step of a kind
/// starting with `inactivity`; an inactivity alarm already open at the cut counts as 0; none
/// by cut + 48 h is a miss. A cut that falls while the flat reads `away` is counted as such:
/// its latency is still measured from the cut (the return that never comes), and the
/// routine's `inactivity.not-back` is what finds it (the 12 h timer never does: an empty
/// flat is silent by right). The same alarms measured from the next real sign of life (for
/// such a cut, the return the collapse took away) are reported beside.
public enum Evaluation {
    public struct Latencies: Sendable, Equatable {
        public var detected: [Span]
        public var misses: Int
        public var median: Span? { Self.quantile(detected, 0.5) }
        public var p95: Span? { Self.quantile(detected, 0.95) }
        static func quantile(_ xs: [Span], _ q: Double) -> Span? {
            guard !xs.isEmpty else { return nil }
            let s = xs.sorted()
            let i = min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))
            return s[i]
        }
    }

    public struct Report: Sendable {
        /// Days of recording replayed, hub outages (gaps) excluded.
        public var days: Double
        /// The routine's false alarms (network `alarm` steps of inactivity kinds over normal life).
        public var falseAlarmSteps: [AlarmStep]
        public var falseAlarms: Int { falseAlarmSteps.count }
        public var falseAlarmsFixed: Int
        public var cutTimes: [WallTime]
        public var awayCuts: Int
        public var routine: Latencies
        public var fixed: Latencies
        /// The same alarms measured from the resident's next real sign of life after the cut
        /// (what the collapse took away: the waking, the return, the next movement), zero
        /// when the alarm came before it. Cuts with no later sign in the recording are left out.
        public var routineAfterSign = Latencies(detected: [], misses: 0)
        public var fixedAfterSign = Latencies(detected: [], misses: 0)
        /// Every cut, for a closer look (`kizuna evaluate --per-cut`).
        public var perCut: [Cut] = []
        /// The routine's rule knowing the whole recording (`Hindsight`), over the cuts not away.
        public var hindsight = Latencies(detected: [], misses: 0)
        /// The night window the cuts are told apart by (`EngineSettings.night`).
        public var night: DailyWindow? = nil
        public func per30Days(_ n: Int) -> Double { days > 0 ? Double(n) * 30 / days : 0 }

        /// The routine's latencies by where the cut found her: at home by day, at home at
        /// night (`night`), out. A night cut is bounded by her own nights (she cannot be told
        /// from a sleeper before her nights are over) and one while out by her outings, whatever
        /// the rule: the care staff's first question is how soon a fall by day is found.
        public func routineBy(_ place: Cut.Where) -> Latencies {
            var l = Latencies(detected: [], misses: 0)
            for c in perCut where c.where == place {
                if let d = c.routine { l.detected.append(d) } else { l.misses += 1 }
            }
            return l
        }
    }

    /// One cut's outcome under both policies.
    public struct Cut: Sendable {
        /// Where a cut found her.
        public enum Where: String, Sendable, CaseIterable { case homeByDay = "at home by day", homeAtNight = "at home at night", away = "out" }
        public var at: WallTime
        public var away: Bool
        /// In the night window (`Report.night`).
        public var atNight = false
        public var `where`: Where { away ? .away : atNight ? .homeAtNight : .homeByDay }
        public var nextSign: WallTime?
        public var routine: Span?
        public var fixed: Span?
    }

    /// A small seeded PRNG (SplitMix64): the same seed draws the same cuts everywhere.
    public struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// The comparison: the same settings with the routine off and a 12 h limit day and night.
    public static func fixedTimer(_ settings: EngineSettings, limit: Span = .hours(12)) -> EngineSettings {
        var s = settings
        s.routine = nil
        s.rules.inactivityByDay = limit
        s.rules.inactivityAtNight = limit
        return s
    }

    static func inactivityAlarms(_ steps: [AlarmStep]) -> [AlarmStep] {
        steps.filter { $0.step == .alarm && $0.kind.isInactivity }
    }

    /// The cut moments for a recording: uniform over the time it covers from `skip` after its
    /// start to an hour before its end, the data gaps (`gaps`, in time order) left out.
    public static func cuts(_ recording: Recording, count: Int, seed: UInt64, skip: Span,
                            gaps: [(from: WallTime, to: WallTime)] = []) -> [WallTime] {
        var rng = SplitMix64(seed: seed)
        let lo = recording.first + skip
        let hi = recording.last + Span(nanoseconds: -Span.hours(1).nanoseconds)
        guard count > 0, hi > lo else { return [] }
        // The covered stretches between lo and hi, and their total length.
        var covered: [(from: Int64, length: Int64)] = []
        var start = lo.nanosecondsSinceEpoch
        for g in gaps where g.to.nanosecondsSinceEpoch > start {
            let end = min(g.from.nanosecondsSinceEpoch, hi.nanosecondsSinceEpoch)
            if end > start { covered.append((start, end - start)) }
            start = max(start, g.to.nanosecondsSinceEpoch)
            if start >= hi.nanosecondsSinceEpoch { break }
        }
        if hi.nanosecondsSinceEpoch > start { covered.append((start, hi.nanosecondsSinceEpoch - start)) }
        let width = covered.reduce(Int64(0)) { $0 + $1.length }
        guard width > 0 else { return [] }
        return (0..<count).map { _ in
            var r = Int64(rng.next() % UInt64(width))
            for c in covered {
                if r < c.length { return WallTime(nanosecondsSinceEpoch: c.from + r) }
                r -= c.length
            }
            return hi   // not reached: r < width
        }
    }

    /// Latency of one cut in a replay outcome; nil: a miss.
    static func latency(_ outcome: ReplayOutcome, cut: WallTime, horizon: Span) -> Span? {
        var openAtCut = Set<UInt64>()
        for s in outcome.steps where s.kind.isInactivity && s.at.wall < cut {
            switch s.step {
            case .alarm: openAtCut.insert(s.alarmID)
            case .resolve, .cancel, .acknowledge: openAtCut.remove(s.alarmID)
            default: break
            }
        }
        if !openAtCut.isEmpty { return .zero }
        guard let first = inactivityAlarms(outcome.steps).first(where: { $0.at.wall >= cut }) else { return nil }
        let l = first.at.wall - cut
        return l <= horizon ? l : nil
    }

    /// Whether an observation is a sign of life (motion starting, a door or the button moving):
    /// its time, and whether it was the door.
    static func signOfLife(_ o: Observation, in recording: Recording) -> (at: WallTime, door: Bool)? {
        guard case .level(let s, let high, let at) = o else { return nil }
        switch recording.sensors[s].kind {
        case .pir where high, .button: return (at.wall, false)
        case .door: return (at.wall, true)
        default: return nil
        }
    }

    /// The first sign of life in the recording after `cut` (motion starting, a door or an
    /// activity contact moving, a button): when the resident would next have been seen.
    static func nextSign(_ recording: Recording, after cut: WallTime) -> WallTime? {
        let obs = recording.observations
        var lo = 0, hi = obs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if obs[mid].time.wall <= cut { lo = mid + 1 } else { hi = mid }
        }
        return obs[lo...].lazy.compactMap { signOfLife($0, in: recording)?.at }.first
    }

    /// Latency past the next real sign of life, from the latency past the cut.
    static func afterSign(_ latency: Span?, cut: WallTime, sign: WallTime, into l: inout Latencies) {
        guard let latency else { l.misses += 1; return }
        let alarm = cut + latency
        l.detected.append(alarm > sign ? alarm - sign : .zero)
    }

    static func wasAway(_ outcome: ReplayOutcome, at cut: WallTime) -> Bool {
        outcome.transitions.last(where: { $0.at.wall <= cut })?.to == .away
    }

    public static func run(_ recording: Recording, settings: EngineSettings, cuts count: Int, seed: UInt64,
                           horizon: Span = .hours(48), progress: ((Int) -> Void)? = nil) -> Report {
        let fixed = fixedTimer(settings)
        let gaps = DataGaps(recording, longerThan: .hours(6))   // found once for all the replays
        let normal = Replay.run(recording, settings: settings, gaps: gaps)
        let normalFixed = Replay.run(recording, settings: fixed, gaps: gaps)
        let gapDays = normal.gaps.reduce(0.0) { $0 + ($1.to - $1.from).seconds } / 86_400
        let days = max(0, (normal.last - normal.first).seconds / 86_400 - gapDays)
        let skip = Span.days(Int64(settings.routine?.minHistoryDays ?? 0))
        let times = cuts(recording, count: count, seed: seed, skip: skip, gaps: gaps.list)
        var report = Report(days: days, falseAlarmSteps: inactivityAlarms(normal.steps),
                            falseAlarmsFixed: inactivityAlarms(normalFixed.steps).count,
                            cutTimes: times, awayCuts: 0, routine: Latencies(detected: [], misses: 0), fixed: Latencies(detected: [], misses: 0))
        report.night = settings.night
        for (i, c) in times.enumerated() {
            let a = Replay.run(recording, settings: settings, cutAt: c, until: c + horizon, gaps: gaps)
            let b = Replay.run(recording, settings: fixed, cutAt: c, until: c + horizon, gaps: gaps)
            let away = wasAway(a, at: c)
            if away { report.awayCuts += 1 }
            let la = latency(a, cut: c, horizon: horizon), lb = latency(b, cut: c, horizon: horizon)
            if let l = la { report.routine.detected.append(l) } else { report.routine.misses += 1 }
            if let l = lb { report.fixed.detected.append(l) } else { report.fixed.misses += 1 }
            let sign = nextSign(recording, after: c)
            report.perCut.append(Cut(at: c, away: away, atNight: settings.night.contains(c), nextSign: sign, routine: la, fixed: lb))
            if let sign {
                afterSign(la, cut: c, sign: sign, into: &report.routineAfterSign)
                afterSign(lb, cut: c, sign: sign, into: &report.fixedAfterSign)
            }
            progress?(i + 1)
        }
        if let r = settings.routineInForce {
            report.hindsight = Hindsight.latencies(recording, settings: r, awayAfter: settings.occupancy.awayConfirmation,
                                                   cuts: report.perCut.map { ($0.at, $0.away) })
        }
        return report
    }

    /// The routine's latencies by where the cut found her, and how many were found within 2 h.
    static func byPlace(_ r: Report) -> String {
        func h(_ s: Span?) -> String { s.map { String(Double(Int($0.seconds / 36)) / 100) + " h" } ?? "—" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        let within = { (l: Latencies) in l.detected.filter { $0 <= .hours(2) }.count }
        var text = "the routine by where the cut found her (night \(r.night.map(\.description) ?? "—")):\n"
        text += "  " + pad("", 28) + pad("cuts", 6) + pad("median", 10) + pad("p95", 10) + "within 2 h\n"
        for place in Cut.Where.allCases {
            let l = r.routineBy(place)
            text += "  " + pad(place.rawValue, 28) + pad(String(l.detected.count + l.misses), 6) + pad(h(l.median), 10)
                + pad(h(l.p95), 10) + String(within(l)) + "\n"
        }
        text += "  " + pad("all", 28) + pad(String(r.routine.detected.count + r.routine.misses), 6) + pad(h(r.routine.median), 10)
            + pad(h(r.routine.p95), 10) + String(within(r.routine)) + "\n"
        return text
    }

    /// The report as text, one number a line, both policies side by side.
    public static func describe(_ r: Report) -> String {
        func h(_ s: Span?) -> String { s.map { String(Double(Int($0.seconds / 36)) / 100) + " h" } ?? "—" }
        func f(_ x: Double) -> String { String(Double(Int(x * 100)) / 100) }
        return """
            normal life: \(f(r.days)) days (hub outages excluded)
                                          routine     fixed 12 h
            false inactivity alarms       \(r.falseAlarms)           \(r.falseAlarmsFixed)
              per 30 days                 \(f(r.per30Days(r.falseAlarms)))        \(f(r.per30Days(r.falseAlarmsFixed)))
            cuts: \(r.cutTimes.count), none in a hub outage (\(r.awayCuts) while away; latency from the cut, clock run to cut + 48 h)
              detection median            \(h(r.routine.median))      \(h(r.fixed.median))
              detection p95               \(h(r.routine.p95))      \(h(r.fixed.p95))
              misses (none by 48 h)       \(r.routine.misses)           \(r.fixed.misses)
            the same alarms, from the next real sign of life after the cut (\(r.routineAfterSign.detected.count + r.routineAfterSign.misses) cuts with one):
              median                      \(h(r.routineAfterSign.median))      \(h(r.fixedAfterSign.median))
              p95                         \(h(r.routineAfterSign.p95))      \(h(r.fixedAfterSign.p95))
            \(byPlace(r))hindsight bound: the routine's rule remembering the whole recording, future included
            (no false alarm on it by construction), over the \(r.hindsight.detected.count) cuts not away:
              median                      \(h(r.hindsight.median))
              p95                         \(h(r.hindsight.p95))

            """
    }
}
