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

    @Test("a stray trigger (one PIR alone, after her silence alarm went out) is stored as such, and a restart does not count her silence from it")
    func strayTriggerAcrossARestart() throws {
        let dir = try temporaryFolder("stray")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
        let sensors = SensorRegistry(["pir.living", "pir.bedroom"].map { SensorDescriptor(name: $0)! })
        let settings = EngineSettings(sensors: sensors)
        let (living, bedroom) = (sensors.id(named: "pir.living")!, sensors.id(named: "pir.bedroom")!)
        let day = CivilTime.parseISO8601("2026-07-01T10:00:00", defaultOffset: .japan)!
        let first = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: day)
        var engine = WatchEngine(settings: settings, start: first)
        do {
            let writer = StoreWriter(store: store, commitEvery: 0.01)
            writer.start()
            defer { writer.stop() }
            let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "first")
            var out: [Decision] = []
            func edge(_ s: SensorID, _ high: Bool, _ t: Timestamp) {
                engine.handle(.level(s, high: high, at: t), into: &out)
                recorder.apply(out, engine: engine)
                out.removeAll()
            }
            // Her last motion at 10:00; the silence alarm goes to the authority.
            edge(living, true, first)
            edge(living, false, first.advanced(by: .seconds(5)))
            engine.tick(at: first.advanced(by: .hours(6)), into: &out)
            recorder.apply(out, engine: engine)
            out.removeAll()
            #expect(engine.ladder.open.contains { $0.kind == .inactivity && $0.phase == .alarm })
            // 16:30: the bedroom PIR fires once, alone (a draught, a twitch): not her.
            let stray = first.advanced(by: .minutes(390))
            edge(bedroom, true, stray)
            edge(bedroom, false, stray.advanced(by: .seconds(3)))
            engine.tick(at: stray.advanced(by: .minutes(1)), into: &out)
            recorder.apply(out, engine: engine)
            #expect(engine.ladder.open.contains { $0.kind == .inactivity && $0.phase == .alarm })
            #expect(writer.flush())
        }
        let kinds = try store.read { db in try String.fetchAll(db, sql: "SELECT kind FROM event WHERE sensor = 'pir.bedroom' ORDER BY seq") }
        #expect(kinds == ["stray-motion-start", "stray-motion-end"])
        // A restart at 17:00: her silence still counts from 10:00, not from the draught.
        let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 5_000_000_000), wall: day + .hours(7))
        let r = try #require(try Recovery.recollect(store: store, settings: settings, now: boot, bootID: "second"))
        #expect(r.lastSign?.wall == day + .seconds(5))
        #expect(r.lastSignSensor == living)
        #expect(r.lastMotion[bedroom] == nil)
        // The bedroom PIR did fire: not found silent for it.
        #expect(r.lastTrigger[bedroom]?.wall == day + .minutes(390) + .seconds(3))
    }

    @Test("a door used while her silence alarm is out (a neighbour looks in and leaves) is not her last sign after a restart, acknowledged since or not; used once the alarm is acknowledged, it is")
    func doorWhileTheAlarmIsOut() throws {
        // The alarm not acknowledged; acknowledged before the door; acknowledged after it.
        for (acknowledged, ackAfterDoor) in [(false, false), (true, false), (true, true)] {
            let dir = try temporaryFolder("door-out")
            defer { try? FileManager.default.removeItem(at: dir) }
            let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
            let sensors = SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! })
            let settings = EngineSettings(sensors: sensors)
            let (living, door) = (sensors.id(named: "pir.living")!, sensors.id(named: "door.entrance")!)
            let day = CivilTime.parseISO8601("2026-07-01T10:00:00", defaultOffset: .japan)!
            let first = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: day)
            var engine = WatchEngine(settings: settings, start: first)
            engine.prime(door, rawLevel: false)
            do {
                let writer = StoreWriter(store: store, commitEvery: 0.01)
                writer.start()
                defer { writer.stop() }
                let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "first")
                var out: [Decision] = []
                func step(_ t: Timestamp, _ o: Observation? = nil) {
                    if let o { engine.handle(o, into: &out) }
                    engine.tick(at: t, into: &out)
                    recorder.apply(out, engine: engine)
                    out.removeAll()
                }
                // Her last motion at 10:00; the silence alarm goes to the authority.
                step(first, .level(living, high: true, at: first))
                step(first.advanced(by: .seconds(5)), .level(living, high: false, at: first.advanced(by: .seconds(5))))
                step(first.advanced(by: .hours(6)))
                let alarm = try #require(engine.ladder.open.first { $0.kind == .inactivity && $0.phase == .alarm })
                func acknowledge(at t: Timestamp) {
                    #expect(engine.acknowledge(alarmID: alarm.id, by: "authority:ops", at: t, into: &out))
                    recorder.apply(out, engine: engine)
                    out.removeAll()
                }
                if acknowledged, !ackAfterDoor { acknowledge(at: first.advanced(by: .minutes(370))) }
                // 16:30: the door opens and shuts; nobody is seen moving.
                let opened = first.advanced(by: .minutes(390))
                step(opened.advanced(by: .seconds(2)), .level(door, high: true, at: opened))
                step(opened.advanced(by: .seconds(12)), .level(door, high: false, at: opened.advanced(by: .seconds(10))))
                if ackAfterDoor { acknowledge(at: first.advanced(by: .minutes(395))) }
                #expect(writer.flush())
            }
            // A restart at 16:40.
            let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 5_000_000_000), wall: day + .minutes(400))
            let r = try #require(try Recovery.recollect(store: store, settings: settings, now: boot, bootID: "second"))
            if acknowledged, !ackAfterDoor {
                // Taken in hand: the door is hers again, as it was before the restart.
                #expect(r.lastSignSensor == door)
                #expect(!r.doorSinceSilenceAlarm)
            } else {
                #expect(r.lastSign?.wall == day + .seconds(5))
                #expect(r.lastSignSensor == living)
                #expect(r.doorSinceSilenceAlarm)
            }
        }
    }
}
