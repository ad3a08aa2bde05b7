import Foundation
import KizunaCore
import Testing
@testable import KizunaStore

@Suite("Outbox")
struct OutboxTests {
    static func step(_ alarm: Int64, _ step: String, _ minute: Int64, delivered: Bool = true) -> AlarmStepRecord {
        AlarmStepRecord(alarmID: alarm, kind: "inactivity", sensor: nil, severity: "critical", step: step,
                        wall: FlatStoreTests.t + .minutes(minute), reason: "r", delivery: delivered ? #"{"step":"\#(step)"}"# : nil)
    }

    /// A store in a folder of its own (the caller removes it).
    static func tempStore() throws -> (URL, FlatStore) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, try FlatStore(path: dir.appendingPathComponent("k.sqlite").path))
    }

    @Test("network steps get one row per target in the commit that stores the step; local steps none")
    func written() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["ops", "am@127.0.0.1:9093"]
        writer.deliveryDevice = "kizuna-0042"
        let rung = Bell()
        writer.onOutbox = { rung.ring() }
        writer.start()
        defer { writer.stop() }
        writer.enqueue(steps: [Self.step(1, "prealarm", 0, delivered: false), Self.step(1, "alarm", 3), Self.step(1, "repeat", 18)])
        #expect(writer.flush())
        #expect(rung.count >= 1)
        let outbox = Outbox(store: store)
        let ops = try outbox.all(target: "ops")
        let am = try outbox.all(target: "am@127.0.0.1:9093")
        #expect(ops.map(\.step) == ["alarm", "repeat"])
        #expect(am.map(\.idempotencyKey) == ops.map(\.idempotencyKey))  // one key per step, the same for every target
        #expect(Set(ops.map(\.idempotencyKey)).count == 2)
        // The device first: two flats' first alarms never share a key at a receiver.
        #expect(ops[0].idempotencyKey.hasPrefix("kizuna-0042:" + store.storeID + ":1:"))
        #expect(ops[0].stepID < ops[1].stepID)

        // In order: the head stays until it is delivered; a failure keeps it and counts.
        #expect(try outbox.head(target: "ops")?.step == "alarm")
        try outbox.record(ops[0], outcome: .failed, detail: "refused", at: FlatStoreTests.t, micros: 10)
        #expect(try outbox.head(target: "ops")?.attempts == 1)
        try outbox.record(ops[0], outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10)
        #expect(try outbox.head(target: "ops")?.step == "repeat")
        #expect(try outbox.depth(target: "ops").count == 1)
        #expect(try outbox.depth(target: "am@127.0.0.1:9093").count == 2)  // each target its own queue
        #expect(try outbox.attempts(outboxID: ops[0].id).map(\.outcome) == ["failed", "delivered"])
        // Still firing there: the last delivered step of the open alarm (re-sent to Alertmanager).
        try outbox.record(ops[1], outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10)
        #expect(try outbox.firing(target: "ops").map(\.step) == ["repeat"])
        writer.enqueue(steps: [Self.step(1, "resolve", 30)])
        #expect(writer.flush())
        #expect(try outbox.firing(target: "ops").isEmpty)  // resolved: nothing to re-send
        #expect(try outbox.head(target: "ops")?.step == "resolve")
    }

    @Test("retention keeps the last delivered row of an alarm still open (re-sent while it is open) and deletes a closed alarm's rows")
    func retentionKeepsFiring() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["ops"]
        writer.retentionEvents = .days(14)
        writer.start()
        defer { writer.stop() }
        let day = Int64(24 * 60)
        // Alarm 1 raised 20 days ago and still open (a PIR never repaired); alarm 2 raised and
        // resolved then; alarm 3 raised, repeated and acknowledged then, still open.
        writer.enqueue(steps: [Self.step(1, "alarm", -20 * day), Self.step(2, "alarm", -20 * day), Self.step(2, "resolve", -19 * day),
                               Self.step(3, "alarm", -20 * day), Self.step(3, "repeat", -20 * day + 15),
                               Self.step(3, "acknowledge", -19 * day)])
        #expect(writer.flush())
        let outbox = Outbox(store: store)
        for item in try outbox.all(target: "ops") {
            try outbox.record(item, outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10)
        }
        #expect(try outbox.firing(target: "ops").map(\.alarmID) == [1, 3])
        try writer.prune(now: FlatStoreTests.t)
        // Kept: each open alarm's alarm step and its latest; its repeat went.
        #expect(try outbox.all(target: "ops").map { "\($0.alarmID):\($0.step)" } == ["1:alarm", "3:alarm", "3:acknowledge"])
        #expect(try outbox.firing(target: "ops").map { "\($0.alarmID):\($0.step)" } == ["1:alarm", "3:acknowledge"], "still firing at Alertmanager")
    }

    @Test("steps waiting for a target no longer configured go to the new one (same key), unless it already follows that alarm; with no target they are dropped")
    func retargeted() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["am@am1:9093"]
        writer.start()
        writer.enqueue(steps: [Self.step(41, "alarm", 0), Self.step(41, "repeat", 15), Self.step(42, "alarm", 20)])
        #expect(writer.flush())
        writer.stop()
        let outbox = Outbox(store: store)
        let old = try outbox.all(target: "am@am1:9093")
        // The new target already has a step of alarm 42 (queued after the restart).
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (target, step_id, alarm_id, step, idempotency_key, message, created_wall_ns)
                VALUES ('am@am3:9093', ?, 42, 'resolve', 'k42r', '{}', 0)
                """, arguments: [old[2].stepID])
        }
        #expect(try outbox.retarget(to: ["am@am3:9093"], at: FlatStoreTests.t) == 3)
        let moved = try outbox.all(target: "am@am3:9093")
        #expect(moved.map(\.alarmID) == [42, 41, 41])
        #expect(Array(moved.suffix(2).map(\.idempotencyKey)) == Array(old.prefix(2).map(\.idempotencyKey)))
        #expect(try outbox.all(target: "am@am1:9093").allSatisfy { $0.state == "retargeted" })
        #expect(try outbox.head(target: "am@am3:9093")?.alarmID == 42)
        #expect(try outbox.retarget(to: ["am@am3:9093"], at: FlatStoreTests.t) == 0, "nothing left behind")
        // Moved back to am1 before am3 took them: handed back (am1's closed rows follow nothing).
        #expect(try outbox.retarget(to: ["am@am1:9093"], at: FlatStoreTests.t) == 3)
        #expect(try outbox.depth(target: "am@am1:9093").count == 3)
        #expect(try outbox.retarget(to: ["am@am3:9093"], at: FlatStoreTests.t) == 3)
        // Delivery switched off: what waits is dropped (retention removes it).
        #expect(try outbox.retarget(to: [], at: FlatStoreTests.t) == 3)
        #expect(try outbox.depth(target: "am@am3:9093").count == 0)
    }

    @Test("an alarm still out is handed to a target moved or added since (its first step, then its latest, same keys, in step order); closed alarms and alarms it follows are not; one it follows only in part gets the latest")
    func openAlarmsHandedOver() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["am@am1:9093"]
        writer.start()
        // 51: out, told twice; 52: resolved; 53: acknowledged; 54: a pre-alarm (never on the network).
        writer.enqueue(steps: [Self.step(51, "alarm", 0), Self.step(51, "repeat", 15), Self.step(52, "alarm", 16),
                               Self.step(52, "resolve", 17), Self.step(53, "alarm", 18), Self.step(53, "acknowledge", 19),
                               Self.step(54, "prealarm", 20, delivered: false)])
        #expect(writer.flush())
        writer.stop()
        let outbox = Outbox(store: store)
        let old = try outbox.all(target: "am@am1:9093")
        for item in old { try outbox.record(item, outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10) }
        // A webhook that was told of 51's alarm step only (renamed away before its repeat, and back).
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO outbox (target, step_id, alarm_id, step, idempotency_key, message, created_wall_ns, state)
                VALUES ('back', ?, 51, 'alarm', ?, '{}', 0, 'delivered')
                """, arguments: [old[0].stepID, old[0].idempotencyKey])
        }
        // Moved to am3 (and a webhook added): nothing was waiting, so nothing to retarget...
        let targets = ["am@am3:9093", "ops", "back"]
        #expect(try outbox.retarget(to: targets, at: FlatStoreTests.t) == 0)
        #expect(try outbox.firing(target: "am@am3:9093").isEmpty, "before: the new Alertmanager is re-sent nothing")
        // ...but the two alarms still out go to the new ones as their first and latest steps,
        // and to the webhook that was told part of 51 as what it missed.
        #expect(try outbox.handOverOpenAlarms(to: targets) == 4 + 4 + 3)
        for t in ["am@am3:9093", "ops"] {
            let told = try outbox.all(target: t)
            #expect(told.map(\.alarmID) == [51, 51, 53, 53])
            #expect(told.map(\.step) == ["alarm", "repeat", "alarm", "acknowledge"])
            #expect(told.map(\.idempotencyKey) == [0, 1, 4, 5].map { old[$0].idempotencyKey }, "the keys it had: a duplicate if it was told")
            #expect(told.allSatisfy { $0.state == "pending" })
        }
        #expect(try outbox.all(target: "back").map(\.step) == ["alarm", "repeat", "alarm", "acknowledge"])
        #expect(try outbox.handOverOpenAlarms(to: targets) == 0, "told once")
        // Delivered there, they are what is re-sent to the new Alertmanager while out.
        for item in try outbox.all(target: "am@am3:9093") {
            try outbox.record(item, outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10)
        }
        #expect(try outbox.firing(target: "am@am3:9093").map(\.step) == ["repeat", "acknowledge"])
        // Moved back to am1, which was told and follows them: nothing more.
        #expect(try outbox.handOverOpenAlarms(to: ["am@am1:9093"]) == 0)

        // A step waiting for the old address (a repeat while it was down): the hand-over, run
        // first, gives the new target the alarm step and that repeat; `retarget` then closes
        // the waiting one without handing it over again.
        let (dir2, store2) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir2) }
        let w2 = StoreWriter(store: store2, commitEvery: 10)
        w2.deliveryTargets = ["am@am1:9093"]
        w2.start()
        w2.enqueue(steps: [Self.step(61, "alarm", 0), Self.step(61, "repeat", 15)])
        #expect(w2.flush())
        w2.stop()
        let o2 = Outbox(store: store2)
        let first = try o2.all(target: "am@am1:9093")[0]
        try o2.record(first, outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 10)
        #expect(try o2.handOverOpenAlarms(to: ["am@am3:9093"]) == 2)
        #expect(try o2.retarget(to: ["am@am3:9093"], at: FlatStoreTests.t) == 1)
        #expect(try o2.all(target: "am@am3:9093").map(\.step) == ["alarm", "repeat"])
        #expect(try o2.head(target: "am@am3:9093")?.step == "alarm")
        // Moved back to am1 before am3 took the repeat: am1's row of it, closed as retargeted, waits again.
        #expect(try o2.handOverOpenAlarms(to: ["am@am1:9093"]) == 1)
        #expect(try o2.all(target: "am@am1:9093").map { "\($0.step):\($0.state)" } == ["alarm:delivered", "repeat:pending"])
    }

    @Test("an alarm still out raised while no target was configured is found untold, with its alarm step and its latest; queued with the writer's key")
    func untoldAlarms() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryDevice = "kz-1"
        writer.start()
        // No targets: 71 out and acknowledged, 72 resolved, 73 a pre-alarm.
        writer.enqueue(steps: [Self.step(71, "prealarm", 0, delivered: false), Self.step(71, "alarm", 3), Self.step(71, "repeat", 18),
                               Self.step(71, "acknowledge", 20), Self.step(72, "alarm", 21), Self.step(72, "resolve", 22),
                               Self.step(73, "prealarm", 23, delivered: false)])
        #expect(writer.flush())
        writer.stop()
        let outbox = Outbox(store: store)
        let untold = try outbox.untold()
        #expect(untold.map(\.alarm.id) == [71])
        let steps = try #require(untold.first?.steps)
        #expect(steps.map(\.step.step) == ["alarm", "acknowledge"])
        #expect(steps[0].step.wall == FlatStoreTests.t + .minutes(3))
        let n = try outbox.queue(message: "{}", alarm: 71, stepID: steps[0].id, step: "alarm", created: steps[0].step.wall,
                                 device: "kz-1", targets: ["ops", "am@am3:9093"])
        #expect(n == 2)
        #expect(try outbox.all(target: "ops").map(\.idempotencyKey) == ["kz-1:\(store.storeID):71:\(steps[0].id)"])
        #expect(try outbox.untold().isEmpty, "told now")
        #expect(try outbox.queue(message: "{}", alarm: 71, stepID: steps[0].id, step: "alarm", created: steps[0].step.wall,
                                 device: "kz-1", targets: ["ops"]) == 0, "never twice")
    }

    @Test("an error after the commit (folding the hours) does not make the writer store and send the batch again")
    func noDoubleCommit() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The hourly fold fails from now on (as on a disk too full for its pages).
        try store.write { db in try db.execute(sql: "DROP TABLE hourly_activity") }   // GRDB's Database, through @testable
        let writer = StoreWriter(store: store, commitEvery: 0.05)
        writer.deliveryTargets = ["ops"]
        writer.start()
        defer { writer.stop() }
        let events = [0, 3 * 3600].map {
            EventRecord(wall: FlatStoreTests.t + .seconds(Int64($0)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living")
        }
        writer.enqueue(events: events, steps: [Self.step(1, "alarm", 3)])
        #expect(writer.flush())
        Thread.sleep(forTimeInterval: 1.5)   // a put-back batch would be committed again within a second
        #expect(try Outbox(store: store).all(target: "ops").count == 1)
        #expect(try store.events(limit: 100).count == 2)
        #expect(writer.currentHealth.failure == nil)
    }

    @Test("a repeat with a later step of its alarm waiting is superseded; the alarm step, the last repeat and other alarms' never")
    func superseded() throws {
        let (dir, store) = try Self.tempStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["ops"]
        writer.start()
        defer { writer.stop() }
        // A receiver down for an hour: the alarm, three repeats of it, another alarm's repeat.
        writer.enqueue(steps: [Self.step(1, "alarm", 0), Self.step(1, "repeat", 15), Self.step(1, "repeat", 30),
                               Self.step(2, "alarm", 31), Self.step(2, "repeat", 46), Self.step(1, "repeat", 45)])
        #expect(writer.flush())
        let outbox = Outbox(store: store)
        let rows = try outbox.all(target: "ops")
        #expect(try rows.map { try outbox.isSuperseded($0) } == [false, true, true, false, false, false])
        // Once the later step is no longer pending (delivered), nothing supersedes the earlier.
        try outbox.record(rows[5], outcome: .delivered, detail: "HTTP 200", at: FlatStoreTests.t, micros: 1)
        #expect(try outbox.isSuperseded(rows[2]) == false)
        #expect(try outbox.isSuperseded(rows[1]) == true)   // the 30-minute repeat still waits
        try outbox.record(rows[1], outcome: .superseded, detail: "later", at: FlatStoreTests.t, micros: 0)
        #expect(try outbox.depth(target: "ops").count == 4)   // no longer pending
    }

    @Test("a store keeps its identity across reopening (part of every idempotency key)")
    func identity() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-id-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try FlatStore(path: path).storeID
        #expect(first.count == 8 && first != "00000000")
        #expect(try FlatStore(path: path).storeID == first)
    }
}

final class Bell: @unchecked Sendable {
    let lock = NSLock()
    var n = 0
    func ring() { lock.lock(); n += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}
