import GRDB
import KizunaCore

/// Reads for the API, the export command and restart recovery. Each runs on a WAL
/// snapshot, concurrently with the writer.
extension FlatStore {
    /// Events by cursor: `seq > after`, within [since, until), at most `limit`, in seq order.
    public func events(after: Int64 = 0, since: WallTime? = nil, until: WallTime? = nil, limit: Int) throws -> [StoredEvent] {
        try read { db in
            var sql = "SELECT seq, wall_ns, sensor, kind, value FROM event WHERE seq > ?"
            var args: [DatabaseValueConvertible] = [after]
            if let since { sql += " AND wall_ns >= ?"; args.append(since.nanosecondsSinceEpoch) }
            if let until { sql += " AND wall_ns < ?"; args.append(until.nanosecondsSinceEpoch) }
            sql += " ORDER BY seq LIMIT ?"
            args.append(limit)
            return try StoredEvent.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    public func eventCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event") ?? 0 }
    }

    public func alarms(since: WallTime? = nil, state: String? = nil) throws -> [StoredAlarm] {
        try read { db in
            var sql = "SELECT * FROM alarm WHERE 1"
            var args: [DatabaseValueConvertible] = []
            if let since { sql += " AND updated_wall_ns >= ?"; args.append(since.nanosecondsSinceEpoch) }
            switch state {
            case "open"?: sql += " AND state IN ('prealarm', 'alarm', 'acknowledged')"
            case "closed"?: sql += " AND state IN ('cancelled', 'resolved')"
            case let s?: sql += " AND state = ?"; args.append(s)
            case nil: break
            }
            sql += " ORDER BY id"
            return try StoredAlarm.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    public func steps(ofAlarm id: Int64) throws -> [StoredAlarmStep] {
        try read { db in try StoredAlarmStep.fetchAll(db, sql: "SELECT * FROM alarm_step WHERE alarm_id = ? ORDER BY id", arguments: [id]) }
    }

    /// The hours that overlap `from ..< to` (an hour's row holds its activity from its start
    /// to the next: asked from 09:30, the 09:00 row is in; up to 10:00, the 10:00 row is not).
    public func hourly(from: WallTime, to: WallTime) throws -> [HourlyActivity] {
        try read { db in
            try HourlyActivity.fetchAll(db, sql: "SELECT * FROM hourly_activity WHERE hour_wall_s > ? - 3600 AND hour_wall_s < ? ORDER BY hour_wall_s, room",
                                        arguments: [from.nanosecondsSinceEpoch / 1_000_000_000, to.nanosecondsSinceEpoch / 1_000_000_000])
        }
    }

    public func audit(limit: Int = 100) throws -> [(wall: WallTime, actor: String, action: String, detail: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                (WallTime(nanosecondsSinceEpoch: $0["wall_ns"]), $0["actor"], $0["action"], $0["detail"])
            }
        }
    }

    // MARK: - Restart recovery

    public func snapshot() throws -> StoredSnapshot? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM snapshot WHERE id = 1").map {
                StoredSnapshot(occupancy: $0["occupancy"], saved: WallTime(nanosecondsSinceEpoch: $0["saved_wall_ns"]),
                               bootID: $0["boot_id"], savedMonotonic: MonotonicInstant(nanoseconds: $0["saved_mono_ns"]),
                               declaredUntil: ($0["declared_until_ns"] as Int64?).map { WallTime(nanosecondsSinceEpoch: $0) },
                               declaredBy: $0["declared_by"])
            }
        }
    }

    // "Last" below is the last stored (`seq`, the order the runtime saw them), not the latest
    // wall time: a clock that ran ahead and was then set back (NTP after a power cut) leaves
    // older events with later times, and the door she shut after such a step must not read as
    // still open, nor an old motion as her last sign of life.

    /// The last sign of life (motion, door, button) and the sensor that gave it, but from
    /// the sensors `excluding` (PIRs found stuck: their motion is stored, and is not her), and
    /// but the doors used within `doorsNotSigns` (from, until; nil: still): while an alarm
    /// about her silence was out, a door alone was not her.
    public func lastSignOfLife(excluding: [String] = [], doorsNotSigns: [(from: WallTime, until: WallTime?)] = []) throws
        -> (wall: WallTime, sensor: String)? {
        try read { db in
            let marks = excluding.map { _ in "?" }.joined(separator: ", ")
            var arguments = StatementArguments(excluding)
            var windows = ""
            for w in doorsNotSigns {
                windows += " AND NOT (kind IN ('door-open', 'door-close') AND wall_ns >= ? AND wall_ns < ?)"
                _ = arguments.append(contentsOf: [w.from.nanosecondsSinceEpoch, w.until?.nanosecondsSinceEpoch ?? Int64.max])
            }
            return try Row.fetchOne(db, sql: """
                SELECT wall_ns, sensor FROM event
                WHERE kind IN ('motion-start', 'motion-end', 'door-open', 'door-close', 'button')
                  \(excluding.isEmpty ? "" : "AND sensor NOT IN (\(marks))")\(windows)
                ORDER BY seq DESC LIMIT 1
                """, arguments: arguments).map { (WallTime(nanosecondsSinceEpoch: $0["wall_ns"]), $0["sensor"]) }
        }
    }

    /// Whether a door was used within `from` ..< `until` (nil: up to now).
    public func doorUsed(from: WallTime, until: WallTime?) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM event WHERE kind IN ('door-open', 'door-close') AND wall_ns >= ? AND wall_ns < ?)
                """, arguments: [from.nanosecondsSinceEpoch, until?.nanosecondsSinceEpoch ?? Int64.max]) ?? false
        }
    }

    /// The last motion seen by each PIR: hers, or with `stray` any output of the PIR (the
    /// triggers not taken as her too).
    public func lastMotionBySensor(stray: Bool = false) throws -> [String: WallTime] {
        let kinds = stray ? "'motion-start', 'motion-end', 'stray-motion-start', 'stray-motion-end'" : "'motion-start', 'motion-end'"
        return try read { db in
            var out: [String: WallTime] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT e.sensor, e.wall_ns FROM event e JOIN (
                    SELECT MAX(seq) AS last FROM event
                    WHERE kind IN (\(kinds)) GROUP BY sensor
                ) m ON e.seq = m.last
                """) {
                out[row["sensor"]] = WallTime(nanosecondsSinceEpoch: row["wall_ns"])
            }
            return out
        }
    }

    /// When each button was last pressed (its last `button` event).
    public func lastButtonPressBySensor() throws -> [String: WallTime] {
        try lastEventBySensor(kinds: ["button"]).mapValues(\.at)
    }

    /// The readings of `sensors` stored at or after `since`, in the order stored.
    public func readings(of sensors: [String], since: WallTime) throws -> [(sensor: String, wall: WallTime, value: Double)] {
        guard !sensors.isEmpty else { return [] }
        return try read { db in
            let marks = sensors.map { _ in "?" }.joined(separator: ", ")
            return try Row.fetchAll(db, sql: """
                SELECT sensor, wall_ns, value FROM event
                WHERE kind = 'reading' AND wall_ns >= ? AND sensor IN (\(marks)) AND value IS NOT NULL
                ORDER BY seq
                """, arguments: StatementArguments([since.nanosecondsSinceEpoch] + sensors)).map {
                ($0["sensor"], WallTime(nanosecondsSinceEpoch: $0["wall_ns"]), $0["value"])
            }
        }
    }

    /// For each button with a `button-release` stored: whether its last stored event is a
    /// release (let go) rather than a press (still pulled when the runtime stopped).
    public func buttonReleasedBySensor() throws -> [String: Bool] {
        let last = try lastEventBySensor(kinds: ["button", "button-release"])
        return try lastEventBySensor(kinds: ["button-release"]).keys.reduce(into: [:]) { out, name in
            out[name] = last[name]?.kind == "button-release"
        }
    }

    /// Each sensor's last stored event of one of `kinds`: which, and when.
    func lastEventBySensor(kinds: [String]) throws -> [String: (kind: String, at: WallTime)] {
        try read { db in
            var out: [String: (kind: String, at: WallTime)] = [:]
            let marks = kinds.map { _ in "?" }.joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: """
                SELECT e.sensor, e.kind, e.wall_ns FROM event e JOIN (
                    SELECT MAX(seq) AS last FROM event WHERE kind IN (\(marks)) GROUP BY sensor
                ) m ON e.seq = m.last
                """, arguments: StatementArguments(kinds)) {
                out[row["sensor"]] = (row["kind"], WallTime(nanosecondsSinceEpoch: row["wall_ns"]))
            }
            return out
        }
    }

    /// Each door contact's last stored event: whether it was an opening, and when.
    public func lastDoorEventBySensor() throws -> [String: (opened: Bool, at: WallTime)] {
        try lastEventBySensor(kinds: ["door-open", "door-close"]).mapValues { ($0.kind == "door-open", $0.at) }
    }

    /// Open alarms with the time of their last step.
    public func openAlarms() throws -> [(alarm: StoredAlarm, lastStep: WallTime)] {
        try alarms(state: "open").map { a in
            // The step stored last, not the latest stamped (a clock set back since).
            let last = try read { db in
                try Int64.fetchOne(db, sql: "SELECT wall_ns FROM alarm_step WHERE alarm_id = ? ORDER BY id DESC LIMIT 1", arguments: [a.id])
            }
            return (a, last.map { WallTime(nanosecondsSinceEpoch: $0) } ?? a.updated)
        }
    }

    public func maxAlarmID() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM alarm") ?? 0 }
    }
}

extension FlatStore {
    /// Fills the event table quickly with synthetic motion (benchmarks and tests of volume).
    public func bulkInsertForTesting(count: Int, start: WallTime, every: Span = .seconds(1)) throws {
        try write { db in
            let insert = try db.makeStatement(sql: "INSERT INTO event (wall_ns, sensor, kind, value) VALUES (?, ?, ?, NULL)")
            let sensors = ["pir.living", "pir.kitchen", "pir.bedroom", "door.entrance"]
            for i in 0..<count {
                try insert.execute(arguments: [start.nanosecondsSinceEpoch + Int64(i) * every.nanoseconds, sensors[i % 4],
                                               i % 4 == 3 ? "door-open" : "motion-start"])
            }
        }
    }
}
