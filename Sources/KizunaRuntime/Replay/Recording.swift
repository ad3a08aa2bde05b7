import KizunaCore

/// A recorded stretch of a home's life, ready to play through the engine: the sensors it
/// feeds, its observations in time order, and the times of the events that feed no
/// sensor (ignored sensors, periodic readings) — those still prove the system was up,
/// which is how a data gap is told from a silent resident.
///
/// A recording has one clock: every `Timestamp`'s monotonic instant is its wall time in
/// nanoseconds since the epoch.
public struct Recording: Sendable {
    public var format: RecordingFormat
    /// The engine's sensors, in order of first appearance in the recording.
    public var sensors: SensorRegistry
    /// Sorted by time (ties keep file order).
    public var observations: [Observation]
    /// Sorted times of events that feed no sensor.
    public var otherEvents: [WallTime]
    /// The first and last event of any kind.
    public var first: WallTime
    public var last: WallTime
    /// Lines skipped as broken (`--lenient`).
    public var skipped: Int
    /// The offset of the recording's clock: times given on the command line are read on
    /// it and the replay's output is printed on it (UTC for NEARS and CASAS).
    public var clock: UTCOffset
    /// The flat's local time, for the engine's night window (NEARS: Sherbrooke, -05:00,
    /// without DST; CASAS: the recording's clock, which is already local time).
    public var local: UTCOffset
    /// Sensors a mapping file names that never occur in the recording (a misspelt name, a
    /// CASAS key without its location): warned of, never silently nothing.
    public var unseenMapped: [String] = []
    /// Observations made for the engine, not recorded: each activity contact change is a
    /// pulse, its fall made here (`RecordingBuilder.level`).
    public var derived = 0

    public init(format: RecordingFormat, sensors: SensorRegistry, observations: [Observation], otherEvents: [WallTime] = [],
                first: WallTime, last: WallTime, skipped: Int = 0, clock: UTCOffset = .utc, local: UTCOffset = .utc) {
        self.format = format
        self.sensors = sensors
        self.observations = observations
        self.otherEvents = otherEvents
        self.first = first
        self.last = last
        self.skipped = skipped
        self.clock = clock
        self.local = local
    }

    /// How many recorded events the first `count` observations are (the pulses' falls made
    /// for the engine are not): what a replay's summary calls its events.
    public func recordedEvents(inFirst count: Int) -> Int {
        guard derived > 0 else { return count }
        let pulsed = Set(sensors.sensors.indices.filter { sensors.sensors[$0].isActivityContact })
        var made = 0
        for o in observations.prefix(count) {
            if case .level(let s, false, _) = o, pulsed.contains(Int(s.index)) { made += 1 }
        }
        return count - made
    }

    /// Every event of the recording, sign of life or not.
    public var eventCount: Int { observations.count - derived + otherEvents.count }

    /// The stamp of a wall time on the recording's single clock.
    @inlinable public static func stamp(_ wall: WallTime) -> Timestamp {
        Timestamp(monotonic: MonotonicInstant(nanoseconds: wall.nanosecondsSinceEpoch), wall: wall)
    }

    /// Engine settings for playing this recording: the installation's thresholds (`base`,
    /// or the defaults a device ships with, the learned routine on), with the recording's
    /// sensors (none inverted: the readers give logical levels) and its local time for the
    /// night window.
    public func engineSettings(base: EngineSettings? = nil) -> EngineSettings {
        var s = base ?? EngineSettings(sensors: sensors, routine: RoutineSettings())
        s.sensors = sensors
        s.inverted = Array(repeating: false, count: sensors.count)
        s.utcOffset = local
        return s
    }
}
