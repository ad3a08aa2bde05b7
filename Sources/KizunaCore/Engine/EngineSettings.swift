/// Everything the core needs to know about one installation: its sensors and its
/// thresholds. Built by the runtime from `kizuna.yaml` (defaults below are what a flat
/// gets when the file says nothing).
public struct EngineSettings: Sendable {
    public var sensors: SensorRegistry
    /// Per sensor: read inverted (normally-closed contact, active-low wiring).
    public var inverted: [Bool]
    public var utcOffset: UTCOffset
    public var ringCapacity: Int

    public var contactSettle: Span
    public var pirHold: Span

    public var occupancy: OccupancySettings
    public var rules: RuleSettings
    public var ladder: LadderSettings
    public var environment: EnvironmentSettings
    /// The learned routine (issue 8); nil: the fixed day and night limits only.
    public var routine: RoutineSettings?

    public init(
        sensors: SensorRegistry,
        inverted: [Bool]? = nil,
        utcOffset: UTCOffset = .japan,
        ringCapacity: Int = 4096,
        contactSettle: Span = .milliseconds(30),
        pirHold: Span = .seconds(10),
        occupancy: OccupancySettings = .init(),
        rules: RuleSettings = .init(),
        ladder: LadderSettings = .init(),
        environment: EnvironmentSettings = .init(),
        routine: RoutineSettings? = nil
    ) {
        self.sensors = sensors
        self.inverted = inverted ?? Array(repeating: false, count: sensors.count)
        self.utcOffset = utcOffset
        self.ringCapacity = ringCapacity
        self.contactSettle = contactSettle
        self.pirHold = pirHold
        self.occupancy = occupancy
        self.rules = rules
        self.ladder = ladder
        self.environment = environment
        self.routine = routine
    }

    /// The night window in the flat's local time.
    public var night: DailyWindow {
        DailyWindow(start: occupancy.nightStart, end: occupancy.nightEnd, offset: utcOffset)
    }
}

public struct OccupancySettings: Sendable, Equatable {
    /// After a door event with no motion for this long, the flat is empty.
    public var awayConfirmation: Span = .minutes(15)
    /// Quiet for this long at night: resting (asleep).
    public var restingAtNight: Span = .minutes(30)
    /// Quiet for this long by day: resting (a nap, a long sit).
    public var restingByDay: Span = .hours(1)
    /// One PIR trigger alone is not the resident while the flat reads away (no door used just
    /// before) or while an inactivity alarm is out: a trigger of another PIR (of the same one
    /// if the flat has only one) within this long is needed (a sunbeam, a draught or a twitch must not bring an empty flat "home" or
    /// call off the authority). A door or the button always counts. Zero: every trigger counts.
    public var strayTrigger: Span = .minutes(10)
    /// While the authority has declared her away (`DeclaredAbsence`), someone home for less
    /// than this is a visit: when they leave, the declaration holds. Zero: any presence is
    /// her return and ends it.
    public var visit: Span = .hours(3)
    public var nightStart = TimeOfDay(hour: 22)
    public var nightEnd = TimeOfDay(hour: 7)
    public init() {}
}

public struct RuleSettings: Sendable, Equatable {
    /// No sign of life while home, by day and at night.
    public var inactivityByDay: Span = .hours(3)
    public var inactivityAtNight: Span = .hours(10)
    /// Door left open, by day and at night (stricter).
    public var doorOpenByDay: Span = .minutes(30)
    public var doorOpenAtNight: Span = .minutes(5)
    /// A PIR whose output stays high without a break this long is stuck.
    public var pirStuckAfter: Span = .hours(2)
    /// A PIR silent this long while the door keeps being used may be dead.
    public var pirSilentAfter: Span = .days(3)
    /// How many door openings since the PIR's last motion make its silence suspicious.
    public var pirSilentDoorUses: Int = 2
    public init() {}
}

public struct LadderSettings: Sendable, Equatable {
    /// How long the local pre-alarm sounds before the network alarm goes out.
    public var preAlarmGrace: Span = .minutes(3)
    /// An unacknowledged alarm is sent again this often.
    public var repeatEvery: Span = .minutes(15)
    public init() {}
}

extension EngineSettings {
    /// By sensor index: whether the sensor is in one of the routine's rooms of rest.
    var atRest: [Bool] {
        let rooms = routine?.restRooms ?? []
        return sensors.sensors.map { rooms.contains($0.room) }
    }

    /// By sensor index, for the fixed limits: whether the sensor is in a room of rest (the
    /// routine's, or its default ones with the routine off); empty when none is.
    var atRestForFixedLimits: [Bool] {
        let rooms = routine?.restRooms ?? RoutineSettings().restRooms
        let r = sensors.sensors.map { rooms.contains($0.room) }
        return r.contains(true) ? r : []
    }

    /// The routine as the engine runs it: without rooms of rest when no sensor is in one (a
    /// flat with no bedroom PIR judges all silences alike, and keeps one kind of them).
    public var routineInForce: RoutineSettings? {
        guard var r = routine else { return nil }
        if !atRest.contains(true) { r.restRooms = [] }
        return r
    }
}
