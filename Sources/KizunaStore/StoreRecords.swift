import GRDB
import KizunaCore

/// An event as stored and as the API serves it.
public struct StoredEvent: Sendable, Equatable, FetchableRecord {
    public var seq: Int64
    public var wall: WallTime
    public var sensor: String
    public var kind: String
    public var value: Double?

    public init(row: Row) {
        seq = row["seq"]
        wall = WallTime(nanosecondsSinceEpoch: row["wall_ns"])
        sensor = row["sensor"]
        kind = row["kind"]
        value = row["value"]
    }

    public init(seq: Int64, wall: WallTime, sensor: String, kind: String, value: Double?) {
        self.seq = seq
        self.wall = wall
        self.sensor = sensor
        self.kind = kind
        self.value = value
    }
}

/// An alarm as stored: its current state and its ladder.
public struct StoredAlarm: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var kind: String
    public var sensor: String?
    public var severity: String
    public var raised: WallTime
    /// prealarm, alarm, acknowledged (open) or cancelled, resolved (closed).
    public var state: String
    public var reason: String
    public var updated: WallTime

    public init(row: Row) {
        id = row["id"]
        kind = row["kind"]
        sensor = row["sensor"]
        severity = row["severity"]
        raised = WallTime(nanosecondsSinceEpoch: row["raised_wall_ns"])
        state = row["state"]
        reason = row["reason"]
        updated = WallTime(nanosecondsSinceEpoch: row["updated_wall_ns"])
    }

    public init(id: Int64, kind: String, sensor: String?, severity: String, raised: WallTime, state: String, reason: String, updated: WallTime) {
        self.id = id
        self.kind = kind
        self.sensor = sensor
        self.severity = severity
        self.raised = raised
        self.state = state
        self.reason = reason
        self.updated = updated
    }

    public var isOpen: Bool { state == "prealarm" || state == "alarm" || state == "acknowledged" }
}

public struct StoredAlarmStep: Sendable, Equatable, FetchableRecord {
    public var alarmID: Int64
    public var step: String
    public var wall: WallTime
    public var reason: String
    public var actor: String?

    public init(row: Row) {
        alarmID = row["alarm_id"]
        step = row["step"]
        wall = WallTime(nanosecondsSinceEpoch: row["wall_ns"])
        reason = row["reason"]
        actor = row["actor"]
    }
}

public struct HourlyActivity: Sendable, Equatable, FetchableRecord {
    public var hour: WallTime
    public var room: String
    public var motion: Int
    public var door: Int

    public init(row: Row) {
        hour = WallTime(secondsSinceEpoch: row["hour_wall_s"])
        room = row["room"]
        motion = row["motion"]
        door = row["door"]
    }
}

/// What the runtime saves to come back to after a restart.
public struct StoredSnapshot: Sendable, Equatable {
    public var occupancy: String
    public var saved: WallTime
    public var bootID: String
    public var savedMonotonic: MonotonicInstant
    /// The authority's "away until" in force (saved with the occupancy it explains), and who
    /// declared it.
    public var declaredUntil: WallTime?
    public var declaredBy: String?

    public init(occupancy: String, saved: WallTime, bootID: String, savedMonotonic: MonotonicInstant,
                declaredUntil: WallTime? = nil, declaredBy: String? = nil) {
        self.occupancy = occupancy
        self.saved = saved
        self.bootID = bootID
        self.savedMonotonic = savedMonotonic
        self.declaredUntil = declaredUntil
        self.declaredBy = declaredBy
    }
}

/// An alarm step, ready to be written (names resolved, reason in words).
public struct AlarmStepRecord: Sendable {
    public var alarmID: Int64
    public var kind: String
    public var sensor: String?
    public var severity: String
    public var step: String
    public var wall: WallTime
    public var reason: String
    public var actor: String?
    /// The message to deliver to the authority (JSON), for the steps that go out on the
    /// network; nil for local-only steps (pre-alarm, cancel). See `Outbox`.
    public var delivery: String?

    public init(alarmID: Int64, kind: String, sensor: String?, severity: String, step: String, wall: WallTime, reason: String,
                actor: String? = nil, delivery: String? = nil) {
        self.delivery = delivery
        self.alarmID = alarmID
        self.kind = kind
        self.sensor = sensor
        self.severity = severity
        self.step = step
        self.wall = wall
        self.reason = reason
        self.actor = actor
    }

    /// The alarm's state after this step.
    var state: String {
        switch step {
        case "prealarm": "prealarm"
        case "alarm", "repeat": "alarm"
        case "acknowledge": "acknowledged"
        case "cancel": "cancelled"
        default: "resolved"
        }
    }
}

/// One row for the events table.
public struct EventRecord: Sendable, Equatable {
    public var wall: WallTime
    public var sensor: String
    public var kind: String
    public var value: Double?
    /// The room, for the hourly counts.
    public var room: String
    public init(wall: WallTime, sensor: String, kind: String, value: Double?, room: String) {
        self.wall = wall
        self.sensor = sensor
        self.kind = kind
        self.value = value
        self.room = room
    }
}

public struct AuditRecord: Sendable {
    public var wall: WallTime
    public var actor: String
    public var action: String
    public var detail: String
    public init(wall: WallTime, actor: String, action: String, detail: String) {
        self.wall = wall
        self.actor = actor
        self.action = action
        self.detail = detail
    }
}
