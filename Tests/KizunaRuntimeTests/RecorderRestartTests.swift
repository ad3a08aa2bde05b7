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

    /// A flat recorded through the real store: her last motion at 10:00 on the living-room PIR,
    /// and by 16:00 the alarm about her silence has gone to the authority. Then what a test
    /// does, and a restart (`recollect`).
    final class SilentFlat {
        let dir: URL
        let store: FlatStore
        let sensors: SensorRegistry
        let settings: EngineSettings
        let day = CivilTime.parseISO8601("2026-07-01T10:00:00", defaultOffset: .japan)!
        let first: Timestamp
        var engine: WatchEngine
        let writer: StoreWriter
        let recorder: FlatRecorder
        var out: [Decision] = []

        init(_ names: [String], silentFor silence: Span = .hours(6)) throws {
            dir = try temporaryFolder("silent-flat")
            store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
            sensors = SensorRegistry((["pir.living"] + names).map { SensorDescriptor(name: $0)! })
            settings = EngineSettings(sensors: sensors)
            first = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: day)
            engine = WatchEngine(settings: settings, start: first)
            for s in sensors.sensors where s.name.hasPrefix("door.") { engine.prime(sensors.id(named: s.name)!, rawLevel: false) }
            writer = StoreWriter(store: store, commitEvery: 0.01)
            writer.start()
            recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "first")
            let living = id("pir.living")
            step(first, .level(living, high: true, at: first))
            step(first.advanced(by: .seconds(5)), .level(living, high: false, at: first.advanced(by: .seconds(5))))
            step(first.advanced(by: silence))
        }

        deinit {
            writer.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        func id(_ name: String) -> SensorID { sensors.id(named: name)! }
        /// `minutes` after 10:00.
        func at(_ minutes: Int64, seconds: Int64 = 0) -> Timestamp { first.advanced(by: .minutes(minutes) + .seconds(seconds)) }
        var alarmOut: OpenAlarm? { engine.ladder.open.first { $0.kind == .inactivity && $0.phase == .alarm } }

        /// Hands `o` (if any) to the engine, ticks it to `t` and records what it decided.
        func step(_ t: Timestamp, _ o: Observation? = nil) {
            if let o { engine.handle(o, into: &out) }
            engine.tick(at: t, into: &out)
            recorder.apply(out, engine: engine)
            out.removeAll()
        }

        func acknowledge(_ alarm: OpenAlarm, at t: Timestamp) -> Bool {
            let done = engine.acknowledge(alarmID: alarm.id, by: "authority:ops", at: t, into: &out)
            recorder.apply(out, engine: engine)
            out.removeAll()
            return done
        }

        /// What a restart `minutes` after 10:00 reads back from the store.
        func recollect(atMinute minutes: Int64) throws -> WatchEngine.Recollection? {
            #expect(writer.flush())
            let boot = Timestamp(monotonic: MonotonicInstant(nanoseconds: 5_000_000_000), wall: day + .minutes(minutes))
            return try Recovery.recollect(store: store, settings: settings, now: boot, bootID: "second")
        }
    }

    @Test("a stray trigger (one PIR alone, after her silence alarm went out) is stored as such, and a restart does not count her silence from it")
    func strayTriggerAcrossARestart() throws {
        let f = try SilentFlat(["pir.bedroom"])
        let bedroom = f.id("pir.bedroom")
        #expect(f.alarmOut != nil)
        // 16:30: the bedroom PIR fires once, alone (a draught, a twitch): not her.
        f.step(f.at(390, seconds: 1), .level(bedroom, high: true, at: f.at(390)))
        f.step(f.at(391), .level(bedroom, high: false, at: f.at(390, seconds: 3)))
        #expect(f.alarmOut != nil)
        let r = try #require(try f.recollect(atMinute: 420))   // a restart at 17:00
        let kinds = try f.store.read { db in try String.fetchAll(db, sql: "SELECT kind FROM event WHERE sensor = 'pir.bedroom' ORDER BY seq") }
        #expect(kinds == ["stray-motion-start", "stray-motion-end"])
        // Her silence still counts from 10:00, not from the draught.
        #expect(r.lastSign?.wall == f.day + .seconds(5))
        #expect(r.lastSignSensor == f.id("pir.living"))
        #expect(r.lastMotion[bedroom] == nil)
        // The bedroom PIR did fire: not found silent for it.
        #expect(r.lastTrigger[bedroom]?.wall == f.day + .minutes(390) + .seconds(3))
    }

    @Test("the learned routine is saved when a PIR is found silent (its blind days just forgotten), not an hour later: a power cut then would bring them back for good")
    func routineSavedWhenAPIRIsFoundSilent() throws {
        let dir = try temporaryFolder("silent-pir-routine")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
        let sensors = SensorRegistry([SensorDescriptor(name: "pir.living")!, SensorDescriptor(name: "pir.kitchen")!,
                                      SensorDescriptor(name: "door.entrance")!])
        var settings = EngineSettings(sensors: sensors, routine: RoutineSettings())
        settings.rules.pirSilentAfter = .hours(1)
        settings.rules.pirSilentDoorUses = 1
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                           wall: CivilTime.parseISO8601("2026-07-01T09:00:00", defaultOffset: .japan)!)
        var engine = WatchEngine(settings: settings, start: t0)
        engine.prime(SensorID(2), rawLevel: false)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.start()
        defer { writer.stop() }
        let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "first")
        var out: [Decision] = []
        func feed(_ o: Observation) {
            engine.handle(o, into: &out)
            recorder.apply(out, engine: engine)
            out.removeAll()
        }
        func at(_ m: Int64) -> Timestamp { t0.advanced(by: .minutes(m)) }
        for m: Int64 in [0, 85] {
            feed(.level(SensorID(0), high: true, at: at(m)))
            feed(.level(SensorID(0), high: false, at: at(m).advanced(by: .seconds(2))))
        }
        #expect(writer.flush())
        #expect(try store.routine() == nil, "no save yet (the hourly one comes with a wake-up)")
        // The door at 10:30: the kitchen PIR, never seen since 09:00, is found silent.
        feed(.level(SensorID(2), high: true, at: at(90)))
        engine.tick(at: at(91), into: &out)
        recorder.apply(out, engine: engine)
        out.removeAll()
        #expect(engine.openAlarms.contains { $0.kind == .pirSilent && $0.sensor == SensorID(1) })
        #expect(writer.flush())
        let saved = try #require(try store.routine())
        #expect(saved.saved >= at(90).wall)
        var restored = RoutineModel(settings: settings.routineInForce!, offset: settings.utcOffset)
        let taken = restored.restore(saved.state)
        #expect(taken)
        #expect((0..<48).allSatisfy { restored.longestSilence(slotOfDay: $0) == .zero }, "the day it was blind, forgotten, as saved")
    }

    @Test("a door that begins a moment before her silence alarm goes out and settles after it is not her last sign after a restart (its event is stamped at its first edge)")
    func doorAcrossTheAlarmStep() throws {
        // When the alarm goes out on this flat's silence.
        let probe = try SilentFlat(["door.entrance"])
        let alarm = try #require(probe.alarmOut)
        #expect(probe.writer.flush())
        let out = try #require(try probe.store.steps(ofAlarm: Int64(alarm.id)).first { $0.step == "alarm" }?.wall)
        let f = try SilentFlat(["door.entrance"], silentFor: (out - probe.day) - .milliseconds(10))
        #expect(f.alarmOut == nil)
        let door = f.id("door.entrance")
        // The door's first edge 10 ms before the step; it settles (30 ms) after it.
        let edge = f.first.advanced(by: (out - f.day) - .milliseconds(10))
        f.step(edge.advanced(by: .seconds(1)), .level(door, high: true, at: edge))
        #expect(f.alarmOut != nil, "the alarm went out: the door did not cancel it")
        f.step(edge.advanced(by: .seconds(12)), .level(door, high: false, at: edge.advanced(by: .seconds(10))))
        let r = try #require(try f.recollect(atMinute: 400))
        #expect(r.lastSignSensor == f.id("pir.living"))
        #expect(r.lastSign?.wall == f.day + .seconds(5))
        #expect(r.doorSinceSilenceAlarm)
    }

    @Test("a door used while her silence alarm is out (a neighbour looks in and leaves) is not her last sign after a restart, acknowledged since or not; used once the alarm is acknowledged, it is")
    func doorWhileTheAlarmIsOut() throws {
        // The alarm not acknowledged; acknowledged before the door; acknowledged after it.
        for (acknowledged, ackAfterDoor) in [(false, false), (true, false), (true, true)] {
            let f = try SilentFlat(["door.entrance"])
            let door = f.id("door.entrance")
            let alarm = try #require(f.alarmOut)
            if acknowledged, !ackAfterDoor { #expect(f.acknowledge(alarm, at: f.at(370))) }
            // 16:30: the door opens and shuts; nobody is seen moving.
            f.step(f.at(390, seconds: 2), .level(door, high: true, at: f.at(390)))
            f.step(f.at(390, seconds: 12), .level(door, high: false, at: f.at(390, seconds: 10)))
            if ackAfterDoor { #expect(f.acknowledge(alarm, at: f.at(395))) }
            let r = try #require(try f.recollect(atMinute: 400))   // a restart at 16:40
            if acknowledged, !ackAfterDoor {
                // Taken in hand: the door is hers again, as it was before the restart.
                #expect(r.lastSignSensor == door)
                #expect(!r.doorSinceSilenceAlarm)
            } else {
                #expect(r.lastSign?.wall == f.day + .seconds(5))
                #expect(r.lastSignSensor == f.id("pir.living"))
                #expect(r.doorSinceSilenceAlarm)
            }
        }
    }
}
