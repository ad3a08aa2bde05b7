import GRDB
import KizunaCore

/// One alarm step waiting for (or done with) one delivery target.
public struct OutboxItem: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var target: String
    /// The alarm step's row: its order among all steps (a receiver orders by it).
    public var stepID: Int64
    public var alarmID: Int64
    public var step: String
    /// The same for every attempt, every target and every restart: receivers drop duplicates by it.
    public var idempotencyKey: String
    /// The message (JSON) as the recorder built it when the step happened.
    public var message: String
    public var created: WallTime
    public var attempts: Int
    public var lastError: String?
    public var state: String

    public init(id: Int64, target: String, stepID: Int64, alarmID: Int64, step: String, idempotencyKey: String, message: String,
                created: WallTime, attempts: Int, lastError: String?, state: String) {
        self.id = id
        self.target = target
        self.stepID = stepID
        self.alarmID = alarmID
        self.step = step
        self.idempotencyKey = idempotencyKey
        self.message = message
        self.created = created
        self.attempts = attempts
        self.lastError = lastError
        self.state = state
    }

    public init(row: Row) {
        id = row["id"]
        target = row["target"]
        stepID = row["step_id"]
        alarmID = row["alarm_id"]
        step = row["step"]
        idempotencyKey = row["idempotency_key"]
        message = row["message"]
        created = WallTime(nanosecondsSinceEpoch: row["created_wall_ns"])
        attempts = row["attempts"]
        lastError = row["last_error"]
        state = row["state"]
    }
}

/// How one attempt ended.
public enum DeliveryOutcome: String, Sendable {
    /// The target accepted the message (2xx).
    case delivered
    /// It failed and will be tried again (network error, timeout, 5xx, 408, 429).
    case failed
    /// The target refused it for good (other 4xx): retrying cannot help; kept for inspection.
    case rejected
    /// A repeat not sent: a later step of the same alarm waits behind it for this target
    /// (a receiver back after days gets the alarm and its last repeat, not hundreds).
    case superseded
}

/// The outbox as the delivery workers see it. Its rows are written by `StoreWriter` with
/// the alarm steps; the workers read the head of their target's queue and record attempts.
public struct Outbox: Sendable {
    public let store: FlatStore

    public init(store: FlatStore) { self.store = store }

    /// The oldest pending item for `target`: delivery is in order, one item at a time.
    public func head(target: String) throws -> OutboxItem? {
        try store.read { db in
            try OutboxItem.fetchOne(db, sql: "SELECT * FROM outbox WHERE target = ? AND state = 'pending' ORDER BY id LIMIT 1",
                                    arguments: [target])
        }
    }

    /// Records one attempt and its outcome (and closes the item unless it failed).
    public func record(_ item: OutboxItem, outcome: DeliveryOutcome, detail: String, at wall: WallTime, micros: Int) throws {
        try store.write { db in
            try db.execute(sql: "INSERT INTO delivery_attempt (outbox_id, wall_ns, outcome, detail, micros) VALUES (?, ?, ?, ?, ?)",
                           arguments: [item.id, wall.nanosecondsSinceEpoch, outcome.rawValue, detail, micros])
            switch outcome {
            case .failed:
                try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_attempt_wall_ns = ?, last_error = ? WHERE id = ?",
                               arguments: [wall.nanosecondsSinceEpoch, detail, item.id])
            case .delivered, .rejected, .superseded:
                try db.execute(sql: """
                    UPDATE outbox SET attempts = attempts + 1, last_attempt_wall_ns = ?, last_error = ?, state = ?, done_wall_ns = ?
                    WHERE id = ?
                    """, arguments: [wall.nanosecondsSinceEpoch, outcome == .delivered ? nil : detail, outcome.rawValue,
                                     wall.nanosecondsSinceEpoch, item.id])
            }
        }
    }

    /// Whether `item` is a repeat with a later step of the same alarm pending for the same
    /// target: that later step says all it says, and more.
    public func isSuperseded(_ item: OutboxItem) throws -> Bool {
        guard item.step == "repeat" else { return false }
        return try store.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE target = ? AND alarm_id = ? AND id > ? AND state = 'pending')",
                              arguments: [item.target, item.alarmID, item.id]) ?? false
        }
    }

    /// Pending items for `target`, and the creation time of the oldest.
    public func depth(target: String) throws -> (count: Int, oldest: WallTime?) {
        try store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(created_wall_ns) AS oldest FROM outbox WHERE target = ? AND state = 'pending'",
                                       arguments: [target])
            let oldest: Int64? = row?["oldest"]
            return (row?["n"] ?? 0, oldest.map { WallTime(nanosecondsSinceEpoch: $0) })
        }
    }

    /// How many items `target` has accepted so far.
    public func delivered(target: String) throws -> Int {
        try store.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE target = ? AND state = 'delivered'", arguments: [target]) ?? 0
        }
    }

    /// The last message delivered to `target` of each alarm that is still out (alarm or
    /// acknowledged) and has nothing pending there: what a receiver that forgets unless
    /// told again (Alertmanager) must be told again.
    public func firing(target: String) throws -> [OutboxItem] {
        try store.read { db in
            // From the alarms still out (a few), each one's latest step at the target (by step:
            // a row reopened after a move keeps its older id): not from every delivered row of
            // the target (0.5 s at 29k rows, at every re-send; a review measured it).
            try OutboxItem.fetchAll(db, sql: """
                SELECT o.* FROM alarm a JOIN outbox o
                  ON o.id = (SELECT id FROM outbox WHERE target = ?1 AND alarm_id = a.id ORDER BY step_id DESC, id DESC LIMIT 1)
                WHERE a.state IN ('alarm', 'acknowledged') AND o.state = 'delivered' AND o.step != 'resolve'
                ORDER BY a.id
                """, arguments: [target])
        }
    }

    /// Steps still waiting for a target no longer configured (a webhook renamed, Alertmanager
    /// moved to another host): each is handed to every configured target (same step, same
    /// key) unless that target already has a step of the same alarm (it follows that alarm
    /// from there: an old step after it would undo it), and closed as `retargeted`; with no
    /// target at all, closed as `abandoned` (retention then removes them). Without this they
    /// were never delivered and kept for ever. Returns how many were closed.
    @discardableResult
    public func retarget(to targets: [String], at now: WallTime) throws -> Int {
        try store.write { db in
            let marks = targets.map { _ in "?" }.joined(separator: ", ")
            let orphans = try OutboxItem.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE state = 'pending' \(targets.isEmpty ? "" : "AND target NOT IN (\(marks))") ORDER BY id
                """, arguments: StatementArguments(targets))
            // Which alarms each target follows already (before any step is handed over).
            var followed: [String: Set<Int64>] = [:]
            for t in targets {
                followed[t] = Set(try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT alarm_id FROM outbox WHERE target = ? AND state NOT IN ('retargeted', 'abandoned')
                    """, arguments: [t]))
            }
            for o in orphans {
                for t in targets {
                    guard followed[t]?.contains(o.alarmID) != true else { continue }
                    _ = try Self.queue(o, for: t, db)
                }
                try db.execute(sql: "UPDATE outbox SET state = ?, done_wall_ns = ? WHERE id = ?",
                               arguments: [targets.isEmpty ? "abandoned" : "retargeted", now.nanosecondsSinceEpoch, o.id])
            }
            return orphans.count
        }
    }

    /// Alarms still out that a configured target was not told of, or not of their latest
    /// step: an Alertmanager moved to another host, a webhook added (or renamed away and
    /// back), while a help call or a silence alarm was out. Such a target is handed the
    /// alarm's first network step (`alarm`: a webhook receiver knows an alarm from it, and
    /// may refuse a repeat or an acknowledgement of one it never had) and its latest, each
    /// with the key it had, so a receiver that was told under another name drops it as a
    /// duplicate. Without this the new receiver never learned of it: the alarm's steps had
    /// all gone to the old address, and Alertmanager is re-sent only what it was told
    /// (`firing(target:)`), so the authority's staff looking at the new one saw nothing
    /// until the next step (for a help call acknowledged on the old one, never). Queued in
    /// the order of the steps. An alarm raised while no target was configured has no step
    /// to hand over (`untold`). Run before `retarget(to:at:)`: a step waiting for the old
    /// address (a repeat while it was down) comes then after the alarm step, and `retarget`
    /// hands over no step of an alarm the target follows. Returns how many rows were queued.
    @discardableResult
    public func handOverOpenAlarms(to targets: [String]) throws -> Int {
        guard !targets.isEmpty else { return 0 }
        return try store.write { db in
            var candidates: [OutboxItem] = []
            for alarm in try Int64.fetchAll(db, sql: "SELECT id FROM alarm WHERE state IN ('alarm', 'acknowledged') ORDER BY id") {
                // One row per step (the same step may be at several targets).
                let steps = try OutboxItem.fetchAll(db, sql: """
                    SELECT * FROM outbox WHERE alarm_id = ? AND id IN (SELECT MIN(id) FROM outbox WHERE alarm_id = ? GROUP BY step_id)
                    ORDER BY step_id
                    """, arguments: [alarm, alarm])
                guard let latest = steps.last, latest.step != "resolve" else { continue }
                if let first = steps.first(where: { $0.step == "alarm" }), first.stepID != latest.stepID { candidates.append(first) }
                candidates.append(latest)
            }
            candidates.sort { $0.stepID < $1.stepID }
            var queued = 0
            for o in candidates {
                for t in targets {
                    // What it follows of this alarm: its newest step there (handed over ones count).
                    let newest = try Int64.fetchOne(db, sql: """
                        SELECT MAX(step_id) FROM outbox WHERE target = ? AND alarm_id = ? AND state NOT IN ('retargeted', 'abandoned')
                        """, arguments: [t, o.alarmID])
                    if let n = newest, n >= o.stepID { continue }
                    if try Self.queue(o, for: t, db) { queued += 1 }
                }
            }
            return queued
        }
    }

    /// Alarms still out of which no step is in the outbox at all: raised while no target was
    /// configured (a device installed before the authority gave its address). With the
    /// alarm, its network steps to tell: its `alarm` step and, if later, its latest (a
    /// repeat, an acknowledgement), oldest first.
    public func untold() throws -> [(alarm: StoredAlarm, steps: [(id: Int64, step: StoredAlarmStep)])] {
        try store.read { db in
            let alarms = try StoredAlarm.fetchAll(db, sql: """
                SELECT * FROM alarm a WHERE state IN ('alarm', 'acknowledged')
                  AND NOT EXISTS (SELECT 1 FROM outbox WHERE alarm_id = a.id) ORDER BY id
                """)
            return try alarms.compactMap { a in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT * FROM alarm_step WHERE alarm_id = ? AND step IN ('alarm', 'repeat', 'acknowledge') ORDER BY id
                    """, arguments: [a.id])
                let steps = rows.map { (id: $0["id"] as Int64, step: StoredAlarmStep(row: $0)) }
                guard let latest = steps.last else { return nil }
                var told = steps.first { $0.step.step == "alarm" }.map { [$0] } ?? []
                if told.last?.id != latest.id { told.append(latest) }
                return (a, told)
            }
        }
    }

    /// Queues `message` for every target as step `stepID` of `alarm`, with the key the writer
    /// gives a step (`StoreWriter.idempotencyKey`). Returns how many rows were queued.
    @discardableResult
    public func queue(message: String, alarm: Int64, stepID: Int64, step: String, created: WallTime, device: String,
                      targets: [String]) throws -> Int {
        let key = StoreWriter.idempotencyKey(device: device, store: store.storeID, alarm: alarm, step: stepID)
        return try store.write { db in
            var n = 0
            for t in targets {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO outbox (target, step_id, alarm_id, step, idempotency_key, message, created_wall_ns)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [t, stepID, alarm, step, key, message, created.nanosecondsSinceEpoch])
                n += db.changesCount
            }
            return n
        }
    }

    /// Queues `o` (its step, its key) for target `t`: a new row, or the row `t` had of it
    /// before it was moved away (moved back since), waiting again. False if `t` already has
    /// that step in another state.
    static func queue(_ o: OutboxItem, for t: String, _ db: Database) throws -> Bool {
        try db.execute(sql: """
            INSERT OR IGNORE INTO outbox (target, step_id, alarm_id, step, idempotency_key, message, created_wall_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [t, o.stepID, o.alarmID, o.step, o.idempotencyKey, o.message, o.created.nanosecondsSinceEpoch])
        if db.changesCount > 0 { return true }
        try db.execute(sql: """
            UPDATE outbox SET state = 'pending', done_wall_ns = NULL
            WHERE target = ? AND idempotency_key = ? AND state IN ('retargeted', 'abandoned')
            """, arguments: [t, o.idempotencyKey])
        return db.changesCount > 0
    }

    /// Every attempt for one item, oldest first (tests, diagnosis).
    public func attempts(outboxID: Int64) throws -> [(outcome: String, detail: String)] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT outcome, detail FROM delivery_attempt WHERE outbox_id = ? ORDER BY id", arguments: [outboxID])
                .map { ($0["outcome"], $0["detail"]) }
        }
    }

    /// All items for `target`, oldest first (tests, diagnosis).
    public func all(target: String) throws -> [OutboxItem] {
        try store.read { db in
            try OutboxItem.fetchAll(db, sql: "SELECT * FROM outbox WHERE target = ? ORDER BY id", arguments: [target])
        }
    }
}
