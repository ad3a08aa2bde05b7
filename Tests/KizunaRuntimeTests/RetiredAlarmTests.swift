import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("Alarms about a sensor removed from the configuration")
struct RetiredAlarmTests {
    @Test("an open alarm whose sensor is no longer configured is resolved at the boot, saying why; the others go on")
    func resolvedAtBoot() throws {
        let dir = try temporaryFolder("retired")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let t0 = WallTime(secondsSinceEpoch: 1_790_000_000)
        let s = try FlatStore(path: path)
        let w = StoreWriter(store: s, commitEvery: 0.01)
        w.start()
        w.enqueue(events: [EventRecord(wall: t0, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        // The bathroom's chip broke (a fault alarm, out to the authority) and a door was left
        // open; the technician then took both out of the config and restarted.
        w.enqueue(steps: [
            AlarmStepRecord(alarmID: 1, kind: "sensor-fault", sensor: "temperature.bath", severity: "warning", step: "alarm",
                            wall: t0, reason: "temperature.bath fault: no-ack"),
            AlarmStepRecord(alarmID: 2, kind: "door-open", sensor: "door.balcony", severity: "warning", step: "alarm",
                            wall: t0 + .minutes(1), reason: "door.balcony open"),
            AlarmStepRecord(alarmID: 3, kind: "sensor-fault", sensor: "humidity.living", severity: "warning", step: "alarm",
                            wall: t0 + .minutes(2), reason: "humidity.living fault: no-ack"),
        ])
        #expect(w.flush())
        w.stop()
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "humidity.living", "door.entrance"].map { SensorDescriptor(name: $0)! }))
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t0 + .minutes(10))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: boot, bootID: "b"))
        #expect(r.retired == [1: "temperature.bath is no longer in the configuration", 2: "door.balcony is no longer in the configuration"])
        var engine = WatchEngine(settings: settings, start: boot)
        engine.restore(r)
        var out: [Decision] = []
        engine.tick(at: boot, into: &out)
        let steps = out.compactMap { if case .alarm(let a) = $0 { a } else { nil } }
        #expect(steps.map(\.alarmID).sorted() == [1, 2])
        #expect(steps.allSatisfy { $0.step == .resolve })
        #expect(steps.first { $0.alarmID == 2 }?.reason.describe(settings.sensors) == "door.balcony is no longer in the configuration")
        #expect(engine.openAlarms.map(\.id) == [3])   // its sensor is still there: it goes on
        // An hour on: no repeat of the door, nothing more about them.
        out = []
        engine.tick(at: boot.advanced(by: .hours(1)), into: &out)
        #expect(!out.contains { if case .alarm(let a) = $0 { a.alarmID == 1 || a.alarmID == 2 } else { false } })
    }
}
