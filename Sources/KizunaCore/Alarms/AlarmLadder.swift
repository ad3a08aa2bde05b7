/// An alarm that has been raised and is not yet over.
public struct OpenAlarm: Sendable, Equatable {
    public enum Phase: String, Sendable { case preAlarm = "prealarm", alarm, acknowledged }

    public var id: UInt64
    public var kind: AlarmKind
    public var sensor: SensorID
    public var raisedAt: Timestamp
    public var phase: Phase
    public var repeats: Int
    /// End of the grace time (pre-alarm) or the next repeat (alarm); `.never` once acknowledged.
    public var deadline: MonotonicInstant
    /// Why it was raised.
    public var reason: AlarmReason

    public init(id: UInt64, kind: AlarmKind, sensor: SensorID, raisedAt: Timestamp, phase: Phase, repeats: Int,
                deadline: MonotonicInstant, reason: AlarmReason) {
        self.id = id
        self.kind = kind
        self.sensor = sensor
        self.raisedAt = raisedAt
        self.phase = phase
        self.repeats = repeats
        self.deadline = deadline
        self.reason = reason
    }
}

/// The escalation ladder: pre-alarm (local buzzer; the resident may cancel) → network
/// alarm → repeat every `repeatEvery` until acknowledged → resolved when activity (or the
/// fixed condition) is seen again. Each step is a decision value for the loop to apply.
public struct AlarmLadder: Sendable {
    public var settings: LadderSettings
    public private(set) var open: [OpenAlarm] = [] {
        // Alarms change seldom and the timers ask for the next step at every pass (with
        // pir-stuck alarms open for days, that was a scan of them each time).
        didSet {
            deadline = Self.earliest(open)
            hasAnyInactivity = open.contains { $0.kind.isInactivity }
        }
    }
    /// Whether an alarm about a silent resident is open (every movement asks).
    public private(set) var hasAnyInactivity = false
    public private(set) var buzzer: BuzzerPattern = .off
    public var nextID: UInt64 = 1

    public init(settings: LadderSettings) {
        self.settings = settings
        open.reserveCapacity(32)
    }

    public var isEmpty: Bool { open.isEmpty }

    /// The next step of any open alarm (`.never` if none), kept with `open`.
    public private(set) var deadline: MonotonicInstant = .never

    static func earliest(_ open: [OpenAlarm]) -> MonotonicInstant {
        var d = MonotonicInstant.never
        for i in open.indices where open[i].deadline < d { d = open[i].deadline }   // no copy of each alarm
        return d
    }

    public func isOpen(_ kind: AlarmKind, sensor: SensorID = .none) -> Bool {
        open.contains { $0.kind == kind && $0.sensor == sensor }
    }

    public func alarm(id: UInt64) -> OpenAlarm? { open.first { $0.id == id } }

    /// Raises an alarm unless one of the same kind for the same sensor is already open.
    public mutating func raise(_ kind: AlarmKind, sensor: SensorID = .none, _ reason: AlarmReason, at time: Timestamp, into out: inout [Decision]) {
        guard !isOpen(kind, sensor: sensor) else { return }
        let id = nextID
        nextID += 1
        if kind.hasPreAlarm {
            open.append(OpenAlarm(id: id, kind: kind, sensor: sensor, raisedAt: time, phase: .preAlarm, repeats: 0,
                                  deadline: time.monotonic + settings.preAlarmGrace, reason: reason))
            out.append(.alarm(AlarmStep(alarmID: id, kind: kind, sensor: sensor, step: .preAlarm, at: time, reason: reason)))
        } else {
            open.append(OpenAlarm(id: id, kind: kind, sensor: sensor, raisedAt: time, phase: .alarm, repeats: 0,
                                  deadline: kind.repeats ? time.monotonic + settings.repeatEvery : .never, reason: reason))
            out.append(.alarm(AlarmStep(alarmID: id, kind: kind, sensor: sensor, step: .alarm, at: time, reason: reason)))
        }
        updateBuzzer(at: time, into: &out)
    }

    /// The condition went away: a pre-alarm is cancelled (`cancel` says why), an alarm is
    /// resolved (`resolve` says why). `sensor == nil` matches any sensor of that kind.
    public mutating func clear(_ kind: AlarmKind, sensor: SensorID? = nil, cancel: AlarmReason, resolve: AlarmReason,
                               at time: Timestamp, into out: inout [Decision]) {
        var i = 0
        var changed = false
        while i < open.count {
            // The kind and sensor first: this runs at every movement while any alarm is open,
            // and most are of another kind (copying a whole alarm costs more than the check).
            guard open[i].kind == kind, sensor == nil || open[i].sensor == sensor else {
                i += 1
                continue
            }
            let a = open.remove(at: i)
            let isPre = a.phase == .preAlarm
            out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: isPre ? .cancel : .resolve,
                                        at: time, reason: isPre ? cancel : resolve)))
            changed = true
        }
        if changed { updateBuzzer(at: time, into: &out) }
    }

    /// Cancels every pre-alarm (the resident pressed the button). Returns the kinds cancelled.
    public mutating func cancelPreAlarms(_ reason: AlarmReason, at time: Timestamp, into out: inout [Decision]) -> [AlarmKind] {
        var cancelled: [AlarmKind] = []
        var i = 0
        while i < open.count {
            if open[i].phase == .preAlarm {
                let a = open.remove(at: i)
                cancelled.append(a.kind)
                out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: .cancel, at: time, reason: reason)))
            } else {
                i += 1
            }
        }
        if !cancelled.isEmpty { updateBuzzer(at: time, into: &out) }
        return cancelled
    }

    public var hasPreAlarm: Bool { open.contains { $0.phase == .preAlarm } }

    /// Whether an alarm about a silent resident is open in its pre-alarm (`preAlarm: true`) or
    /// past it. Asked at every movement: indices, so that no alarm is copied.
    @inline(__always) func hasInactivity(preAlarm: Bool) -> Bool {
        hasAnyInactivity && hasOpenInactivity(preAlarm: preAlarm)
    }

    /// Whether an alarm about her silence (`inactivity`, `inactivity.not-up`) has gone to
    /// the authority and nobody there has acknowledged it yet.
    func hasSilenceAlarmOut() -> Bool {
        guard hasAnyInactivity else { return false }
        for i in open.indices where (open[i].kind == .inactivity || open[i].kind == .inactivityNotUp) && open[i].phase == .alarm { return true }
        return false
    }

    func hasOpenInactivity(preAlarm: Bool) -> Bool {
        for i in open.indices where open[i].kind.isInactivity && (open[i].phase == .preAlarm) == preAlarm { return true }
        return false
    }

    /// Someone has taken the alarm in hand: repeats stop. A help call is then over. Only an
    /// alarm that went out: a pre-alarm is hers to cancel by moving, and acknowledged it would
    /// never escalate (a silence with no network alarm at all, an "acknowledge" sent for an
    /// alarm the receiver never had).
    @discardableResult
    public mutating func acknowledge(id: UInt64, by who: String, at time: Timestamp, into out: inout [Decision]) -> Bool {
        guard let i = open.firstIndex(where: { $0.id == id }), open[i].phase == .alarm else { return false }
        open[i].phase = .acknowledged
        open[i].deadline = .never
        let a = open[i]
        out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: .acknowledge, at: time, reason: .acknowledged(by: who))))
        if a.kind == .help || a.kind == .test {
            open.remove(at: i)
            out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: .resolve, at: time, reason: .acknowledged(by: who))))
        }
        updateBuzzer(at: time, into: &out)
        return true
    }

    /// Escalates pre-alarms whose grace has run out and repeats unacknowledged alarms.
    public mutating func expire(at now: Timestamp, into out: inout [Decision]) {
        if !retiring.isEmpty { resolveRetired(at: now, into: &out) }
        var changed = false
        for i in open.indices where open[i].deadline <= now.monotonic {
            let a = open[i]
            // Due at its deadline; one that came due while the device was off (restored after
            // a restart, the engine catching up) is sent once, as of now, and the next repeat
            // counts from now: not one repeat for every 15 min the device was dark, each
            // stamped at a moment when nothing ran.
            let due = max(a.deadline, now.monotonic)
            let at = now.advanced(to: due)
            switch a.phase {
            case .preAlarm:
                open[i].phase = .alarm
                open[i].deadline = a.kind.repeats ? due + settings.repeatEvery : .never
                out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: .alarm, at: at, reason: a.reason)))
                changed = true
            case .alarm:
                open[i].repeats += 1
                open[i].deadline = due + settings.repeatEvery
                out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: .repeat, at: at,
                                            reason: .stillUnacknowledged(times: open[i].repeats))))
            case .acknowledged:
                open[i].deadline = .never
            }
        }
        if changed { updateBuzzer(at: now, into: &out) }
    }

    /// Moves every pending step (grace end, repeat) later: the system was offline for
    /// `span` and sent nothing meanwhile.
    mutating func postpone(by span: Span) {
        for i in open.indices where open[i].deadline != .never { open[i].deadline = open[i].deadline + span }
    }

    /// Alarms restored about a sensor no longer configured, with why: resolved at the boot.
    var retiring: [UInt64: String] = [:]

    /// Puts back an alarm whose sensor was removed from the configuration (the technician's
    /// fix for a broken chip), due at `boot`: it is then resolved, saying why. Kept open,
    /// no rule could ever clear it (they clear by sensor), and the receivers would hold it
    /// firing, a door-open one repeating every 15 min, for ever.
    public mutating func retire(_ alarm: OpenAlarm, because why: String, at boot: Timestamp) {
        var a = alarm
        a.deadline = boot.monotonic
        retiring[a.id] = why
        restore(a)
    }

    mutating func resolveRetired(at now: Timestamp, into out: inout [Decision]) {
        var i = 0
        while i < open.count {
            guard open[i].deadline <= now.monotonic, let why = retiring.removeValue(forKey: open[i].id) else {
                i += 1
                continue
            }
            let a = open.remove(at: i)
            out.append(.alarm(AlarmStep(alarmID: a.id, kind: a.kind, sensor: a.sensor, step: a.phase == .preAlarm ? .cancel : .resolve,
                                        at: now, reason: .systemRecovered(why))))
        }
        updateBuzzer(at: now, into: &out)
    }

    /// Puts back an alarm read from the store after a restart.
    public mutating func restore(_ alarm: OpenAlarm) {
        open.append(alarm)
        nextID = max(nextID, alarm.id + 1)
        buzzer = wantedBuzzer
    }

    var wantedBuzzer: BuzzerPattern {
        if open.contains(where: { $0.phase == .alarm && $0.kind.soundsLocally }) { return .alarm }
        if open.contains(where: { $0.phase == .preAlarm }) { return .preAlarm }
        return .off
    }

    mutating func updateBuzzer(at time: Timestamp, into out: inout [Decision]) {
        let wanted = wantedBuzzer
        guard wanted != buzzer else { return }
        buzzer = wanted
        out.append(.buzzer(wanted, at: time))
    }
}
