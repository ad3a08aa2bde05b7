/// Where the resident is, as far as the flat's sensors can tell.
public enum OccupancyState: String, Sendable, CaseIterable {
    /// Not yet known (just installed or started with no history).
    case unknown
    /// Home and active.
    case home
    /// Home and quiet: asleep at night, or a long calm by day.
    case resting
    /// Out: the door was used and no motion followed.
    case away

    /// Whether silence in this state can be an emergency. Unknown counts: with no
    /// evidence of absence, the device errs on the side of calling.
    public var isPresumedHome: Bool { self != .away }
}

/// Why the occupancy changed. Every transition carries one.
public enum OccupancyReason: Sendable, Equatable {
    case motion(SensorID)
    case motionAfterDoor(motion: SensorID, door: SensorID)
    case motionWhileAway(SensorID)
    /// The door used while the flat read away: she is presumed back, not yet seen.
    case doorWhileAway(door: SensorID)
    case doorThenSilence(door: SensorID, quiet: Span)
    /// The door, then no motion but from a sensor since declared stuck (a PIR whose "no
    /// motion" was lost, a fridge door left open): she left when the door was used.
    case doorThenStuck(door: SensorID, stuck: SensorID, quiet: Span)
    case quietAtNight(quiet: Span)
    case longCalm(quiet: Span)
    /// Restored from the store after a restart.
    case restored
    /// The authority declared her away until then (`DeclaredAbsence`).
    case declaredAway(until: WallTime, by: String)

    public func describe(_ sensors: SensorRegistry) -> String {
        switch self {
        case .motion(let s): "motion in \(sensors.name(s))"
        case .motionAfterDoor(let m, let d): "motion in \(sensors.name(m)) after \(sensors.name(d)) was used: back home"
        case .motionWhileAway(let s): "motion in \(sensors.name(s)) while away: a return or a missed door event"
        case .doorWhileAway(let d): "\(sensors.name(d)) used while away: presumed back, not yet seen"
        case .doorThenSilence(let d, let q): "\(sensors.name(d)) used, then no motion for \(q)"
        case .doorThenStuck(let d, let s, let q): "\(sensors.name(d)) used, then no motion for \(q) but from \(sensors.name(s)), stuck"
        case .quietAtNight(let q): "quiet for \(q) at night"
        case .longCalm(let q): "quiet for \(q) by day"
        case .restored: "restored after restart"
        case .declaredAway(_, let who): "declared away by \(who)"
        }
    }
}

public struct OccupancyTransition: Sendable, Equatable {
    public var from: OccupancyState
    public var to: OccupancyState
    public var reason: OccupancyReason
    public var at: Timestamp
}
