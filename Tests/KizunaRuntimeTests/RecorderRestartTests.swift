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

    @Test("a help cord across a restart, through the store: still pulled at the stop (days before) does not call again at the boot; let go at the stop and found pulled does")
    func cordAcrossARestart() throws {
        for letGo in [false, true] {
            let dir = try temporaryFolder("cord")
            defer { try? FileManager.default.removeItem(at: dir) }
            let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
            let sensors = SensorRegistry(["pir.living", "button.help"].map { SensorDescriptor(name: $0)! })
            let settings = EngineSettings(sensors: sensors)
            let button = sensors.id(named: "button.help")!
            let day = CivilTime.parseISO8601("2026-07-01T09:00:00", defaultOffset: .japan)!
            let first = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: day)
            // The first run: pulled at 09:00 and reset, pulled at 09:30 and, if `letGo`, reset at
            // 09:40 (each call acknowledged).
            do {
                let writer = StoreWriter(store: store, commitEvery: 0.01)
                writer.start()
                defer { writer.stop() }
                let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "first")
                var engine = WatchEngine(settings: settings, start: first)
                engine.prime(button, rawLevel: false)
                var out: [Decision] = []
                for (minute, high) in [(0, true), (1, false), (30, true)] + (letGo ? [(40, false)] : []) {
                    let t = first.advanced(by: .minutes(Int64(minute)))
                    engine.handle(.level(button, high: high, at: t), into: &out)
                    engine.tick(at: t.advanced(by: .seconds(5)), into: &out)
                    // Each call taken in hand by the staff (a carer comes and resets the cord).
                    for a in engine.ladder.open where a.kind == .help {
                        #expect(engine.acknowledge(alarmID: a.id, by: "authority:ops", at: t.advanced(by: .seconds(10)), into: &out))
                    }
                    recorder.apply(out, engine: engine)
                    out.removeAll()
                }
                #expect(writer.flush())
            }
            // Three days later (a long power cut), the cord found pulled at the boot.
            let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 5_000_000_000), wall: day + .hours(72))
            var engine = WatchEngine(settings: settings, start: boot)
            engine.prime(button, rawLevel: true)
            engine.restore(try #require(try Recovery.recollect(store: store, settings: settings, now: boot, bootID: "second")))
            var out: [Decision] = []
            engine.tick(at: boot.advanced(by: .seconds(5)), into: &out)
            let calls = out.compactMap { d -> AlarmStep? in if case .alarm(let s) = d, s.kind == .help { s } else { nil } }
            #expect(calls.map(\.step) == (letGo ? [.alarm] : []), "let go at the stop: \(letGo)")
        }
    }
}
