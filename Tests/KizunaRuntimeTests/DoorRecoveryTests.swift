import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("The doors across a restart")
struct DoorRecoveryTests {
    @Test("the store gives each door's last opening when it was its last event; a restarted engine with the door read open judges it from then")
    func openedBeforeRestart() throws {
        let dir = try temporaryFolder("doors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let t0 = WallTime(secondsSinceEpoch: 1_790_000_000)   // 2026-09-21 23:13:20 in Japan: night, a 5 min limit
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "door.entrance", "door.balcony"].map { SensorDescriptor(name: $0)! }))
        let s = try FlatStore(path: path)
        let w = StoreWriter(store: s, commitEvery: 0.01)
        w.start()
        w.enqueue(events: [
            EventRecord(wall: t0, sensor: "door.entrance", kind: "door-open", value: nil, room: "entrance"),
            EventRecord(wall: t0 + .minutes(1), sensor: "door.entrance", kind: "door-close", value: nil, room: "entrance"),
            EventRecord(wall: t0 + .minutes(2), sensor: "door.balcony", kind: "door-open", value: nil, room: "entrance"),
            EventRecord(wall: t0 + .minutes(3), sensor: "door.entrance", kind: "door-open", value: nil, room: "entrance"),
            EventRecord(wall: t0 + .minutes(4), sensor: "door.balcony", kind: "door-close", value: nil, room: "entrance"),
            EventRecord(wall: t0 + .minutes(4), sensor: "pir.living", kind: "motion-start", value: nil, room: "living"),
        ])
        // The balcony's pre-alarm, cancelled by the door closing; it says nothing of the entrance.
        w.enqueue(steps: [AlarmStepRecord(alarmID: 1, kind: "door-open", sensor: "door.balcony", severity: "warning", step: "prealarm",
                                          wall: t0 + .minutes(3), reason: "open"),
                          AlarmStepRecord(alarmID: 1, kind: "door-open", sensor: "door.balcony", severity: "warning", step: "cancel",
                                          wall: t0 + .minutes(4), reason: "closed")])
        w.enqueue(snapshot: StoredSnapshot(occupancy: "home", saved: t0 + .minutes(4), bootID: "old-boot", savedMonotonic: MonotonicInstant(nanoseconds: 7)))
        #expect(w.flush())
        w.stop()
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t0 + .minutes(5))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: boot, bootID: "new-boot"))
        let entrance = try #require(settings.sensors.id(named: "door.entrance"))
        #expect(Array(r.doorsOpenedAt.keys) == [entrance])
        #expect(r.doorsOpenedAt[entrance]?.wall == t0 + .minutes(3))
        #expect(r.doorsOpenedAt[entrance]?.monotonic == boot.monotonic - .minutes(2))
        #expect(r.doorsSilenced.isEmpty)

        var engine = WatchEngine(settings: settings, start: boot)
        engine.prime(entrance, rawLevel: true)
        engine.prime(try #require(settings.sensors.id(named: "door.balcony")), rawLevel: false)
        engine.restore(r)
        var out: [Decision] = []
        // Night (23:18 in Japan): 5 min from the opening at 23:16, not from the boot.
        engine.tick(at: boot.advanced(by: .minutes(3) - .seconds(1)), into: &out)
        func alarmSteps() -> [AlarmStep] { out.compactMap { if case .alarm(let a) = $0 { a } else { nil } } }
        #expect(alarmSteps().isEmpty)
        engine.tick(at: boot.advanced(by: .minutes(3)), into: &out)
        let steps = alarmSteps()
        #expect(steps.map(\.kind) == [.doorOpen])
        #expect(steps.map(\.step) == [.preAlarm])
        #expect(steps.first?.sensor == entrance)
    }

    @Test("a door-open pre-alarm she cancelled after the door's last opening, the door still open: the door comes back silenced")
    func silencedBeforeRestart() throws {
        let dir = try temporaryFolder("doors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let t0 = WallTime(secondsSinceEpoch: 1_790_000_000)
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! }))
        let w = StoreWriter(store: try FlatStore(path: path), commitEvery: 0.01)
        w.start()
        w.enqueue(events: [EventRecord(wall: t0, sensor: "door.entrance", kind: "door-open", value: nil, room: "entrance")],
                  steps: [AlarmStepRecord(alarmID: 1, kind: "door-open", sensor: "door.entrance", severity: "warning", step: "prealarm",
                                          wall: t0 + .minutes(5), reason: "open"),
                          AlarmStepRecord(alarmID: 1, kind: "door-open", sensor: "door.entrance", severity: "warning", step: "cancel",
                                          wall: t0 + .minutes(6), reason: "cancelled by button.help")])
        #expect(w.flush())
        w.stop()
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t0 + .minutes(30))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: boot, bootID: "new-boot"))
        let entrance = try #require(settings.sensors.id(named: "door.entrance"))
        #expect(r.doorsSilenced == [entrance])
    }

    @Test("a PIR found stuck when the runtime stopped: its stored motion does not become her last sign of life at the restart")
    func stuckPIRNotLastSign() throws {
        let dir = try temporaryFolder("stuck")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let t0 = WallTime(secondsSinceEpoch: 1_790_000_000)
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "pir.bedroom", "door.entrance"].map { SensorDescriptor(name: $0)! }))
        let s = try FlatStore(path: path)
        let w = StoreWriter(store: s, commitEvery: 0.01)
        w.start()
        w.enqueue(events: [
            EventRecord(wall: t0, sensor: "pir.bedroom", kind: "motion-end", value: nil, room: "bedroom"),      // her
            EventRecord(wall: t0 + .hours(3), sensor: "pir.living", kind: "motion-start", value: nil, room: "living"),  // the chatter
        ], steps: [AlarmStepRecord(alarmID: 1, kind: "pir-stuck", sensor: "pir.living", severity: "fault", step: "alarm",
                                   wall: t0 + .hours(2), reason: "pir.living retriggering without a pause for 2h 00m, never quiet for 10s")])
        w.enqueue(snapshot: StoredSnapshot(occupancy: "home", saved: t0 + .hours(3), bootID: "b", savedMonotonic: MonotonicInstant(nanoseconds: 7)))
        #expect(w.flush())
        w.stop()
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t0 + .hours(3) + .minutes(1))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: boot, bootID: "b2"))
        #expect(r.lastSign?.wall == t0)
        #expect(r.lastSignSensor == settings.sensors.id(named: "pir.bedroom"))
    }
}
