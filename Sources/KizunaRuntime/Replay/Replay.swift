import KizunaCore

/// What a replay found: every alarm step and state change, the data gaps, and the time
/// spent in each occupancy state (gaps excluded).
public struct ReplayOutcome {
    public var steps: [AlarmStep] = []
    public var transitions: [OccupancyTransition] = []
    /// Stretches with no event at all for longer than the gap limit: the system was
    /// offline, nothing is known of the resident.
    public var gaps: [(from: WallTime, to: WallTime)] = []
    /// Observations fed to the engine.
    public var events: Int = 0
    public var timeIn: [OccupancyState: Span] = [:]
    /// Where the virtual clock started and where it stopped.
    public var first: WallTime
    public var last: WallTime

    public init(first: WallTime, last: WallTime) {
        self.first = first
        self.last = last
    }

    /// Alarms per kind: those whose network alarm went out (`reachingNetwork`), or those
    /// raised at all (pre-alarms the resident cancelled included).
    public func alarmCount(reachingNetwork: Bool = true) -> [AlarmKind: Int] {
        var ids: [AlarmKind: Set<UInt64>] = [:]
        for s in steps where s.step == .alarm || (!reachingNetwork && s.step == .preAlarm) {
            ids[s.kind, default: []].insert(s.alarmID)
        }
        return ids.mapValues(\.count)
    }

    /// The time the system was offline.
    public var gapTime: Span { gaps.reduce(.zero) { $0 + ($1.to - $1.from) } }

    /// Length of the replay in days.
    public var days: Double { Double((last - first).nanoseconds) / 86_400e9 }
}

/// Plays a recording through the same engine as the device, in virtual time, as fast as it
/// can: no clock, no loop, no I/O, only `handle` per observation (timers fire at their
/// own instants inside it) and a last `tick`.
///
/// A recording is known in advance, so a data gap (no event at all, periodic readings
/// included, for longer than `gapLimit`) is seen from the next event: the engine is told
/// the system was offline (`WatchEngine.systemWasOffline`) instead of being ticked
/// through it, so a hub outage never reads as a silent resident.
public enum Replay {
    /// Plays `recording` through a WatchEngine with `settings` (the installation's, with the recording's sensors), in virtual time.
    ///
    /// - Parameters:
    ///   - cutAt: the resident stops here (a collapse): every observation after it is
    ///     dropped, and the device is taken as running on to the end (no gap is looked for
    ///     after the cut).
    ///   - until: the virtual clock runs to here (timers fire after the last event); events
    ///     after it are not played. Without it the clock stops at the recording's last event.
    ///   - gapLimit: a stretch with no event at all for longer than this is a data gap.
    ///   - gaps: the recording's gaps for `gapLimit`, if already found (a replay repeated
    ///     over one recording finds them once); found here otherwise.
    ///   - observe: each decision, in order, as it is made.
    ///   - offline: each data gap, in order with the decisions.
    public static func run(_ recording: Recording, settings: EngineSettings, cutAt: WallTime? = nil, until: WallTime? = nil,
                           gapLimit: Span = .hours(6), gaps known: DataGaps? = nil, observe: ((Decision) -> Void)? = nil,
                           offline: ((WallTime, WallTime) -> Void)? = nil) -> ReplayOutcome {
        precondition(known?.isOf(recording, limit: gapLimit) ?? true, "data gaps found for another recording or limit")
        let gaps = (known ?? DataGaps(recording, longerThan: gapLimit)).list
        let first = recording.first
        var end = until ?? recording.last
        if end < first { end = first }
        let cut = cutAt ?? WallTime(nanosecondsSinceEpoch: .max)
        let stop = min(cut, end)
        var p = Player(engine: WatchEngine(settings: settings, start: Recording.stamp(first)), first: first, end: end,
                       observe: observe, offline: offline)
        // A gap is told by the event that ends it: it is played when that event is reached
        // (never after the cut: the device runs on).
        var gi = 0
        var events = 0
        for o in recording.observations {
            let w = o.time.wall
            if w > stop { break }
            while gi < gaps.count, gaps[gi].to <= w {
                p.offline(from: gaps[gi].from, to: gaps[gi].to)
                gi += 1
            }
            p.engine.handle(o, into: &p.out)
            events &+= 1
            if !p.out.isEmpty { p.flush() }
        }
        // Events that feed no sensor after the last observation still show the system up (or down).
        while gi < gaps.count, gaps[gi].to <= stop {
            p.offline(from: gaps[gi].from, to: gaps[gi].to)
            gi += 1
        }
        // A gap still open where the replay stops (`--until` or a cut inside an outage): the
        // system was offline from its start to there, never a silence of hers.
        if gi < gaps.count, gaps[gi].from < stop {
            p.offline(from: gaps[gi].from, to: stop)
        }
        p.engine.tick(at: Recording.stamp(end), into: &p.out)
        p.flush()
        p.account(until: end)
        p.outcome.events = events
        return p.outcome
    }

    /// The replay's mutable state, in one place the loop owns.
    struct Player {
        var engine: WatchEngine
        var out: [Decision] = []
        var outcome: ReplayOutcome
        var state: OccupancyState
        var since: WallTime
        let observe: ((Decision) -> Void)?
        let offlineReport: ((WallTime, WallTime) -> Void)?

        init(engine: WatchEngine, first: WallTime, end: WallTime, observe: ((Decision) -> Void)?, offline: ((WallTime, WallTime) -> Void)?) {
            self.engine = engine
            self.outcome = ReplayOutcome(first: first, last: end)
            self.state = engine.state
            self.since = first
            self.observe = observe
            self.offlineReport = offline
            out.reserveCapacity(64)
        }

        mutating func account(until t: WallTime) {
            if t > since { outcome.timeIn[state, default: .zero] = outcome.timeIn[state, default: .zero] + (t - since) }
            if t > since { since = t }
        }

        mutating func flush() {
            for d in out {
                switch d {
                case .occupancy(let t):
                    outcome.transitions.append(t)
                    account(until: t.at.wall)
                    state = t.to
                case .alarm(let s):
                    outcome.steps.append(s)
                case .buzzer:
                    break
                }
                observe?(d)
            }
            out.removeAll(keepingCapacity: true)
        }

        mutating func offline(from: WallTime, to: WallTime) {
            engine.tick(at: Recording.stamp(from), into: &out)
            flush()
            account(until: from)
            offlineReport?(from, to)
            engine.systemWasOffline(from: Recording.stamp(from), to: Recording.stamp(to), into: &out)
            outcome.gaps.append((from: from, to: to))
            state = engine.state
            since = to
            flush()
        }
    }
}
