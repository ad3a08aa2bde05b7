import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

/// The record of an alarm restored after a restart.
struct RecorderRestartTests {
    @Test("an alarm restored after a restart and resolved: its message says when it was raised, not when the resolve went out")
    func resolvedAfterRestart() throws {
        let dir = try temporaryFolder("recorder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.deliveryTargets = ["ops"]
        writer.start()
        defer { writer.stop() }
        let sensors = SensorRegistry(["pir.living", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                             wall: CivilTime.parseISO8601("2026-07-01T12:00:00", defaultOffset: .japan)!)
        let raised = CivilTime.parseISO8601("2026-07-01T08:00:00", defaultOffset: .japan)!
        let t = sensors.id(named: "temperature.living")!
        var engine = WatchEngine(settings: EngineSettings(sensors: sensors), start: boot)
        let fault = OpenAlarm(id: 4, kind: .sensorFault, sensor: t, raisedAt: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: raised),
                              phase: .alarm, repeats: 0, deadline: .never, reason: .restored("temperature.living: no-ack"))
        engine.restore(.init(occupancy: .home, lastSign: boot, lastSignSensor: .none, lastMotion: [:], openAlarms: [fault], nextAlarmID: 5))
        let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "b")
        recorder.identity = ("dev", "flat", .japan)
        recorder.adopt(engine.ladder.open)
        var out: [Decision] = []
        engine.handle(.reading(t, value: 24, at: boot.advanced(by: .seconds(30))), into: &out)
        recorder.apply(out, engine: engine)
        #expect(writer.flush())
        let items = try Outbox(store: store).all(target: "ops")
        #expect(items.map(\.step) == ["resolve"])
        let message = try JSONSerialization.jsonObject(with: Data(items[0].message.utf8)) as? [String: Any]
        #expect(message?["raised"] as? String == "2026-07-01T08:00:00.000+09:00")
        #expect(message?["at"] as? String == "2026-07-01T12:00:30.000+09:00")
    }
}
