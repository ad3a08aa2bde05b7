/// What happened, after the input filters: the vocabulary of the ring, the rules and the log.
public enum EventKind: UInt8, Sendable, CaseIterable {
    case motionStarted
    case motionEnded
    case doorOpened
    case doorClosed
    case buttonPressed
    /// An environmental reading; the quantity is the sensor's kind, the value is in `value`.
    case reading
    /// The sensor stopped answering or lies (CRC, NACK, stuck); `value` holds a `SensorFault` code.
    case sensorFault
    case sensorRecovered
    /// A room's heat band changed (recorded even when it calls nobody): the sensor is the
    /// room's temperature sensor, `value` the `HeatBand` entered (0 caution … 3 danger).
    case heatBand
    /// A sustained VOC rise was confirmed (`value`: percent over the baseline) or ended (0).
    case vocRise
    /// A help button let go (a pull-cord reset). Not a sign of life: it is kept so that a
    /// restart knows whether the cord was still pulled when the device stopped.
    case buttonReleased
    /// A PIR trigger not taken as the resident when it came, and its end: held back for a
    /// second trigger (`strayTrigger`: the flat reads empty, or an alarm about her silence has
    /// gone out; if one follows, that one is her motion), or from a PIR found stuck. Kept, so
    /// that the authority's log shows the PIR fired and what the runtime made of it; not a
    /// sign of life, so that a restart does not count her silence from a draught.
    case strayMotionStarted
    case strayMotionEnded

    public var name: String {
        switch self {
        case .motionStarted: "motion-start"
        case .motionEnded: "motion-end"
        case .doorOpened: "door-open"
        case .doorClosed: "door-close"
        case .buttonPressed: "button"
        case .reading: "reading"
        case .sensorFault: "fault"
        case .sensorRecovered: "recovered"
        case .heatBand: "heat-band"
        case .vocRise: "voc-rise"
        case .buttonReleased: "button-release"
        case .strayMotionStarted: "stray-motion-start"
        case .strayMotionEnded: "stray-motion-end"
        }
    }

    /// Whether the event's `value` means something (a reading, the heat band 0–3, the VOC
    /// rise in percent): stored and printed with it.
    public var hasValue: Bool { self == .reading || self == .heatBand || self == .vocRise }

    /// A PIR's output, whether or not it was taken as the resident (the PIR works).
    @inlinable public var isMotion: Bool {
        switch self {
        case .motionStarted, .motionEnded, .strayMotionStarted, .strayMotionEnded: true
        default: false
        }
    }

    /// A sign that someone is alive and moving in the flat.
    @inlinable public var isSignOfLife: Bool {
        switch self {
        case .motionStarted, .motionEnded, .doorOpened, .doorClosed, .buttonPressed: true
        default: false
        }
    }
}

/// Why a sensor is faulty. Stored in an event's `value` as its raw value.
public enum SensorFault: UInt8, Sendable {
    case offline = 1, crc, noAcknowledge, stuckValue, outOfRange, eventOverflow

    public var name: String {
        switch self {
        case .offline: "offline"
        case .crc: "crc-error"
        case .noAcknowledge: "no-ack"
        case .stuckValue: "stuck-value"
        case .outOfRange: "out-of-range"
        case .eventOverflow: "event-overflow"
        }
    }
}

/// One event: small, trivially copyable, allocation-free.
public struct Event: Hashable, Sendable {
    public var time: Timestamp
    public var sensor: SensorID
    public var kind: EventKind
    public var value: Double

    @inlinable public init(time: Timestamp, sensor: SensorID, kind: EventKind, value: Double = 0) {
        self.time = time
        self.sensor = sensor
        self.kind = kind
        self.value = value
    }
}

/// Raw input from a source, before the filters.
public enum Observation: Sendable, Equatable {
    /// A GPIO line changed level (raw, before inversion), with the kernel's timestamp.
    case level(SensorID, high: Bool, at: Timestamp)
    /// A measured value (already in the sensor's unit).
    case reading(SensorID, value: Double, at: Timestamp)
    case fault(SensorID, SensorFault, at: Timestamp)
    case recovered(SensorID, at: Timestamp)

    @inlinable public var time: Timestamp {
        switch self {
        case .level(_, _, let t), .reading(_, _, let t), .fault(_, _, let t), .recovered(_, let t): t
        }
    }
}
