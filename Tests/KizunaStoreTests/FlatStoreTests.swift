import Foundation
import KizunaCore
import Testing
@testable import KizunaStore

@Suite("FlatStore")
struct FlatStoreTests {
    static func store() throws -> (FlatStore, StoreWriter, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let s = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        let w = StoreWriter(store: s, commitEvery: 0.01)
        w.start()
        return (s, w, dir)
    }

    static let t = WallTime(secondsSinceEpoch: 1_782_867_600)  // 2026-07-01T01:00:00Z

    static func event(_ s: Int64, _ sensor: String, _ kind: String) -> EventRecord {
        EventRecord(wall: t + .seconds(s), sensor: sensor, kind: kind, value: nil, room: String(sensor.split(separator: ".").last!))
    }

    @Test("an alarm keeps its latest state and every step, with who acknowledged")
    func alarmLadder() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        for (i, step) in ["prealarm", "alarm", "repeat", "acknowledge"].enumerated() {
            writer.enqueue(steps: [AlarmStepRecord(alarmID: 4, kind: "inactivity", sensor: nil, severity: "critical", step: step,
                                                   wall: Self.t + .minutes(Int64(i)), reason: "r\(i)", actor: step == "acknowledge" ? "authority:ops" : nil)])
        }
        #expect(writer.flush())
        let a = try #require(try store.alarms().first)
        #expect(a.state == "acknowledged")
        #expect(a.raised == Self.t)  // the first step's time stays
        #expect(a.isOpen)
        let steps = try store.steps(ofAlarm: 4)
        #expect(steps.map(\.step) == ["prealarm", "alarm", "repeat", "acknowledge"])
        #expect(steps.last?.actor == "authority:ops")
        #expect(try store.openAlarms().first?.lastStep == Self.t + .minutes(3))
    }

    @Test("the last sign of life and each PIR's last motion are read back for a restart")
    func recollection() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        writer.enqueue(events: [Self.event(0, "pir.living", "motion-start"), Self.event(5, "pir.bedroom", "motion-start"),
                                Self.event(9, "pir.bedroom", "motion-end"), Self.event(20, "temperature.living", "reading")])
        #expect(writer.flush())
        let sign = try #require(try store.lastSignOfLife())
        #expect(sign.sensor == "pir.bedroom")
        #expect(sign.wall == Self.t + .seconds(9))  // the reading is not a sign of life
        #expect(try store.lastMotionBySensor() == ["pir.living": Self.t, "pir.bedroom": Self.t + .seconds(9)])
    }

    @Test("after the clock was set back, the last stored event is the last, not the latest time")
    func clockSetBack() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        // The clock ran an hour ahead: the door opened "at 02:00", motion "at 02:01"; NTP set it
        // back, then she shut the door at 01:10 and moved at 01:11, the truth.
        writer.enqueue(events: [Self.event(3600, "door.entrance", "door-open"), Self.event(3660, "pir.living", "motion-start"),
                                Self.event(600, "door.entrance", "door-close"), Self.event(660, "pir.living", "motion-end")])
        #expect(writer.flush())
        let door = try #require(try store.lastDoorEventBySensor()["door.entrance"])
        #expect(!door.opened)  // shut: by the latest time it would read open, and alarm at the restart
        #expect(door.at == Self.t + .seconds(600))
        #expect(try store.lastMotionBySensor() == ["pir.living": Self.t + .seconds(660)])
        let sign = try #require(try store.lastSignOfLife())
        #expect(sign.wall == Self.t + .seconds(660))
        #expect(sign.sensor == "pir.living")
    }

    @Test("hourly counts per room are folded once an hour has passed")
    func hourly() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        writer.enqueue(events: [Self.event(10, "pir.kitchen", "motion-start"), Self.event(20, "pir.kitchen", "motion-end"),
                                Self.event(30, "pir.kitchen", "motion-start"), Self.event(40, "door.entrance", "door-open")])
        #expect(writer.flush())
        #expect(try store.hourly(from: Self.t, to: Self.t + .hours(2)).isEmpty)  // the hour is not over
        writer.enqueue(events: [Self.event(3700, "pir.living", "motion-start")])
        #expect(writer.flush())
        let rows = try store.hourly(from: Self.t, to: Self.t + .hours(2))
        #expect(rows.map(\.room) == ["entrance", "kitchen"])
        #expect(rows.first { $0.room == "kitchen" }?.motion == 2)
        #expect(rows.first { $0.room == "entrance" }?.door == 1)
        // Asked from the middle of the hour, its row is in (it holds the half asked for); up
        // to its start, or from its end, it is not.
        #expect(try store.hourly(from: Self.t + .minutes(30), to: Self.t + .hours(2)).count == 2)
        #expect(try store.hourly(from: Self.t + .hours(-1), to: Self.t).isEmpty)
        #expect(try store.hourly(from: Self.t + .hours(1), to: Self.t + .hours(2)).isEmpty)
        #expect(try store.hourly(from: Self.t + .minutes(59), to: Self.t + .minutes(60)).count == 2)
    }

    @Test("hours are still folded after the clock is set back from an hour stamped ahead (an RTC a year wrong, then NTP)")
    func hourlyAfterTheClockIsSetBack() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        let year: Int64 = 365 * 86_400
        // Two hours on a clock a year ahead: the first is folded.
        writer.enqueue(events: [Self.event(year + 10, "pir.kitchen", "motion-start")])
        writer.enqueue(events: [Self.event(year + 3700, "pir.kitchen", "motion-start")])
        #expect(writer.flush())
        #expect(try store.hourly(from: Self.t + .seconds(year), to: Self.t + .seconds(year + 7200)).count == 1)
        // Set back: her motion at 01:00 and 02:00, then 03:00. Her hours are folded as they end.
        for s: Int64 in [10, 3700, 7300] {
            writer.enqueue(events: [Self.event(s, "pir.living", "motion-start")])
            #expect(writer.flush())
        }
        let rows = try store.hourly(from: Self.t, to: Self.t + .hours(3))
        #expect(rows.map(\.hour) == [Self.t, Self.t + .hours(1)])
        #expect(rows.allSatisfy { $0.room == "living" && $0.motion == 1 })
        // A restart (a new writer reads the hours folded) goes on the same way.
        writer.stop()
        let again = StoreWriter(store: store, commitEvery: 0.01)
        again.start()
        defer { again.stop() }
        again.enqueue(events: [Self.event(10_900, "pir.living", "motion-start")])
        #expect(again.flush())
        #expect(try store.hourly(from: Self.t, to: Self.t + .hours(4)).count == 3)
    }

    @Test("an event stored in an hour already folded (a motion's end stamped late, a clock set back minutes) is counted: that hour is folded again")
    func hourlyFoldedAgain() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        for s: Int64 in [3500, 3700, 3590, 7300] {   // 3590: stored after 3700, in the hour 3700 folded
            writer.enqueue(events: [Self.event(s, "pir.kitchen", "motion-start")])
            #expect(writer.flush())
        }
        let rows = try store.hourly(from: Self.t, to: Self.t + .hours(2))
        #expect(rows.map(\.hour) == [Self.t, Self.t + .hours(1)])
        #expect(rows.map(\.motion) == [2, 1])
    }

    @Test("events page by cursor and by time")
    func paging() throws {
        let (store, writer, dir) = try Self.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        writer.enqueue(events: (0..<50).map { Self.event(Int64($0) * 60, "pir.living", "motion-start") })
        #expect(writer.flush())
        let first = try store.events(limit: 20)
        let next = try store.events(after: first.last!.seq, limit: 100)
        #expect(first.count == 20 && next.count == 30)
        #expect(Set(first.map(\.seq)).isDisjoint(with: next.map(\.seq)))
        #expect(try store.events(since: Self.t + .minutes(10), until: Self.t + .minutes(20), limit: 100).count == 10)
    }
}
