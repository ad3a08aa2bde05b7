import Foundation
import GRDB
import KizunaCore

/// How the store is doing, for `/v1/status`, `/metrics` and the fault alarm.
public struct StoreHealth: Sendable, Equatable {
    /// nil while writes succeed; the last error otherwise.
    public var failure: String?
    public var lastCommit: WallTime?
    public var queuedEvents: Int
    public var queuedSteps: Int
    /// Events dropped (oldest first, never alarm steps) because the disk failed for long.
    public var droppedEvents: Int
    public var commits: Int
}

/// Writes the loop's batches off the loop, on its own thread.
///
/// The loop only appends to in-memory queues (a short lock); this thread commits at most
/// every `commitEvery` (default 5 s) and at once when an alarm step is queued. When a write
/// fails (disk full, I/O error, locked) the batch stays queued and is retried every second;
/// the loop never waits, alarms keep firing, and memory stays bounded: past `maxQueuedEvents`
/// the oldest events are dropped and counted. Alarm steps are never dropped.
public final class StoreWriter: @unchecked Sendable {
    public let store: FlatStore
    public let commitEvery: TimeInterval
    public let maxQueuedEvents: Int
    public var retentionEvents: Span = .days(90)
    public var retentionHourly: Span = .days(730)
    /// Where network alarm steps are delivered: one outbox row per target and step.
    public var deliveryTargets: [String] = []
    /// The device's id, first in every idempotency key (`DEVICE:STORE:ALARM:STEP`): a
    /// receiver that drops duplicates by the key alone, across all the authority's devices,
    /// must never take one flat's alarm for another's (the store's id is 32 random bits,
    /// and alarm and step numbers start alike everywhere). Set before `start`.
    public var deliveryDevice = ""
    /// Called on the writer thread after a commit that added outbox rows (wakes delivery).
    public var onOutbox: (@Sendable () -> Void)? {
        get { condition.lock(); defer { condition.unlock() }; return outboxBell }
        set { condition.lock(); outboxBell = newValue; condition.unlock() }
    }
    var outboxBell: (@Sendable () -> Void)?

    let condition = NSCondition()
    var events: [EventRecord] = []
    var steps: [AlarmStepRecord] = []
    var audits: [AuditRecord] = []
    var snapshot: StoredSnapshot?
    var routine: StoredRoutine?
    var urgent = false
    var stopping = false
    var flushRequests = 0
    var flushesDone = 0
    var health = StoreHealth(queuedEvents: 0, queuedSteps: 0, droppedEvents: 0, commits: 0)
    var thread: Thread?
    var retention = RetentionSchedule(start: DispatchTime.now().uptimeNanoseconds)
    var lastAggregatedHour: Int64?
    /// Test hook: make every commit fail with this error while set.
    public var injectFailure: (@Sendable () -> Error?)?

    public init(store: FlatStore, commitEvery: TimeInterval = 5, maxQueuedEvents: Int = 100_000) {
        self.store = store
        self.commitEvery = commitEvery
        self.maxQueuedEvents = maxQueuedEvents
    }

    public func start() {
        let t = Thread { [weak self] in self?.run() }
        t.name = "kizuna-store"
        thread = t
        t.start()
    }

    /// Commits everything queued and stops the thread.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        while thread?.isFinished == false { usleep(1000) }
    }

    // MARK: - From the loop

    /// Queues a batch. Never blocks on the disk.
    public func enqueue(events newEvents: [EventRecord] = [], steps newSteps: [AlarmStepRecord] = [],
                        audit: [AuditRecord] = [], snapshot newSnapshot: StoredSnapshot? = nil) {
        guard !newEvents.isEmpty || !newSteps.isEmpty || !audit.isEmpty || newSnapshot != nil else { return }
        condition.lock()
        events.append(contentsOf: newEvents)
        if events.count > maxQueuedEvents {
            let drop = events.count - maxQueuedEvents
            events.removeFirst(drop)
            health.droppedEvents += drop
        }
        steps.append(contentsOf: newSteps)
        audits.append(contentsOf: audit)
        if let newSnapshot { snapshot = newSnapshot }
        if !newSteps.isEmpty || newSnapshot != nil { urgent = true }
        health.queuedEvents = events.count
        health.queuedSteps = steps.count
        condition.signal()
        condition.unlock()
    }

    /// Queues the learned routine (one row, replaced): saved hourly and at stop.
    public func enqueue(routine newRoutine: StoredRoutine) {
        condition.lock()
        routine = newRoutine
        condition.signal()
        condition.unlock()
    }

    public var currentHealth: StoreHealth {
        condition.lock()
        defer { condition.unlock() }
        return health
    }

    /// Waits until everything queued so far is committed (or `timeout` passes).
    @discardableResult
    public func flush(timeout: TimeInterval = 10) -> Bool {
        condition.lock()
        flushRequests += 1
        let wanted = flushRequests
        urgent = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while flushesDone < wanted {
            if !condition.wait(until: deadline) { break }
        }
        let ok = flushesDone >= wanted
        condition.unlock()
        return ok
    }

    // MARK: - The writer thread

    func run() {
        var lastCommit = Date()
        condition.lock()
        while true {
            let pending = !events.isEmpty || !steps.isEmpty || !audits.isEmpty || snapshot != nil || routine != nil
            let due = pending && (urgent || Date().timeIntervalSince(lastCommit) >= commitEvery)
            if !due && !stopping && flushesDone >= flushRequests {
                let wake = pending ? lastCommit.addingTimeInterval(commitEvery) : Date().addingTimeInterval(60)
                _ = condition.wait(until: wake)
                if !stopping && flushesDone >= flushRequests && !urgent && !(pending && Date().timeIntervalSince(lastCommit) >= commitEvery) {
                    condition.unlock()
                    maintain()
                    condition.lock()
                    continue
                }
            }
            let batchEvents = events, batchSteps = steps, batchAudits = audits, batchSnapshot = snapshot, batchRoutine = routine
            let flushTarget = flushRequests
            events.removeAll(keepingCapacity: true)
            steps.removeAll(keepingCapacity: true)
            audits.removeAll(keepingCapacity: true)
            snapshot = nil
            routine = nil
            urgent = false
            condition.unlock()

            var failure: String?
            if !batchEvents.isEmpty || !batchSteps.isEmpty || !batchAudits.isEmpty || batchSnapshot != nil || batchRoutine != nil {
                do {
                    try commit(batchEvents, batchSteps, batchAudits, batchSnapshot, batchRoutine)
                } catch {
                    failure = "\(error)"
                }
            }
            lastCommit = Date()

            condition.lock()
            if let failure {
                // Put the batch back in front of what arrived meanwhile; retry in a second.
                events.insert(contentsOf: batchEvents, at: 0)
                if events.count > maxQueuedEvents {
                    let drop = events.count - maxQueuedEvents
                    events.removeFirst(drop)
                    health.droppedEvents += drop
                }
                steps.insert(contentsOf: batchSteps, at: 0)
                audits.insert(contentsOf: batchAudits, at: 0)
                if snapshot == nil { snapshot = batchSnapshot }
                if routine == nil { routine = batchRoutine }
                health.failure = failure
                health.queuedEvents = events.count
                health.queuedSteps = steps.count
                if stopping { break }
                _ = condition.wait(until: Date().addingTimeInterval(1))
                urgent = true
                continue
            }
            health.failure = nil
            health.commits += 1
            health.lastCommit = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
            health.queuedEvents = events.count
            health.queuedSteps = steps.count
            flushesDone = max(flushesDone, flushTarget)
            condition.broadcast()
            if stopping && events.isEmpty && steps.isEmpty && audits.isEmpty && snapshot == nil && routine == nil { break }
        }
        flushesDone = flushRequests
        condition.broadcast()
        condition.unlock()
    }

    /// A step's idempotency key: `DEVICE:STORE:ALARM:STEP` (without a device name, `STORE:ALARM:STEP`).
    public static func idempotencyKey(device: String, store: String, alarm: Int64, step: Int64) -> String {
        device.isEmpty ? "\(store):\(alarm):\(step)" : "\(device):\(store):\(alarm):\(step)"
    }

    var storeIDCache: String?
    func keyPrefix(_ db: Database) -> String {
        if let storeIDCache { return storeIDCache }
        let id = (try? String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'")) ?? nil
        storeIDCache = id ?? "00000000"
        return storeIDCache!
    }

    func commit(_ events: [EventRecord], _ steps: [AlarmStepRecord], _ audits: [AuditRecord], _ snapshot: StoredSnapshot?,
                _ routine: StoredRoutine? = nil) throws {
        if let e = injectFailure?() { throw e }
        var outboxAdded = false
        try store.write { db in
            if !events.isEmpty {
                let insert = try db.cachedStatement(sql: "INSERT INTO event (wall_ns, sensor, kind, value) VALUES (?, ?, ?, ?)")
                for e in events {
                    try insert.execute(arguments: [e.wall.nanosecondsSinceEpoch, e.sensor, e.kind, e.value])
                }
            }
            for s in steps {
                try db.execute(sql: """
                    INSERT INTO alarm (id, kind, sensor, severity, raised_wall_ns, state, reason, updated_wall_ns)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_wall_ns = excluded.updated_wall_ns
                    """, arguments: [s.alarmID, s.kind, s.sensor, s.severity, s.wall.nanosecondsSinceEpoch, s.state, s.reason, s.wall.nanosecondsSinceEpoch])
                try db.execute(sql: "INSERT INTO alarm_step (alarm_id, step, wall_ns, reason, actor) VALUES (?, ?, ?, ?, ?)",
                               arguments: [s.alarmID, s.step, s.wall.nanosecondsSinceEpoch, s.reason, s.actor])
                if let message = s.delivery, !deliveryTargets.isEmpty {
                    let stepID = db.lastInsertedRowID
                    let store = keyPrefix(db)
                    let key = Self.idempotencyKey(device: deliveryDevice, store: store, alarm: s.alarmID, step: stepID)
                    for target in deliveryTargets {
                        try db.execute(sql: """
                            INSERT INTO outbox (target, step_id, alarm_id, step, idempotency_key, message, created_wall_ns)
                            VALUES (?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [target, stepID, s.alarmID, s.step, key, message, s.wall.nanosecondsSinceEpoch])
                        outboxAdded = true
                    }
                }
            }
            for a in audits {
                try db.execute(sql: "INSERT INTO audit (wall_ns, actor, action, detail) VALUES (?, ?, ?, ?)",
                               arguments: [a.wall.nanosecondsSinceEpoch, a.actor, a.action, a.detail])
            }
            if let s = snapshot {
                try db.execute(sql: """
                    INSERT INTO snapshot (id, occupancy, saved_wall_ns, boot_id, saved_mono_ns, declared_until_ns, declared_by)
                    VALUES (1, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET occupancy = excluded.occupancy, saved_wall_ns = excluded.saved_wall_ns,
                        boot_id = excluded.boot_id, saved_mono_ns = excluded.saved_mono_ns,
                        declared_until_ns = excluded.declared_until_ns, declared_by = excluded.declared_by
                    """, arguments: [s.occupancy, s.saved.nanosecondsSinceEpoch, s.bootID, s.savedMonotonic.nanoseconds,
                                     s.declaredUntil?.nanosecondsSinceEpoch, s.declaredBy])
            }
            if let r = routine {
                try db.execute(sql: """
                    INSERT INTO routine (id, saved_wall_ns, state) VALUES (1, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET saved_wall_ns = excluded.saved_wall_ns, state = excluded.state
                    """, arguments: [r.saved.nanosecondsSinceEpoch, r.encoded])
            }
        }
        if outboxAdded { onOutbox?() }
        // After the commit: an error folding the hours (a disk nearly full) must not make the
        // caller put back a batch that is already stored (its alarm steps would be written and
        // sent twice, under new idempotency keys). The hours are folded at the next commit.
        if let latest = events.lazy.map(\.wall).max(), let earliest = events.lazy.map(\.wall).min() {
            try? aggregateHours(from: earliest, upTo: latest)
        }
    }

    /// Folds every finished hour before `now` into `hourly_activity` (one write an hour);
    /// `earliest`: the earliest event just stored (an hour already folded is folded again).
    func aggregateHours(from earliest: WallTime? = nil, upTo now: WallTime) throws {
        let hourNow = now.nanosecondsSinceEpoch / 3_600_000_000_000
        if lastAggregatedHour == nil {
            lastAggregatedHour = try store.read { db in
                try Int64.fetchOne(db, sql: "SELECT MAX(hour_wall_s) / 3600 FROM hourly_activity")
            } ?? (try store.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(wall_ns) / 3600000000000 - 1 FROM event") } ?? hourNow - 1)
        }
        // The hour of `earliest`, rounded down before 1970 too.
        let earliestHour = earliest.map { e in
            e.nanosecondsSinceEpoch >= 0 ? e.nanosecondsSinceEpoch / 3_600_000_000_000 : (e.nanosecondsSinceEpoch + 1) / 3_600_000_000_000 - 1
        }
        if let last = lastAggregatedHour, last > hourNow {
            // The clock was set back: an hour not yet begun was folded, stamped ahead (an RTC
            // set wrong; or read back so at a restart). Kept, no hour would be folded until the
            // clock caught up with it, and retention would delete the raw events of every hour
            // meanwhile unfolded. The fold goes on from the last hour folded before now.
            lastAggregatedHour = try store.read { db in
                try Int64.fetchOne(db, sql: "SELECT MAX(hour_wall_s) / 3600 FROM hourly_activity WHERE hour_wall_s < ?",
                                   arguments: [hourNow * 3600])
            } ?? (try store.read { db in
                try Int64.fetchOne(db, sql: "SELECT MIN(wall_ns) / 3600000000000 - 1 FROM event WHERE wall_ns < ?",
                                   arguments: [hourNow * 3_600_000_000_000])
            } ?? hourNow - 1)
        }
        if let last = lastAggregatedHour, let earliestHour, earliestHour <= last {
            // An event stored in an hour already folded (a motion's end stamped a little late,
            // a clock set back minutes): that hour is folded again (the fold recounts it).
            lastAggregatedHour = earliestHour - 1
        }
        guard let last = lastAggregatedHour, last + 1 < hourNow else { return }
        let from = (last + 1) * 3_600_000_000_000, to = hourNow * 3_600_000_000_000
        try store.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO hourly_activity (hour_wall_s, room, motion, door)
                SELECT (wall_ns / 3600000000000) * 3600, substr(sensor, instr(sensor, '.') + 1),
                       SUM(kind = 'motion-start'), SUM(kind = 'door-open')
                FROM event WHERE wall_ns >= ? AND wall_ns < ? AND kind IN ('motion-start', 'door-open')
                GROUP BY 1, 2
                """, arguments: [from, to])
        }
        lastAggregatedHour = hourNow - 1
    }

    /// Hourly housekeeping: retention, in small steps so that the API never waits long.
    /// Ages are measured from the last event stored, not the system clock: a Pi that boots
    /// without NTP may think it is 1970, and a simulated day runs in the past.
    func maintain() {
        let now = DispatchTime.now().uptimeNanoseconds
        guard retention.due(at: now) else { return }
        guard let reference = try? retentionReference() else { retention.passed(at: now); return }
        guard retention.mayCount(from: reference, at: now) else { return }   // the clock jumped ahead: an hour later
        // An alarm step queued meanwhile, a flush asked for, or the stop (systemd gives
        // 10 s): the pass gives way between two batches, and the next idle wake goes on.
        var gaveWay = false
        _ = try? prune(now: reference, within: { wanted, oldest in self.retention.cutoff(wanted: wanted, oldest: oldest, at: now) }) {
            self.condition.lock()
            defer { self.condition.unlock() }
            gaveWay = !self.steps.isEmpty || self.urgent || self.stopping || self.flushRequests > self.flushesDone
            return gaveWay
        }
        if !gaveWay { retention.passed(at: now) }
    }

    /// What retention counts ages from: the wall time of the last event *stored* (by `seq`).
    /// Not the latest wall time: one event stamped in 2040 by a clock set wrong (an RTC
    /// module with a bad battery), then corrected, made every later pass delete everything
    /// older than 2040 minus the retention — all the flat's real history, hour after hour.
    /// While the clock is still wrong, a pass would count from 2040 too: `RetentionSchedule`
    /// puts off a pass after such a jump, and the first one of a run, by an hour.
    public func retentionReference() throws -> WallTime? {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT wall_ns FROM event ORDER BY seq DESC LIMIT 1") }
            .map { WallTime(nanosecondsSinceEpoch: $0) }
    }

    /// Deletes raw events older than `retentionEvents` and hourly counts older than
    /// `retentionHourly`, 1000 rows per transaction. Delivered outbox rows go with the
    /// events; alarms, audit and undelivered outbox rows are kept. Returns the
    /// number of rows deleted. Between two transactions of events, `giveWay` may end the
    /// pass early (the rest waits for the next one).
    /// `within` may bring a cutoff nearer: given the one wanted and the oldest row of its table
    /// (`RetentionSchedule.cutoff`).
    @discardableResult
    public func prune(now: WallTime, within: (_ wanted: WallTime, _ oldest: WallTime?) -> WallTime = { wanted, _ in wanted },
                      giveWay: () -> Bool = { false }) throws -> Int {
        var total = 0
        let oldestEvent = try store.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(wall_ns) FROM event") }
        let eventCutoff = within(now + Span(nanoseconds: -retentionEvents.nanoseconds),
                                 oldestEvent.map { WallTime(nanosecondsSinceEpoch: $0) }).nanosecondsSinceEpoch
        while true {
            let n = try store.write { db -> Int in
                try db.execute(sql: "DELETE FROM event WHERE seq IN (SELECT seq FROM event WHERE wall_ns < ? ORDER BY seq LIMIT 1000)",
                               arguments: [eventCutoff])
                return db.changesCount
            }
            total += n
            if n < 1000 { break }
            if giveWay() { return total }
        }
        let oldestHour = try store.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(hour_wall_s) FROM hourly_activity") }
        let hourCutoff = within(now + Span(nanoseconds: -retentionHourly.nanoseconds),
                                oldestHour.map { WallTime(secondsSinceEpoch: $0) }).nanosecondsSinceEpoch / 1_000_000_000
        total += try store.write { db -> Int in
            try db.execute(sql: "DELETE FROM hourly_activity WHERE hour_wall_s < ?", arguments: [hourCutoff])
            return db.changesCount
        }
        // Delivered outbox rows (and their attempts) go with the raw events; pending ones never,
        // nor, of each alarm still open at each target, its latest step (by step, as
        // `Outbox.firing` picks it: what is re-sent to Alertmanager while the alarm is open; a
        // fault left unrepaired past the retention showed resolved there while the device
        // still had it open) and its alarm step (what a sink moved or added since is handed
        // first, `Outbox.handOverOpenAlarms`: a webhook may refuse a repeat of an alarm it
        // never had).
        total += try store.write { db -> Int in
            try db.execute(sql: """
                DELETE FROM outbox WHERE state != 'pending' AND created_wall_ns < ?
                  AND NOT EXISTS (SELECT 1 FROM alarm a WHERE a.id = outbox.alarm_id
                                    AND a.state IN ('prealarm', 'alarm', 'acknowledged')
                                    AND (outbox.step = 'alarm' OR outbox.id = (
                                         SELECT o.id FROM outbox o WHERE o.target = outbox.target AND o.alarm_id = outbox.alarm_id
                                         ORDER BY o.step_id DESC, o.id DESC LIMIT 1)))
                """, arguments: [eventCutoff])
            return db.changesCount
        }
        return total
    }
}
