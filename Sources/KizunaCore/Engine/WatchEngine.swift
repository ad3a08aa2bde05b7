/// The whole watch-over logic as a pure function of observations and time.
///
/// `handle(_:into:)` takes one raw observation, `tick(at:into:)` lets time pass; both
/// append decisions (state changes, alarm steps, buzzer patterns) to a buffer the loop
/// owns and applies. No I/O, no clock reads: tests drive it with a virtual clock, and a
/// replay of months of data runs through the same code as the device.
///
/// Timers (debounce settle, PIR hold, away confirmation, rule limits, the ladder's grace
/// and repeats) are deadlines on the monotonic clock. Each is fired at its own instant,
/// however coarsely `tick` is called, so an alarm's time is exactly what the thresholds
/// imply. The per-event path keeps only a lower bound of the next deadline and allocates
/// nothing.
public struct WatchEngine: Sendable {
    /// The settings in force (changed in place by `reconfigure(_:)`).
    public private(set) var settings: EngineSettings
    /// Recent events, oldest overwritten first.
    public let ring: EventRing<Event>
    var channels: [InputChannel]
    /// Each channel's deadline and a bound of the earliest. Updated with every change to a
    /// channel.
    var channelTimers: ChannelTimers
    public private(set) var occupancy: OccupancyMachine
    public private(set) var inactivity: InactivityRule
    var doorOpen: DoorOpenRule
    var pirHealth: PIRHealthRule
    /// Heat, cold, CO2 and the VOC rise that aggravates a silence.
    public private(set) var environment: EnvironmentMonitor
    /// Whether the resident was presumed home when the environment rules last heard.
    var lastPresumedHome = true
    public private(set) var ladder: AlarmLadder
    /// The latest time the engine has seen.
    public private(set) var now: Timestamp
    /// Lower bound of the next deadline; exact deadlines are computed only when it is reached.
    var earliest: MonotonicInstant = .never
    /// Lower bound of every deadline but the input channels' (kept as `earliest` is, with
    /// `lower`): while it is ahead, a timer pass fires the channels alone (`fireTimers`).
    var othersBound: MonotonicInstant = .never
    /// PIRs whose current episode no longer counts (declared stuck while active).
    var discounted: [Bool]
    /// A PIR trigger held back until a second one corroborates it (`strayTrigger`).
    var heldTrigger: (sensor: SensorID, at: Timestamp)?
    /// A door was used while an alarm about her silence was out, and nobody seen since.
    var doorSinceSilenceAlarm = false
    /// Buttons found held at a restart and taken as pressed then (`resumeButtons`): their
    /// press is a call for help whatever is sounding (not "I'm all right" to a pre-alarm).
    var bootPresses: Set<Int> = []
    /// How many PIRs the flat has: with one, a second trigger of the same PIR corroborates.
    let pirCount: Int
    var stuckScratch: [SensorID] = []
    /// Set by `reconfigure(_:)` when new limits put a deadline before the moment they took
    /// effect: such a timer fires at that moment, not in the past (a pre-alarm keeps its
    /// grace time). Cleared once time has been handled up to it.
    var catchUp: MonotonicInstant?
    /// What the learned routine knew when it was switched off, to resume from if it is
    /// switched on again in this run.
    var shelvedRoutine: RoutineState?
    /// The authority's "away until", while in force (ended by her return or the authority;
    /// a visit suspends it).
    public private(set) var declaredAbsence: DeclaredAbsence? {
        didSet { visiting = declaredAbsence?.visitSince != nil }
    }
    /// Someone is home under the declared absence (`visitEnd` is a timer). A plain Bool for
    /// the timer path: testing the optional struct there costs a value-witness call.
    var visiting = false

    public init(settings: EngineSettings, start: Timestamp) {
        self.settings = settings
        self.ring = EventRing(capacity: settings.ringCapacity)
        self.now = start
        let night = settings.night
        channels = settings.sensors.sensors.indices.map { i in
            InputChannel(kind: settings.sensors.sensors[i].kind, inverted: settings.inverted[i],
                         settle: settings.contactSettle, hold: settings.pirHold)
        }
        channelTimers = ChannelTimers(count: channels.count)
        occupancy = OccupancyMachine(settings: settings.occupancy, night: night)
        var fixed = FixedSilenceLimits(byDay: settings.rules.inactivityByDay, atNight: settings.rules.inactivityAtNight, night: night)
        fixed.atRest = settings.atRestForFixedLimits
        if let r = settings.routineInForce {
            inactivity = InactivityRule(policy: RoutineSilencePolicy(model: RoutineModel(settings: r, offset: settings.utcOffset), fallback: fixed,
                                                                     atRest: settings.atRest),
                                        start: start)
        } else {
            inactivity = InactivityRule(policy: fixed, start: start)
        }
        doorOpen = DoorOpenRule(byDay: settings.rules.doorOpenByDay, atNight: settings.rules.doorOpenAtNight, night: night)
        pirHealth = PIRHealthRule(stuckAfter: settings.rules.pirStuckAfter, silentAfter: settings.rules.pirSilentAfter,
                                  doorUsesNeeded: settings.rules.pirSilentDoorUses, pause: settings.pirHold,
                                  pirs: settings.sensors.ids(of: .pir), sensorCount: settings.sensors.count, start: start)
        environment = EnvironmentMonitor(settings: settings.environment, sensors: settings.sensors)
        ladder = AlarmLadder(settings: settings.ladder)
        discounted = Array(repeating: false, count: settings.sensors.count)
        pirCount = settings.sensors.sensors.filter { $0.kind == .pir }.count
        stuckScratch.reserveCapacity(settings.sensors.count)
        earliest = earliestDeadline()
    }

    // MARK: - Inputs

    /// Sets a contact's level read at start-up, so that it is not reported as a change. A
    /// door found open is watched from now, as one opened now (`restore`, which comes after,
    /// may know since when); a button held is no call for help.
    public mutating func prime(_ sensor: SensorID, rawLevel: Bool) {
        let i = Int(sensor.index)
        let active = rawLevel != channels[i].inverted
        guard channels[i].kind != .pir else {
            // A PIR found high is not taken as her (one stuck high would be, at every boot),
            // but it is held high from now: stuck since before the start, it is judged stuck
            // as one that sticks later (it never rose, and was never judged).
            if active, !channels[i].motion.isRawHigh {
                channels[i].motion.primeHigh(at: now)
                var none: [Decision] = []
                lower(pirHealth.rawRose(sensor, at: now, ladder: &ladder, into: &none))
            }
            return
        }
        channels[i].debouncer.prime(active)
        channelTimers.set(i, channels[i].deadline)
        if channels[i].kind == .door, active {
            doorOpen.opened(sensor, at: now)
            lower(doorOpen.deadline)
        }
    }

    /// Replaces the inactivity policy (the learned routine plugs in here).
    public mutating func setSilencePolicy(_ policy: any SilencePolicy) {
        inactivity.replacePolicy(policy)   // the old policy's cached deadlines go with it
        earliest = earliestDeadline()
    }

    /// Takes one raw observation. Timers due before it fire first.
    public mutating func handle(_ observation: Observation, into out: inout [Decision]) {
        let t = observation.time
        if t.monotonic >= earliest { fireTimers(upTo: t, into: &out) }
        if t.monotonic > now.monotonic { now = t }
        switch observation {
        case .level(let s, let high, let t):
            edge(s, high != channels[Int(s.index)].inverted, at: t, into: &out)
        case .reading(let s, let value, let t):
            // A reading is only sent by a sensor that answers: one still taken as faulty (its
            // fault restored after a restart, which the poller does not know of) has recovered.
            if environment.isFaulted(s) { sensorRecovered(s, at: t, into: &out) }
            ring.push(Event(time: t, sensor: s, kind: .reading, value: value))
            environment.reading(s, value, at: t)
            syncAggravation()
            lower(environment.deadline)
        case .fault(let s, let fault, let t):
            let i = Int(s.index)
            if channels[i].kind == .pir, channels[i].motion.isRawHigh {
                // Its line is lost while high: what it sees is unknown from now. Its motion
                // ends as if it fell now; held open, no silence could be timed until the line
                // came back, and its fall then would be a sign of life she never gave. One
                // found stuck keeps its alarm (a lost line is no sign it is well again).
                if pirHealth.isStuck(s) {
                    _ = channels[i].motion.input(false, at: t)
                    armChannel(i, channels[i].motion.deadline)
                } else {
                    edge(s, false, at: t, into: &out)
                }
            }
            ring.push(Event(time: t, sensor: s, kind: .sensorFault, value: Double(fault.rawValue)))
            environment.sensorFault(s)
            ladder.raise(.sensorFault, sensor: s, .sensorFault(s, fault), at: t, into: &out)
            lower(ladder.deadline)
            doubtSilence()
        case .recovered(let s, let t):
            sensorRecovered(s, at: t, into: &out)
        }
    }

    mutating func sensorRecovered(_ s: SensorID, at t: Timestamp, into out: inout [Decision]) {
        ring.push(Event(time: t, sensor: s, kind: .sensorRecovered))
        environment.sensorRecovered(s)
        ladder.clear(.sensorFault, sensor: s, cancel: .sensorRecovered(s), resolve: .sensorRecovered(s), at: t, into: &out)
    }

    /// Lets time pass to `time`, firing every timer due by then at its own instant.
    public mutating func tick(at time: Timestamp, into out: inout [Decision]) {
        if time.monotonic >= earliest { fireTimers(upTo: time, into: &out) }
        if time.monotonic > now.monotonic { now = time }
    }

    /// When the engine next needs `tick` (`.never` if nothing is pending).
    public mutating func nextDeadline() -> MonotonicInstant {
        earliest = earliestDeadline()
        return earliest
    }

    /// Someone (the authority, the technician) has taken an alarm in hand.
    @discardableResult
    public mutating func acknowledge(alarmID: UInt64, by who: String, at time: Timestamp, into out: inout [Decision]) -> Bool {
        tick(at: time, into: &out)
        guard ladder.acknowledge(id: alarmID, by: who, at: time, into: &out) else { return false }
        // Someone answers for her silence now: a "not back" held back beside it counts again
        // (due already: at the next tick), and the door is a sign of life again.
        if !ladder.hasSilenceAlarmOut() {
            inactivity.notBackMayCountAgain()
            lower(inactivity.notBackDeadline())
        }
        return true
    }

    /// A test alarm through the whole path: raised and resolved at once, marked as a test.
    public mutating func raiseTestAlarm(by who: String, at time: Timestamp, into out: inout [Decision]) {
        tick(at: time, into: &out)
        ladder.raise(.test, .test(by: who), at: time, into: &out)
        ladder.clear(.test, cancel: .test(by: who), resolve: .test(by: who), at: time, into: &out)
    }

    /// The authority declares the resident away until `until` (`DeclaredAbsence`): the flat
    /// reads away from now, the alarms about a silent resident are resolved, and "not back"
    /// counts from `until`. A new declaration replaces the one in force.
    public mutating func declareAbsence(until: Timestamp, by who: String, at time: Timestamp, into out: inout [Decision]) {
        tick(at: time, into: &out)
        heldTrigger = nil
        holdDeclaredAway(DeclaredAbsence(until: until, by: who), at: time, into: &out)
        clearInactivity(cancel: .declaredAway(by: who), resolve: .declaredAway(by: who), at: time, into: &out)
        earliest = earliestDeadline()
    }

    /// Puts the flat away under `d`: a new declaration, or one that outlives an outage.
    mutating func holdDeclaredAway(_ d: DeclaredAbsence, at t: Timestamp, into out: inout [Decision]) {
        declaredAbsence = d
        declaredAbsence?.visitSince = nil
        occupancy.declaredAway(until: d.until.wall, by: d.by, at: t, into: &out)
        presenceMayHaveChanged(at: t, into: &out)
        inactivity.declare(until: d.until)
    }

    /// The authority withdraws its declaration: the flat stays as its sensors say, and "not
    /// back" counts from her departure again. False if none was in force.
    @discardableResult
    public mutating func endDeclaredAbsence(at time: Timestamp, into out: inout [Decision]) -> Bool {
        tick(at: time, into: &out)
        guard declaredAbsence != nil else { return false }
        endDeclaration()
        inactivity.declare(until: nil)
        earliest = earliestDeadline()
        return true
    }

    /// A part of the device itself fails (`active`) or works again: a fault alarm, sent
    /// once, resolved on recovery.
    public mutating func systemFault(_ kind: AlarmKind, active: Bool, detail: String, at time: Timestamp, into out: inout [Decision]) {
        tick(at: time, into: &out)
        if active {
            ladder.raise(kind, .systemFault(detail), at: time, into: &out)
            lower(ladder.deadline)
        } else {
            ladder.clear(kind, cancel: .systemRecovered(detail), resolve: .systemRecovered(detail), at: time, into: &out)
        }
    }

    // MARK: - Per-event path

    /// Something other than an input channel may be due at `d`.
    @inline(__always) mutating func lower(_ d: MonotonicInstant) {
        if d < earliest { earliest = d }
        if d < othersBound { othersBound = d }
    }

    /// Channel `i`'s filter has deadline `d` (`.never`: none).
    @inline(__always) mutating func armChannel(_ i: Int, _ d: MonotonicInstant) {
        channelTimers.set(i, d)
        if d < earliest { earliest = d }
    }

    /// Hands the environment's current VOC rise (if any) to the inactivity rule.
    mutating func syncAggravation() {
        let a = environment.silenceAggravation
        guard a != inactivity.aggravation else { return }
        inactivity.aggravate(a)
        lower(inactivity.lowerBound)
    }

    /// Tells the environment rules when the resident comes home or leaves (coming home
    /// into a hot flat raises the heat alarm held back while away). Only on a change: this
    /// is on the per-event path.
    @inline(__always) mutating func presenceMayHaveChanged(at t: Timestamp, into out: inout [Decision]) {
        let home = occupancy.state.isPresumedHome
        if home != lastPresumedHome {
            presenceChanged(home: home, at: t, into: &out)
        } else if visiting {
            visitMayEndSooner()
        }
    }

    /// Movement may have called off a departure that held the visit's end back (`visitEnd`).
    /// Out of line: the per-event path only tests `visiting`.
    @inline(never) mutating func visitMayEndSooner() { lower(visitEnd) }

    /// The resident came home (`home`) or went out: the rules that care are told.
    mutating func presenceChanged(home: Bool, at t: Timestamp, into out: inout [Decision]) {
        lastPresumedHome = home
        if home {
            let departure = inactivity.awaySince
            inactivity.cameHome(at: t)
            if let d = declaredAbsence {
                if isVisit(under: d, at: t) {
                    // A visit, until it lasts (`visitEnd`): her departure is kept, and what the
                    // visitor does is not learned as her routine.
                    declaredAbsence?.visitSince = t
                    if let dep = departure { declaredAbsence?.departure = .init(time: dep.time, sensor: dep.sensor) }
                    inactivity.pauseLearning()
                    lower(visitEnd)
                } else {
                    endDeclaration()   // she is back
                }
            }
        } else {
            inactivity.wentAway()
            if let d = declaredAbsence, d.visitSince != nil {   // the visitor left
                declaredAbsence?.visitSince = nil
                if let dep = d.departure { inactivity.backdateAbsence(to: dep.time, sensor: dep.sensor) }
                inactivity.declare(until: d.until)
            }
            lower(inactivity.notBackDeadline())
        }
        environment.presence(home: home, at: t, ladder: &ladder, into: &out)
        lower(ladder.deadline)
    }

    mutating func edge(_ s: SensorID, _ level: Bool, at t: Timestamp, into out: inout [Decision]) {
        let i = Int(s.index)
        if channels[i].kind == .pir {
            let wasHigh = channels[i].motion.isRawHigh
            let result = channels[i].motion.input(level, at: t)
            if level, !wasHigh {
                lower(pirHealth.rawRose(s, at: t, ladder: &ladder, into: &out))
            } else if !level, wasHigh {
                lower(pirHealth.rawFell(s, at: t, ladder: &ladder, into: &out))
            }
            armChannel(i, channels[i].motion.deadline)
            if result == .started {
                lower(pirHealth.episodeStarted(s, at: t))
                motionStarted(s, at: t, into: &out)
            } else if level, !wasHigh, occupancy.departurePending, !discounted[i] {
                occupancy.seenAfterDoor(at: t)
            }
        } else {
            channels[i].debouncer.input(level, at: t)
            armChannel(i, channels[i].debouncer.deadline)
        }
    }

    /// Whether one PIR trigger alone (of `s`) is not enough to count: the flat reads away (and
    /// no door was used just before, and `s` is not the sensor that was stuck high when she
    /// was taken to have left), or an inactivity alarm has gone to the authority.
    @inline(__always) func needsCorroboration(_ s: SensorID, at t: Timestamp) -> Bool {
        // A pre-alarm promises that moving cancels it ("not back" sounds one in a flat that
        // reads empty: a resident home unseen answers it).
        if ladder.hasInactivity(preAlarm: true) { return false }
        if occupancy.state == .away, !occupancy.cameThroughDoor(at: t) { return s != occupancy.awayDespite }
        return ladder.hasInactivity(preAlarm: false)
    }

    mutating func motionStarted(_ s: SensorID, at t: Timestamp, into out: inout [Decision]) {
        if pirHealth.isStuck(s) {
            // Found retriggering and not quiet since: what it sees is not taken as her (and
            // cancels nothing; the button and the other sensors do).
            ring.push(Event(time: t, sensor: s, kind: .strayMotionStarted))
            discounted[Int(s.index)] = true
            return
        }
        let window = settings.occupancy.strayTrigger
        if window > .zero, needsCorroboration(s, at: t) {
            if let held = heldTrigger, t.monotonic - held.at.monotonic <= window, held.sensor != s || pirCount == 1 {
                heldTrigger = nil
            } else {
                // Held back: if no other PIR follows, it was not the resident (a PIR that
                // retriggers alone is what a sunbeam or a draught does). Its end is not a
                // sign of life either.
                heldTrigger = (s, t)
                discounted[Int(s.index)] = true
                ring.push(Event(time: t, sensor: s, kind: .strayMotionStarted))
                return
            }
        }
        ring.push(Event(time: t, sensor: s, kind: .motionStarted))
        occupancy.motionStarted(s, at: t, into: &out)
        inactivity.motionStarted(s, at: t, found: doorSinceSilenceAlarm)
        doubtSilence()
        if !ladder.isEmpty {
            clearInactivity( cancel: .cancelledByMotion(s), resolve: .activitySeen(s), at: t, into: &out)
        }
        presenceMayHaveChanged(at: t, into: &out)
    }

    mutating func motionEnded(_ s: SensorID, lastSeen: Timestamp, into out: inout [Decision]) {
        if discounted[Int(s.index)] {
            ring.push(Event(time: lastSeen, sensor: s, kind: .strayMotionEnded))
            discounted[Int(s.index)] = false
            return
        }
        ring.push(Event(time: lastSeen, sensor: s, kind: .motionEnded))
        occupancy.motionEnded(s, lastSeen: lastSeen)
        inactivity.motionEnded(s, lastSeen: lastSeen)
        doubtSilence()
        lower(occupancy.deadline)
        lower(inactivity.lowerBound)
    }

    mutating func contactSettled(_ s: SensorID, active: Bool, at t: Timestamp, into out: inout [Decision]) {
        switch channels[Int(s.index)].kind {
        case .door:
            ring.push(Event(time: t, sensor: s, kind: active ? .doorOpened : .doorClosed))
            occupancy.doorUsed(s, opened: active, declared: declaredAbsence != nil, at: t, into: &out)
            if ladder.hasSilenceAlarmOut() {
                // The authority was told she has been silent: the door alone does not say she
                // is all right. Someone coming in to her moves in view (which resolves it, as
                // found); a neighbour who looks in and leaves, a door rattled, a contact
                // glitching must not end it, nor start a new silence.
                doorSinceSilenceAlarm = true
            } else {
                inactivity.signOfLife(s, at: t, found: true)
                doubtSilence()
                if !ladder.isEmpty {
                    clearInactivity( cancel: .activitySeen(s), resolve: .activitySeen(s), at: t, into: &out)
                }
            }
            presenceMayHaveChanged(at: t, into: &out)
            if active {
                doorOpen.opened(s, at: t)
                pirHealth.doorOpened(at: t, ladder: &ladder, into: &out)
                forgetLearnedBlind(at: t)
                doubtSilence()   // a PIR found silent at this door use: the silence from here too
            } else {
                doorOpen.closed(s, at: t, ladder: &ladder, into: &out)
            }
        case .button:
            guard active else {
                // Kept (not a sign of life): at a restart, whether the cord was still pulled.
                ring.push(Event(time: t, sensor: s, kind: .buttonReleased))
                return
            }
            ring.push(Event(time: t, sensor: s, kind: .buttonPressed))
            occupancy.presence(s, at: t, into: &out)
            presenceMayHaveChanged(at: t, into: &out)
            // Pressed once help was called: maybe someone finding her. Her own "I'm all
            // right" to a pre-alarm is her, as her motion is.
            inactivity.signOfLife(s, at: t, found: ladder.hasInactivity(preAlarm: false))
            doubtSilence()
            if ladder.hasPreAlarm, bootPresses.remove(Int(s.index)) == nil {
                // "I'm all right": the button cancels what is about to be called.
                let cancelled = ladder.cancelPreAlarms(.cancelledByButton(s), at: t, into: &out)
                if cancelled.contains(.doorOpen) { doorOpen.silenceOpenDoors() }
                clearInactivity( cancel: .cancelledByButton(s), resolve: .activitySeen(s), at: t, into: &out)
            } else {
                // Otherwise the button is a call for help.
                clearInactivity( cancel: .cancelledByButton(s), resolve: .activitySeen(s), at: t, into: &out)
                ladder.raise(.help, sensor: s, .helpButton(s), at: t, into: &out)
            }
        default:
            break
        }
        lower(min(occupancy.deadline, doorOpen.deadline, ladder.deadline, pirHealth.deadline, inactivity.lowerBound))
    }

    /// While a motion sensor or a door is in doubt (a PIR found silent, a line lost),
    /// the silence from now on is not learned as her routine (`InactivityRule.doNotLearnSilence`).
    /// Called after each sign of life and each such alarm raised.
    @inline(__always) mutating func doubtSilence() {
        if !ladder.isEmpty, sensorInDoubt() { inactivity.doNotLearnSilence() }
    }

    /// A PIR just found silent (dead, or her room unused for days): the days learned since
    /// its last motion were learned blind in its room, and are forgotten (`RoutineModel.forgetDays`);
    /// from now on nothing is learned while its alarm is open (`doubtSilence`). Not a
    /// replay's activity contact (a cupboard unused for days is no blind sensor).
    @inline(__always) mutating func forgetLearnedBlind(at t: Timestamp) {
        guard !pirHealth.foundSilent.isEmpty else { return }
        for (s, since) in pirHealth.foundSilent where !isActivityContact(s) {
            inactivity.forgetLearned(from: since, through: t.wall)
        }
        pirHealth.foundSilent.removeAll()
        lower(inactivity.lowerBound)   // its limits may come sooner now
        lower(inactivity.notBackDeadline())
        // A limit now passed sounds its pre-alarm now, with its whole grace (she is likely in
        // the room of the dead PIR), not dated back and sent at once.
        catchUp = max(catchUp ?? t.monotonic, t.monotonic)
    }

    @inline(never) func sensorInDoubt() -> Bool {
        ladder.open.contains { a in
            switch a.kind {
            // Not a PIR found stuck: its alarm already calls the technician, and NEARS's
            // radio losses (140 "stuck" spells in 281 days) paused learning so often that
            // false alarms rose from 0.90 to 1.06 per 30 days (EVALUATION.md).
            // A replay's activity contact (`activity.NAME`: a cupboard unused for days) is
            // not a dead sensor; learning goes on.
            case .pirSilent: return !isActivityContact(a.sensor)
            case .sensorFault:
                let i = Int(a.sensor.index)
                return i < channels.count && (channels[i].kind == .pir || channels[i].kind == .door)
            default: return false
            }
        }
    }

    func isActivityContact(_ s: SensorID) -> Bool {
        Int(s.index) < settings.sensors.count && settings.sensors.sensors[Int(s.index)].isActivityContact
    }

    /// Clears the alarms about a silent resident (the silence, not up, not back).
    mutating func clearInactivity(cancel: AlarmReason, resolve: AlarmReason, at t: Timestamp, into out: inout [Decision]) {
        doorSinceSilenceAlarm = false
        guard ladder.hasAnyInactivity else { return }
        ladder.clear(.inactivity, cancel: cancel, resolve: resolve, at: t, into: &out)
        ladder.clear(.inactivityNotUp, cancel: cancel, resolve: resolve, at: t, into: &out)
        ladder.clear(.inactivityNotBack, cancel: cancel, resolve: resolve, at: t, into: &out)
    }

    // MARK: - Timers

    /// The next deadline, or no later than it. Exact up to `horizon` but for the PIR health
    /// checks, whose bound may be early (`PIRHealthRule.deadline`: a pass of `expire` at it
    /// finds nothing due and makes it exact). Beyond `horizon` the inactivity rule answers
    /// with its cheap lower bound: its exact deadline asks the routine, and the events of a
    /// recording come seconds apart while a silence limit is an hour or more away.
    /// Sets `othersBound` on the way.
    mutating func deadline(within horizon: MonotonicInstant) -> MonotonicInstant {
        var others = min(occupancy.deadline, doorOpen.deadline, pirHealth.deadline, ladder.deadline)
        others = min(others, environment.deadline)
        others = min(others, inactivity.notBackDeadline())
        if visiting { others = min(others, visitEnd) }
        let d = min(others, channelTimers.bound)
        var silence = inactivity.lowerBound
        if silence < d, silence <= horizon { silence = inactivity.deadline() }
        othersBound = min(others, silence)
        return min(d, silence)
    }

    /// `deadline(within:)` with no horizon: the inactivity rule exact too.
    mutating func earliestDeadline() -> MonotonicInstant { deadline(within: .never) }

    /// Fires every timer due by `limit`, each at its own instant. Starts at `earliest` without
    /// looking again: it is at or before the next deadline, and a pass of `expire` at a moment
    /// when nothing is due changes nothing (one deadline search saved per timer fired).
    ///
    /// Most passes are the end of a motion episode (82 000 in a NEARS replay) while every
    /// other timer is an hour or more away: when `othersBound` says nothing else can be due,
    /// the pass fires the channels alone and the next deadline is the channels' or that
    /// bound (whatever the channels armed lowered it), without asking every rule again.
    mutating func fireTimers(upTo limit: Timestamp, into out: inout [Decision]) {
        var d = earliest
        while d <= limit.monotonic {
            var at = now.advanced(to: d)
            if let c = catchUp, d < c { at = now.advanced(to: c) }
            if d > now.monotonic { now = at }
            if othersBound > at.monotonic {
                fireChannels(at: at, into: &out)
                if othersBound > at.monotonic {
                    d = min(channelTimers.bound, othersBound)
                    assert(isBound(d), "a timer pass skipped a deadline")
                    continue
                }
                expireRules(at: at, into: &out)   // the channels armed something due now
            } else {
                expire(at: at, into: &out)
            }
            d = deadline(within: limit.monotonic)
        }
        earliest = d
        if let c = catchUp, limit.monotonic >= c { catchUp = nil }
    }

    /// Debug builds: whether `d` is at or before every deadline, asked of a copy.
    func isBound(_ d: MonotonicInstant) -> Bool {
        var probe = self
        return d <= probe.earliestDeadline()
    }

    /// Fires everything due at `at`.
    mutating func expire(at: Timestamp, into out: inout [Decision]) {
        fireChannels(at: at, into: &out)
        expireRules(at: at, into: &out)
    }

    /// Fires the input channels due at `at`: a contact settles, a motion episode ends.
    mutating func fireChannels(at: Timestamp, into out: inout [Decision]) {
        if channelTimers.bound <= at.monotonic {
            var next = MonotonicInstant.never
            channelTimers.beginPass()
            for w in 0..<channelTimers.words {
                var due = channelTimers.takeDue(word: w, at: at.monotonic, next: &next)
                while due != 0 {   // in channel order
                    let i = w << 6 | due.trailingZeroBitCount
                    due &= due &- 1
                    let s = SensorID(i)
                    if channels[i].kind == .pir {
                        if case .ended(let lastSeen) = channels[i].motion.expire() {
                            pirHealth.episodeEnded(s)
                            motionEnded(s, lastSeen: lastSeen, into: &out)
                        }
                    } else if let settled = channels[i].debouncer.expire() {
                        contactSettled(s, active: settled.level, at: settled.at, into: &out)
                    }
                }
            }
            channelTimers.endPass(next: next)
        }
    }

    /// Fires the occupancy machine's and the rules' timers due at `at`, and the alarms' steps.
    mutating func expireRules(at: Timestamp, into out: inout [Decision]) {
        if occupancy.deadline <= at.monotonic {
            occupancy.expire(at: at, into: &out)
            presenceMayHaveChanged(at: at, into: &out)
        }
        if environment.deadline <= at.monotonic {
            environment.expire(at: at, ladder: &ladder, ring: ring, into: &out)
            syncAggravation()
        }
        if inactivity.lowerBound <= at.monotonic, inactivity.deadline() <= at.monotonic {
            inactivity.expire(at: at, presumedHome: occupancy.state.isPresumedHome, ladder: &ladder, into: &out)
        }
        if inactivity.notBackDeadline() <= at.monotonic { inactivity.expireNotBack(at: at, ladder: &ladder, into: &out) }
        if doorOpen.deadline <= at.monotonic { doorOpen.expire(at: at, ladder: &ladder, into: &out) }
        if pirHealth.deadline <= at.monotonic {
            stuckScratch.removeAll(keepingCapacity: true)
            pirHealth.expire(at: at, ladder: &ladder, into: &out, stuck: &stuckScratch)
            forgetLearnedBlind(at: at)
            doubtSilence()
            for s in stuckScratch where channels[Int(s.index)].motion.active && !discounted[Int(s.index)] {
                discounted[Int(s.index)] = true
                occupancy.motionDiscounted(s, at: at, into: &out)
                inactivity.motionDiscounted()
                presenceMayHaveChanged(at: at, into: &out)
            }
        }
        if ladder.deadline <= at.monotonic { ladder.expire(at: at, into: &out) }
        if visiting, visitEnd <= at.monotonic { endDeclaration() }   // home this long: she is back
    }

    /// When the presence under way during a declared absence becomes her return. A departure
    /// being confirmed (the door, then no motion) decides first: a visitor who leaves a few
    /// minutes before the visit's length is still a visitor.
    var visitEnd: MonotonicInstant {
        guard let since = declaredAbsence?.visitSince, let until = declaredAbsence?.until else { return .never }
        let end = min(since.monotonic + settings.occupancy.visit, until.monotonic)
        let leaving = occupancy.awayDeadline
        return leaving == .never ? end : max(end, leaving)
    }

    /// When someone home under the declared absence will be taken as her return (nil: nobody
    /// is home under one).
    public var declaredVisitEnds: Timestamp? {
        let e = visitEnd
        return e == .never ? nil : now.advanced(to: e)
    }

    /// Whether someone home at `t` under `d` is taken for a visit rather than her return.
    func isVisit(under d: DeclaredAbsence, at t: Timestamp) -> Bool {
        settings.occupancy.visit > .zero && t.monotonic < d.until.monotonic
    }

    /// The declaration is over (her return, or the authority): her signs are learned again.
    mutating func endDeclaration() {
        declaredAbsence = nil
        inactivity.resumeLearning()
    }

    // MARK: - Data gaps

    /// The whole system heard nothing from `from` to `to` (a hub outage in a recording, a
    /// device switched off): nothing is known about the resident during the gap, so it
    /// must never read as silence.
    ///
    /// Timers due by `from` fire first; then the PIRs' episodes are forgotten, occupancy
    /// goes back to `.unknown` (without a transition: the caller reports the gap), the
    /// silence count and the PIR health timers restart at `to`, and whatever was pending on
    /// the alarm ladder and the open-door timers is moved later by the gap's length (no
    /// repeat was sent while nothing ran). Contacts keep their last level: a door open
    /// before the gap is still taken as open. The engine must not be ticked through the
    /// gap; the next call after this one is at `to` or later.
    public mutating func systemWasOffline(from: Timestamp, to: Timestamp, into out: inout [Decision]) {
        tick(at: from, into: &out)
        guard to.monotonic > from.monotonic else { return }
        let gap = to.monotonic - from.monotonic
        let declared = declaredAbsence
        for i in channels.indices where channels[i].kind == .pir {
            channels[i] = InputChannel(kind: .pir, inverted: settings.inverted[i], settle: settings.contactSettle, hold: settings.pirHold)
            channelTimers.set(i, .never)
            discounted[i] = false
        }
        heldTrigger = nil
        occupancy = OccupancyMachine(settings: settings.occupancy, night: settings.night)
        let policy = inactivity.policy
        inactivity = InactivityRule(policy: policy, start: to)
        pirHealth = PIRHealthRule(stuckAfter: settings.rules.pirStuckAfter, silentAfter: settings.rules.pirSilentAfter,
                                  doorUsesNeeded: settings.rules.pirSilentDoorUses, pause: settings.pirHold,
                                  pirs: settings.sensors.ids(of: .pir), sensorCount: settings.sensors.count, start: to)
        doorOpen.postpone(by: gap)
        ladder.postpone(by: gap)
        now = to
        syncAggravation()
        presenceMayHaveChanged(at: to, into: &out)
        if let d = declared { holdDeclaredAway(d, at: to, into: &out) }   // what the authority said outlives the outage
        earliest = earliestDeadline()
    }

    // MARK: - Restart recovery

    /// What the store remembers, on the engine's time base (the caller maps stored wall
    /// times onto this boot's monotonic clock).
    public struct Recollection: Sendable {
        public var occupancy: OccupancyState
        public var lastSign: Timestamp?
        public var lastSignSensor: SensorID
        public var lastMotion: [SensorID: Timestamp]
        public var openAlarms: [OpenAlarm]
        public var nextAlarmID: UInt64
        /// The authority's "away until" in force when the device stopped.
        public var declaredAbsence: DeclaredAbsence?
        /// Whether the silence under way still began where `lastSignSensor` is: false after
        /// the device was off for a while (she may have gone to bed unseen), when it is
        /// judged by all silences, as one in bed is.
        public var lastSignPlaceKnown: Bool
        /// Whether the silence under way may be learned when it ends: false after the device
        /// was off for more than a few minutes (what she did meanwhile was not seen).
        public var lastSignLearnable: Bool
        /// The doors whose last stored event is an opening, with its time.
        public var doorsOpenedAt: [SensorID: Timestamp]
        /// Those of them whose door-open pre-alarm she cancelled since that opening.
        public var doorsSilenced: Set<SensorID>
        /// Open alarms (by id, in `openAlarms`) about a sensor no longer in the configuration,
        /// with why: nothing could ever clear them, so they are resolved at the boot.
        public var retired: [UInt64: String]
        /// When each button was last pressed (stored): one found held at the boot that was not
        /// held at the stop was pulled while the device was off.
        public var lastButtonPress: [SensorID: Timestamp]
        /// For each button with a release stored: whether its last stored event is a release
        /// (let go when the device stopped). Absent: a store from before releases were kept.
        public var buttonReleasedAtStop: [SensorID: Bool]
        /// The VOC readings stored in the hours before the stop, oldest first: the VOC watches'
        /// baselines and a rise in force are rebuilt from them.
        public var vocReadings: [(sensor: SensorID, at: Timestamp, value: Double)]
        /// Each PIR's last output, stray triggers included (`lastMotion` is her motion only):
        /// a PIR that fired is not silent, whether or not it was taken as her.
        public var lastTrigger: [SensorID: Timestamp] = [:]
        /// A door was used while the alarm about her silence (still open) was out: her next
        /// motion may be someone coming in to her.
        public var doorSinceSilenceAlarm = false

        public init(occupancy: OccupancyState, lastSign: Timestamp?, lastSignSensor: SensorID, lastMotion: [SensorID: Timestamp],
                    openAlarms: [OpenAlarm], nextAlarmID: UInt64, declaredAbsence: DeclaredAbsence? = nil, lastSignPlaceKnown: Bool = true,
                    lastSignLearnable: Bool = true, doorsOpenedAt: [SensorID: Timestamp] = [:], doorsSilenced: Set<SensorID> = [], retired: [UInt64: String] = [:],
                    lastButtonPress: [SensorID: Timestamp] = [:], buttonReleasedAtStop: [SensorID: Bool] = [:],
                    vocReadings: [(sensor: SensorID, at: Timestamp, value: Double)] = [], lastTrigger: [SensorID: Timestamp] = [:],
                    doorSinceSilenceAlarm: Bool = false) {
            self.lastTrigger = lastTrigger
            self.doorSinceSilenceAlarm = doorSinceSilenceAlarm
            self.retired = retired
            self.vocReadings = vocReadings
            self.lastButtonPress = lastButtonPress
            self.buttonReleasedAtStop = buttonReleasedAtStop
            self.doorsOpenedAt = doorsOpenedAt
            self.doorsSilenced = doorsSilenced
            self.declaredAbsence = declaredAbsence
            self.lastSignPlaceKnown = lastSignPlaceKnown
            self.lastSignLearnable = lastSignLearnable
            self.occupancy = occupancy
            self.lastSign = lastSign
            self.lastSignSensor = lastSignSensor
            self.lastMotion = lastMotion
            self.openAlarms = openAlarms
            self.nextAlarmID = nextAlarmID
        }
    }

    /// Puts back the state of before a restart: a resident silent for 10 h before a reboot
    /// is still silent for 10 h after it, and open alarms go on where they were.
    public mutating func restore(_ r: Recollection) {
        let lastMotionEver = r.lastMotion.values.max { $0.monotonic < $1.monotonic }
        occupancy.restore(r.occupancy, lastMotion: lastMotionEver)
        if let sign = r.lastSign { inactivity.restore(lastSign: sign, sensor: r.lastSignSensor, placeKnown: r.lastSignPlaceKnown,
                                                          learnable: r.lastSignLearnable) }
        if let sign = r.lastSign, Int(r.lastSignSensor.index) < channels.count, channels[Int(r.lastSignSensor.index)].kind == .door {
            occupancy.resumeDeparture(door: r.lastSignSensor, at: sign)   // the door, then no motion: maybe out
        }
        let fired = r.lastMotion.merging(r.lastTrigger) { $0.monotonic > $1.monotonic ? $0 : $1 }
        for (s, t) in fired { pirHealth.restore(s, lastMotion: t) }
        pirHealth.adopt(r.openAlarms, at: now)
        // An inactivity alarm still open: the silence raised it then, not at this boot.
        if let raised = r.openAlarms.filter({ $0.kind == .inactivity || $0.kind == .inactivityNotUp }).map(\.raisedAt.wall).min() {
            inactivity.raisedAt = raised
        }
        for a in r.openAlarms {
            if let why = r.retired[a.id] { ladder.retire(a, because: why, at: now) } else { ladder.restore(a) }
        }
        doorSinceSilenceAlarm = r.doorSinceSilenceAlarm && ladder.hasInactivity(preAlarm: false)
        resumeDoors(r)
        resumeButtons(r)
        environment.adopt(r.openAlarms, presumedHome: occupancy.state.isPresumedHome)
        environment.recall(vocReadings: r.vocReadings)
        syncAggravation()
        lastPresumedHome = occupancy.state.isPresumedHome
        if !lastPresumedHome { inactivity.wentAway() }   // out since the last sign before the restart
        if let d = r.declaredAbsence {
            if !lastPresumedHome {   // still away: the declaration holds
                declaredAbsence = d
                inactivity.declare(until: d.until)
            } else if isVisit(under: d, at: now) {
                // Someone was home under the declaration: a visit, counted again from now.
                declaredAbsence = DeclaredAbsence(until: d.until, by: d.by, visitSince: now)
                inactivity.pauseLearning()
            }
        }
        ladder.nextID = max(ladder.nextID, r.nextAlarmID)
        doubtSilence()   // a sensor still in doubt: the silence under way is not learned either
        earliest = earliestDeadline()
        catchUpIfOverdue()
    }

    /// Each door contact primed at this boot, against the stored alarms and openings
    /// (`DoorOpenRule.resume`). A door whose level was not read is left as it is.
    mutating func resumeDoors(_ r: Recollection) {
        for i in channels.indices where channels[i].kind == .door {
            guard let open = channels[i].debouncer.stable else { continue }
            let s = SensorID(i)
            let alarm = r.openAlarms.first { $0.kind == .doorOpen && $0.sensor == s }
            doorOpen.resume(s, open: open, openedBefore: open ? r.doorsOpenedAt[s] : nil, alarmRaised: alarm?.raisedAt,
                            silenced: open && r.doorsSilenced.contains(s), at: now)
        }
    }

    /// A help button found held at the boot (`prime`: no call) that was not held when the
    /// device stopped: a latching pull-cord pulled while the device was off (in a power cut,
    /// in the dark). Taken as pressed now: it settles and calls for help at the first tick.
    /// One still pulled at the stop was stored, and called then (its alarm is restored),
    /// however long ago. One found let go that was stored pulled was reset meanwhile: its
    /// release is stored now, so that a pull in a later power cut is seen as new.
    mutating func resumeButtons(_ r: Recollection) {
        for i in channels.indices where channels[i].kind == .button {
            guard let held = channels[i].debouncer.stable else { continue }
            let s = SensorID(i)
            let pressed = r.lastButtonPress[s]
            let heldAtStop: Bool
            if let released = r.buttonReleasedAtStop[s] {
                heldAtStop = pressed != nil && !released
            } else if let p = pressed {
                // A store from before releases were kept: a press within the day is this one.
                heldAtStop = now.monotonic - p.monotonic < Self.buttonHeldRecently
            } else {
                heldAtStop = false
            }
            if held, !heldAtStop {
                channels[i].debouncer.prime(false)
                channels[i].debouncer.input(true, at: now)
                channelTimers.set(i, channels[i].deadline)
                bootPresses.insert(i)
            } else if !held, pressed != nil, r.buttonReleasedAtStop[s] != true {
                ring.push(Event(time: now, sensor: s, kind: .buttonReleased))
            }
        }
    }

    /// In a store from before releases were kept, a button held at the boot and pressed
    /// (stored) this recently is that press, still held.
    static let buttonHeldRecently: Span = .hours(24)

    /// What came due while the device was off fires now, as of now, not at its past instant:
    /// a silence whose limit passed during a power cut sounds its pre-alarm at the boot and
    /// leaves her the whole grace to cancel it, instead of going out at once with its grace
    /// already spent.
    mutating func catchUpIfOverdue() {
        catchUp = earliest < now.monotonic ? now.monotonic : nil
    }

    // MARK: - The learned routine

    /// The learned routine as numbers, for the store (empty with fixed limits).
    public var routineState: RoutineState { inactivity.routineState ?? RoutineState(values: []) }

    /// Puts back a saved routine; a state of another shape is ignored (learning starts
    /// again, the fixed limits apply meanwhile). Returns whether it was taken. With the
    /// routine off it is kept aside (false): switched on in this run, it resumes from what
    /// was learned, not from nothing (whose first save would have overwritten weeks of it).
    @discardableResult
    public mutating func restoreRoutine(_ s: RoutineState) -> Bool {
        guard inactivity.policy is RoutineSilencePolicy else {
            if inactivity.policy is FixedSilenceLimits { shelvedRoutine = s }
            return false
        }
        let taken = inactivity.restoreRoutine(s)
        earliest = earliestDeadline()
        catchUpIfOverdue()
        return taken
    }

    // MARK: - Reconfiguration

    /// Why a new configuration cannot be taken over by the running engine (it must restart), or nil if it can.
    /// Sensors (names, kinds, rooms, order), inversion, ring capacity and the UTC offset need a restart.
    public func reasonReconfigureNeedsRestart(_ new: EngineSettings) -> String? {
        var reasons: [String] = []
        if new.sensors != settings.sensors {
            reasons.append("sensors changed (names, kinds, rooms or order): \(settings.sensors.count) configured, \(new.sensors.count) in the new configuration")
        }
        if new.inverted != settings.inverted { reasons.append("sensor inversion changed") }
        if new.ringCapacity != settings.ringCapacity {
            reasons.append("ring capacity changed from \(settings.ringCapacity) to \(new.ringCapacity)")
        }
        if new.utcOffset != settings.utcOffset { reasons.append("UTC offset changed from \(settings.utcOffset) to \(new.utcOffset)") }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// Takes over new thresholds and limits, keeping state. Precondition: reasonReconfigureNeedsRestart(new) == nil.
    ///
    /// The change takes effect at `now` (tick first to bring it up to date). Occupancy, the
    /// last sign of life, the open alarms, the learned routine, each PIR's and each
    /// environment tracker's state are kept; only what the settings decide changes:
    ///
    /// - **Recomputed** from the moment each timer counts from, under the new limits: the
    ///   debounce of a contact still settling (from its last edge), the end of a motion
    ///   episode (from when the PIR fell), away confirmation (from the door event), resting
    ///   (from the last motion), the inactivity deadline (from the last sign of life), an
    ///   open door not yet alarmed on (from its opening), a PIR's stuck (from its rise) and
    ///   silent (from its last motion) checks, and the environment's band changes (from
    ///   their runs' starts). A deadline that the new limits put before `now` fires at
    ///   `now` on the next tick, not in the past: a pre-alarm keeps its grace time, and no
    ///   repeats are sent for time already gone.
    /// - **Kept**: the steps already scheduled for open alarms (a pre-alarm's end of grace,
    ///   the next repeat); new `ladder` settings apply to alarms raised afterwards and to
    ///   the repeats after the one scheduled. An alarm already raised stays open under
    ///   lengthened limits until its condition ends (the rule re-arms then).
    /// - **Environment**: a threshold or hysteresis change restarts that tracker's runs
    ///   from its last reading (the level and its alarm hold until readings decide); a
    ///   change of durations alone keeps the runs. A `vocSignal` change restarts the VOC
    ///   watches (see `EnvironmentMonitor.reconfigure`).
    /// - **Routine**: new routine settings rebuild the model and put back what it learned
    ///   (a different `slotMinutes` cannot take it: learning starts again, the fixed limits
    ///   apply meanwhile). Switching the routine off keeps what it learned in the engine
    ///   (not in `routineState`); switching it on again in this run resumes from it. A
    ///   policy installed with `setSilencePolicy(_:)` (neither the fixed limits nor the
    ///   routine) is left as it is.
    public mutating func reconfigure(_ new: EngineSettings) {
        if let reason = reasonReconfigureNeedsRestart(new) {
            preconditionFailure("this configuration needs a restart: \(reason)")
        }
        let old = settings
        settings = new
        let night = new.night
        let nightChanged = night != old.night
        if new.contactSettle != old.contactSettle || new.pirHold != old.pirHold {
            for i in channels.indices {
                channels[i].debouncer.reconfigure(settle: new.contactSettle)
                channels[i].motion.reconfigure(hold: new.pirHold)
                channelTimers.set(i, channels[i].deadline)
            }
            pirHealth.pause = new.pirHold
        }
        if new.occupancy != old.occupancy || nightChanged {
            occupancy.reconfigure(new.occupancy, night: night)
        }
        if new.rules.inactivityByDay != old.rules.inactivityByDay || new.rules.inactivityAtNight != old.rules.inactivityAtNight
            || nightChanged || new.routine != old.routine {
            reconfigureSilencePolicy(new)
        }
        if new.rules.doorOpenByDay != old.rules.doorOpenByDay || new.rules.doorOpenAtNight != old.rules.doorOpenAtNight || nightChanged {
            doorOpen.reconfigure(byDay: new.rules.doorOpenByDay, atNight: new.rules.doorOpenAtNight, night: night)
        }
        if new.rules.pirStuckAfter != old.rules.pirStuckAfter || new.rules.pirSilentAfter != old.rules.pirSilentAfter
            || new.rules.pirSilentDoorUses != old.rules.pirSilentDoorUses {
            pirHealth.reconfigure(stuckAfter: new.rules.pirStuckAfter, silentAfter: new.rules.pirSilentAfter,
                                  doorUsesNeeded: new.rules.pirSilentDoorUses)
        }
        environment.reconfigure(new.environment, at: now.monotonic)
        syncAggravation()
        ladder.settings = new.ladder
        earliest = earliestDeadline()
        catchUp = earliest < now.monotonic ? now.monotonic : nil
    }

    /// Builds the inactivity policy of `new` as `init` does, keeping what the routine learned.
    mutating func reconfigureSilencePolicy(_ new: EngineSettings) {
        let current = inactivity.policy
        guard current is FixedSilenceLimits || current is RoutineSilencePolicy else { return }
        var fixed = FixedSilenceLimits(byDay: new.rules.inactivityByDay, atNight: new.rules.inactivityAtNight, night: new.night)
        fixed.atRest = new.atRestForFixedLimits
        guard let r = new.routineInForce else {
            if let learned = current.routineState { shelvedRoutine = learned }
            inactivity.replacePolicy(fixed)
            return
        }
        if let running = current as? RoutineSilencePolicy, running.model.settings == r {
            inactivity.replacePolicy(RoutineSilencePolicy(model: running.model, fallback: fixed, atRest: new.atRest))
            return
        }
        var model = RoutineModel(settings: r, offset: new.utcOffset)
        if let learned = current.routineState ?? shelvedRoutine {
            model.restore(learned)
        }
        shelvedRoutine = nil
        inactivity.replacePolicy(RoutineSilencePolicy(model: model, fallback: fixed, atRest: new.atRest))
    }

    // MARK: - Reading the state

    /// Open alarms, oldest first.
    public var openAlarms: [OpenAlarm] { ladder.open }
    public var buzzer: BuzzerPattern { ladder.buzzer }
    public var state: OccupancyState { occupancy.state }
}
