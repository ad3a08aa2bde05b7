/// Watches each PIR for the two ways it fails silently:
/// - **stuck**: one motion episode lasting `stuckAfter` — its output high without a break
///   (it can no longer see anyone), or retriggering every few seconds without ever a pause
///   of the hold time, or of 10 s if the hold is longer (a failing sensor, a curtain in a
///   heater's draught, a fan). Either way its endless "motion" would hide a collapse. A PIR held high is trusted again at
///   its fall; a retriggering one only once its output has stayed low for `quietToRecover`
///   (a retriggering PIR pauses now and then, and each pause would otherwise start a new
///   sign of life, and the fault over again two hours later). Until then the engine does
///   not take its episodes as signs of life;
/// - **silent**: no motion for `silentAfter` while the door keeps being used — someone
///   comes and goes, so the PIR is probably dead (battery, cable, unplugged).
public struct PIRHealthRule: Sendable {
    public var stuckAfter: Span
    public var silentAfter: Span
    public var doorUsesNeeded: Int
    /// The PIR hold time: a pause this long ends a motion episode (named in the alarm).
    public var pause: Span
    /// How long a PIR found retriggering must stay quiet to be trusted again.
    public static let quietToRecover: Span = .minutes(10)
    /// The longest pause that still counts against retriggering. A long hold time (up to
    /// 10 min is allowed) keeps a resident's real comings and goings in one episode; two
    /// hours of cooking and tidying, never 10 minutes out of view, is no faulty sensor.
    /// Within an episode, a low of this long (or of the hold, if shorter) starts the
    /// retriggering count over.
    public static let retriggerPauseAtMost: Span = .seconds(10)
    /// A low this long within an episode is a pause: not retriggering.
    var retriggerPause: Span { min(pause, Self.retriggerPauseAtMost) }

    struct PIRState: Sendable {
        var sensor: SensorID
        var stuckDeadline: MonotonicInstant = .never
        var stuck = false
        /// The motion episode under way reaches `stuckAfter` (`.never` when none is under way).
        var episodeDeadline: MonotonicInstant = .never
        var inEpisode = false
        /// Stuck by retriggering (not held high): recovered by a quiet of `quietToRecover`.
        var retriggering = false
        var quietDeadline: MonotonicInstant = .never
        /// Its raw output, and when it last fell.
        var high = false
        var lastFall: MonotonicInstant = .never
        var lastMotion: Timestamp
        var doorUses = 0
        var silentDeadline: MonotonicInstant
        var silentRaised = false
        /// When it last moved again after it was found silent (in this run).
        var silentEndedAt: MonotonicInstant?
    }
    var pirs: [PIRState] = []
    /// Index of each sensor's state in `pirs` (-1: not a PIR).
    var slot: [Int]

    /// The PIRs found silent since the engine last looked, and their last motion: what was
    /// learned of her routine since then was learned blind in their rooms (drained by
    /// `WatchEngine.forgetLearnedBlind`).
    var foundSilent: [(sensor: SensorID, since: WallTime)] = []
    /// See `checkSilent`: the routine's memory.
    static let seldomUsedWithin: Span = .days(28)

    public init(stuckAfter: Span, silentAfter: Span, doorUsesNeeded: Int, pause: Span, pirs sensors: [SensorID], sensorCount: Int, start: Timestamp) {
        self.stuckAfter = stuckAfter
        self.pause = pause
        self.silentAfter = silentAfter
        self.doorUsesNeeded = doorUsesNeeded
        slot = Array(repeating: -1, count: sensorCount)
        for s in sensors {
            slot[Int(s.index)] = pirs.count
            pirs.append(PIRState(sensor: s, lastMotion: start, silentDeadline: start.monotonic + silentAfter))
        }
        refreshDeadline()
    }

    /// Restores when a PIR last saw motion (restart recovery).
    mutating func restore(_ sensor: SensorID, lastMotion: Timestamp) {
        let i = slot[Int(sensor.index)]
        guard i >= 0 else { return }
        pirs[i].lastMotion = lastMotion
        pirs[i].silentDeadline = lastMotion.monotonic + silentAfter
        refreshDeadline()
    }

    /// Takes back the stuck and silent alarms still open after a restart, so that the PIR's
    /// next fall (held high) or a quiet of `quietToRecover` from `start` (retriggering), or
    /// its next rise (silent) resolves them, and none is raised twice.
    mutating func adopt(_ alarms: [OpenAlarm], at start: Timestamp) {
        for a in alarms where a.kind == .pirStuck || a.kind == .pirSilent {
            let k = Int(a.sensor.index)
            guard k < slot.count, slot[k] >= 0 else { continue }
            let i = slot[k]
            if a.kind == .pirSilent { pirs[i].silentRaised = true; continue }
            pirs[i].stuck = true
            if a.reason.isRetriggering {
                pirs[i].retriggering = true
                pirs[i].quietDeadline = start.monotonic + Self.quietToRecover
            }
        }
        refreshDeadline()
    }

    /// Takes other limits (the configuration changed), keeping each PIR's state. A PIR
    /// high without a break is judged stuck by the new limit from when its output rose; a
    /// PIR not yet reported silent is checked again at its last motion plus the new
    /// `silentAfter` (at once if that has passed: a lowered `doorUsesNeeded` may now be met).
    mutating func reconfigure(stuckAfter newStuck: Span, silentAfter newSilent: Span, doorUsesNeeded newUses: Int) {
        for i in pirs.indices {
            if pirs[i].stuckDeadline != .never { pirs[i].stuckDeadline = pirs[i].stuckDeadline - stuckAfter + newStuck }
            if pirs[i].episodeDeadline != .never { pirs[i].episodeDeadline = pirs[i].episodeDeadline - stuckAfter + newStuck }
            if !pirs[i].silentRaised { pirs[i].silentDeadline = pirs[i].lastMotion.monotonic + newSilent }
        }
        stuckAfter = newStuck
        silentAfter = newSilent
        doorUsesNeeded = newUses
        refreshDeadline()
    }

    /// No later than the earliest stuck or silent check (the engine asks at every timer, so
    /// it is not looked for at every edge). A PIR's output rising or falling only moves its
    /// own checks later, so the bound stays a bound; `expire` makes it exact again (a bound
    /// that was early costs the engine one pass that finds nothing due).
    private(set) var deadline: MonotonicInstant = .never

    mutating func refreshDeadline() {
        var d = MonotonicInstant.never
        for p in pirs {
            if p.stuckDeadline < d { d = p.stuckDeadline }
            if p.silentDeadline < d { d = p.silentDeadline }
            if p.episodeDeadline < d { d = p.episodeDeadline }
            if p.quietDeadline < d { d = p.quietDeadline }
        }
        deadline = d
    }

    func isStuck(_ sensor: SensorID) -> Bool {
        let i = slot[Int(sensor.index)]
        return i >= 0 && pirs[i].stuck
    }

    /// The raw output went high: the PIR saw something, so it is alive.
    mutating func rawRose(_ sensor: SensorID, at time: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) -> MonotonicInstant {
        let i = slot[Int(sensor.index)]
        pirs[i].stuckDeadline = time.monotonic + stuckAfter
        pirs[i].lastMotion = time
        pirs[i].doorUses = 0
        pirs[i].silentDeadline = time.monotonic + silentAfter
        pirs[i].quietDeadline = .never   // a retriggering PIR: not quiet yet
        pirs[i].high = true
        if pirs[i].inEpisode, !pirs[i].stuck, pirs[i].lastFall != .never, time.monotonic - pirs[i].lastFall >= retriggerPause {
            // It paused within its episode (a long hold): not retriggering so far.
            pirs[i].episodeDeadline = time.monotonic + stuckAfter
        }
        deadline = min(deadline, pirs[i].stuckDeadline)
        if pirs[i].silentRaised {
            pirs[i].silentRaised = false
            pirs[i].silentEndedAt = time.monotonic
            ladder.clear(.pirSilent, sensor: sensor, cancel: .activitySeen(sensor), resolve: .activitySeen(sensor), at: time, into: &out)
        }
        return pirs[i].stuckDeadline
    }

    /// The raw output fell: not held high (any more). A PIR found retriggering is trusted
    /// again if it now stays low for `quietToRecover`: returns when (`.never` otherwise).
    mutating func rawFell(_ sensor: SensorID, at time: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) -> MonotonicInstant {
        let i = slot[Int(sensor.index)]
        pirs[i].stuckDeadline = .never
        pirs[i].high = false
        pirs[i].lastFall = time.monotonic
        if pirs[i].retriggering {
            pirs[i].quietDeadline = time.monotonic + Self.quietToRecover
            deadline = min(deadline, pirs[i].quietDeadline)
            return pirs[i].quietDeadline
        } else if pirs[i].stuck {
            pirs[i].stuck = false
            ladder.clear(.pirStuck, sensor: sensor, cancel: .sensorRecovered(sensor), resolve: .sensorRecovered(sensor), at: time, into: &out)
            // Its episode goes on (the hold time has not passed): judged from now.
            if pirs[i].inEpisode {
                pirs[i].episodeDeadline = time.monotonic + stuckAfter
                deadline = min(deadline, pirs[i].episodeDeadline)
                return pirs[i].episodeDeadline
            }
        }
        return .never
    }

    /// A motion episode of `sensor` began (its first rise after a pause of the hold time).
    /// Returns when it would be judged stuck.
    mutating func episodeStarted(_ sensor: SensorID, at time: Timestamp) -> MonotonicInstant {
        let i = slot[Int(sensor.index)]
        pirs[i].inEpisode = true
        pirs[i].episodeDeadline = pirs[i].stuck ? .never : time.monotonic + stuckAfter
        deadline = min(deadline, pirs[i].episodeDeadline)
        return pirs[i].episodeDeadline
    }

    /// The motion episode of `sensor` ended: it paused.
    mutating func episodeEnded(_ sensor: SensorID) {
        let i = slot[Int(sensor.index)]
        pirs[i].inEpisode = false
        pirs[i].episodeDeadline = .never
    }

    mutating func doorOpened(at time: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        for i in pirs.indices {
            pirs[i].doorUses += 1
            checkSilent(i, at: time, ladder: &ladder, into: &out)
        }
    }

    mutating func checkSilent(_ i: Int, at now: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        let p = pirs[i]
        guard !p.silentRaised, now.monotonic - p.lastMotion.monotonic >= silentAfter, p.doorUses >= doorUsesNeeded else { return }
        pirs[i].silentRaised = true
        // Found silent before and seen again within `seldomUsedWithin`: a room she uses every
        // few days (a guest room), not a blind spell; her days are not forgotten at each.
        if p.silentEndedAt.map({ now.monotonic - $0 > Self.seldomUsedWithin }) ?? true {
            foundSilent.append((p.sensor, p.lastMotion.wall))
        }
        ladder.raise(.pirSilent, sensor: p.sensor,
                     .pirSilent(p.sensor, for: now.monotonic - p.lastMotion.monotonic, doorUses: p.doorUses), at: now, into: &out)
    }

    /// Fires what is due. Returns the sensors newly declared stuck (their motion no longer
    /// counts as a sign of life).
    mutating func expire(at now: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision], stuck: inout [SensorID]) {
        defer { refreshDeadline() }
        for i in pirs.indices {
            if pirs[i].stuckDeadline <= now.monotonic {
                pirs[i].stuckDeadline = .never
                if !pirs[i].stuck {
                    pirs[i].stuck = true
                    pirs[i].episodeDeadline = .never
                    stuck.append(pirs[i].sensor)
                    ladder.raise(.pirStuck, sensor: pirs[i].sensor, .pirStuck(pirs[i].sensor, for: stuckAfter), at: now, into: &out)
                }
            }
            if pirs[i].episodeDeadline <= now.monotonic {
                pirs[i].episodeDeadline = .never
                pirs[i].stuck = true
                pirs[i].retriggering = true
                pirs[i].stuckDeadline = .never
                // Low at the verdict (between two bursts): quiet from its last fall, if it stays so.
                if !pirs[i].high, pirs[i].lastFall != .never { pirs[i].quietDeadline = pirs[i].lastFall + Self.quietToRecover }
                stuck.append(pirs[i].sensor)
                ladder.raise(.pirStuck, sensor: pirs[i].sensor,
                             .pirRetriggering(pirs[i].sensor, for: stuckAfter, pause: retriggerPause), at: now, into: &out)
            }
            if pirs[i].quietDeadline <= now.monotonic {
                pirs[i].quietDeadline = .never
                pirs[i].stuck = false
                pirs[i].retriggering = false
                let s = pirs[i].sensor
                ladder.clear(.pirStuck, sensor: s, cancel: .quietAgain(s, for: Self.quietToRecover),
                             resolve: .quietAgain(s, for: Self.quietToRecover), at: now, into: &out)
            }
            if pirs[i].silentDeadline <= now.monotonic {
                pirs[i].silentDeadline = .never
                checkSilent(i, at: now, ladder: &ladder, into: &out)
            }
        }
    }
}
