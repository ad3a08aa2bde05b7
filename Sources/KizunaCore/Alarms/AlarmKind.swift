/// What an alarm is about. The raw value is the `kind` the authority sees.
public enum AlarmKind: String, Sendable, CaseIterable {
    /// No sign of life while the resident is presumed home.
    case inactivity
    /// Not up by the usual time: no sign of life this morning, the learned usual first
    /// activity passed by a margin (the routine's "not up by 10:00", learned per resident).
    case inactivityNotUp = "inactivity.not-up"
    /// Not back: out (the door, then no one) for longer than any outing the routine
    /// remembers, by a margin. A fall in the street or a resident lost cannot be seen by the
    /// flat's sensors; her not coming back can.
    case inactivityNotBack = "inactivity.not-back"
    /// The resident pressed the help button.
    case help
    /// The entrance door stayed open too long.
    case doorOpen = "door-open"
    /// A PIR's output stayed high without a break: it cannot see anyone any more.
    case pirStuck = "pir-stuck"
    /// A PIR silent for days while the door is used: it may be dead.
    case pirSilent = "pir-silent"
    /// A sensor went offline or lies (CRC, NACK, stuck value).
    case sensorFault = "sensor-fault"
    /// The flat's record cannot be written (disk full, I/O error): alarms still fire.
    case storeFault = "store-fault"
    /// An installer's test of the whole path; marked as a test everywhere.
    case test
    /// A room's WBGT held in the severe-warning band (厳重警戒, 28+): someone should see to
    /// the air conditioner today.
    case heat
    /// A room's WBGT held in the danger band (危険, 31+): the elderly are at risk even at
    /// rest. Supersedes an open `heat` alarm of the same room.
    case heatDanger = "heat-danger"
    /// A room held below the cold threshold for hours: risk of hypothermia.
    case cold
    /// CO2 held high: air the room. A notice, sent once; it never wakes anyone.
    case ventilation

    public var severity: AlarmSeverity {
        switch self {
        case .inactivity, .inactivityNotUp, .inactivityNotBack, .help, .heatDanger: .critical
        case .doorOpen, .heat, .cold: .warning
        case .pirStuck, .pirSilent, .sensorFault, .storeFault: .fault
        case .test, .ventilation: .info
        }
    }

    /// Whether a local pre-alarm (buzzer) gives the resident a chance to cancel first.
    public var hasPreAlarm: Bool { isInactivity || self == .doorOpen }

    /// Whether an unacknowledged alarm is sent again every `repeatEvery`. Faults are sent
    /// once: they need a technician's visit, not an on-call person woken every 15 minutes;
    /// so are notices (`info`: a stuffy room).
    public var repeats: Bool { severity >= .warning }

    /// Whether the buzzer sounds while the network alarm is out and not acknowledged (not
    /// for "not back": she is not there to hear it, the neighbours are; its pre-alarm still
    /// lets a resident who was home unseen cancel it by moving).
    public var soundsLocally: Bool { self == .inactivity || self == .inactivityNotUp || self == .help }

    /// Alarms about a silent resident (their kinds start with `inactivity`).
    public var isInactivity: Bool { self == .inactivity || self == .inactivityNotUp || self == .inactivityNotBack }
}

public enum AlarmSeverity: String, Sendable, Comparable {
    case info, fault, warning, critical
    var rank: Int {
        switch self {
        case .info: 0
        case .fault: 1
        case .warning: 2
        case .critical: 3
        }
    }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One rung of the ladder. The raw value is the `type` of a JSON line.
public enum AlarmStepKind: String, Sendable {
    /// Local buzzer only; the resident may cancel.
    case preAlarm = "prealarm"
    /// The network alarm goes out.
    case alarm
    /// Sent again: still not acknowledged.
    case `repeat`
    /// The pre-alarm was cancelled by the resident (motion, button) or the condition went away.
    case cancel
    case acknowledge
    /// Activity (or the fixed condition) was seen again: over.
    case resolve
}

/// Why an alarm step happened. Rendered to words with the sensor names.
public enum AlarmReason: Sendable, Equatable {
    case silence(for: Span, limit: Span, atNight: Bool, lastSign: SensorID)
    /// Not up by the learned usual time plus the margin.
    case notUp(for: Span, lastSign: SensorID)
    /// Out since `lastSign` (the door) for longer than her outings allow (`limit`).
    case notBack(for: Span, limit: Span, lastSign: SensorID)
    /// Not back after a declared absence: expected back `late` ago, the limit counted from then.
    case notBackAfterDeclared(for: Span, late: Span, limit: Span, lastSign: SensorID)
    case doorOpen(SensorID, for: Span, limit: Span, atNight: Bool)
    case pirStuck(SensorID, for: Span)
    /// One motion episode for `for`: the PIR retriggered all along, never quiet for `pause`.
    case pirRetriggering(SensorID, for: Span, pause: Span)
    /// A PIR found retriggering stayed quiet for `for`: trusted again.
    case quietAgain(SensorID, for: Span)
    case pirSilent(SensorID, for: Span, doorUses: Int)
    case sensorFault(SensorID, SensorFault)
    case helpButton(SensorID)
    case graceExpired(Span)
    case stillUnacknowledged(times: Int)
    case cancelledByMotion(SensorID)
    case cancelledByButton(SensorID)
    case doorClosed(SensorID)
    case activitySeen(SensorID)
    case sensorRecovered(SensorID)
    case acknowledged(by: String)
    /// The authority declared the resident away (`DeclaredAbsence`).
    case declaredAway(by: String)
    case test(by: String)
    /// Read back from the store after a restart (the words it was stored with).
    case restored(String)
    /// A part of the device itself failing (the store), and its recovery.
    case systemFault(String)
    case systemRecovered(String)
    /// An environment condition held long enough (heat band, cold, CO2): what was seen.
    case environment(SensorID, EnvironmentEvidence)
    /// The condition was left: readings held past threshold ∓ hysteresis long enough.
    case environmentEased(SensorID, EnvironmentEvidence)
    /// Replaced by a more severe alarm of the same condition (`heat` → `heat-danger`).
    case superseded(by: AlarmKind)
    /// No sign of life for the limit in force, shortened because a sustained VOC rise
    /// (`rise` percent over its baseline, seen by `voc`) coincides with the silence.
    case silenceWithVOCRise(for: Span, limit: Span, normalLimit: Span, atNight: Bool, lastSign: SensorID, rise: Int, voc: SensorID)

    public func describe(_ sensors: SensorRegistry) -> String {
        switch self {
        case .silence(let f, let l, let n, let s):
            let last = s == .none ? "since start" : "since \(sensors.name(s))"
            return "no sign of life for \(f) \(last) (\(n ? "night" : "day") limit \(l))"
        case .notUp(let f, let s):
            let last = s == .none ? "since start" : "since \(sensors.name(s))"
            return "not up by the usual time: no sign of life for \(f) \(last)"
        case .notBack(let f, let l, let s):
            let last = s == .none ? "" : " since \(sensors.name(s))"
            return "not back: out for \(f)\(last) (longest outing remembered, with its margin: \(l))"
        case .notBackAfterDeclared(let f, let late, let l, let s):
            let last = s == .none ? "" : " since \(sensors.name(s))"
            return "not back: out for \(f)\(last), declared back \(late) ago (limit after the declared return: \(l))"
        case .doorOpen(let d, let f, let l, let n): return "\(sensors.name(d)) open for \(f) (\(n ? "night" : "day") limit \(l))"
        case .pirStuck(let s, let f): return "\(sensors.name(s)) output high without a break for \(f)"
        case .pirRetriggering(let s, let f, let p): return "\(sensors.name(s)) \(Self.retriggering) for \(f), never quiet for \(p)"
        case .quietAgain(let s, let f): return "\(sensors.name(s)) quiet again for \(f)"
        case .pirSilent(let s, let f, let u): return "\(sensors.name(s)) silent for \(f) while the door was used \(u) times"
        case .sensorFault(let s, let f): return "\(sensors.name(s)) fault: \(f.name)"
        case .helpButton(let s): return "help requested with \(sensors.name(s))"
        case .graceExpired(let g): return "pre-alarm not cancelled within \(g)"
        case .stillUnacknowledged(let n): return "not acknowledged (repeat \(n))"
        case .cancelledByMotion(let s): return "cancelled by motion in \(sensors.name(s))"
        case .cancelledByButton(let s): return "cancelled by \(sensors.name(s))"
        case .doorClosed(let s): return "\(sensors.name(s)) closed"
        case .activitySeen(let s): return "activity seen again (\(sensors.name(s)))"
        case .sensorRecovered(let s): return "\(sensors.name(s)) answers again"
        case .acknowledged(let who): return "acknowledged by \(who)"
        case .declaredAway(let who): return "declared away by \(who)"
        case .test(let who): return "TEST alarm requested by \(who)"
        case .restored(let text): return text
        case .systemFault(let text): return text
        case .systemRecovered(let text): return text
        case .environment(let s, let e): return e.describe(room: Self.room(s, sensors))
        case .environmentEased(let s, let e): return e.describe(room: Self.room(s, sensors))
        case .superseded(let kind): return "superseded by \(kind.rawValue)"
        case .silenceWithVOCRise(let f, let l, let normal, let n, let s, let rise, let voc):
            let last = s == .none ? "since start" : "since \(sensors.name(s))"
            return "no sign of life for \(f) \(last) (\(n ? "night" : "day") limit \(normal), shortened to \(l)) " +
                "and a sustained VOC rise (+\(rise) %) in \(Self.room(voc, sensors))"
        }
    }

    /// The words that tell a retriggering PIR's alarm from a held-high one, also once read
    /// back from the store (`restored`).
    static let retriggering = "retriggering without a pause"

    /// Whether this is (or was stored as) the reason of a PIR found retriggering.
    var isRetriggering: Bool {
        switch self {
        case .pirRetriggering: true
        case .restored(let text): text.contains(Self.retriggering)
        default: false
        }
    }

    /// The room a sensor watches (its name if the registry does not know it).
    static func room(_ s: SensorID, _ sensors: SensorRegistry) -> String {
        s == .none || Int(s.index) >= sensors.count ? sensors.name(s) : sensors[s].room
    }
}

/// A step of an alarm's ladder, as a value the loop applies (log it, deliver it).
public struct AlarmStep: Sendable, Equatable {
    public var alarmID: UInt64
    public var kind: AlarmKind
    public var sensor: SensorID
    public var step: AlarmStepKind
    public var at: Timestamp
    public var reason: AlarmReason
    public var severity: AlarmSeverity { kind.severity }
}

/// What the local buzzer should be doing.
public enum BuzzerPattern: String, Sendable {
    case off
    /// Short beeps: "a call is about to be made; move or press the button".
    case preAlarm = "prealarm"
    /// Continuous pulses: help is being called.
    case alarm
    /// One short chirp (walk test).
    case chirp
}
