import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("Declared absence across a restart")
struct DeclaredAbsenceRecoveryTests {
    @Test("the declaration saved with the snapshot comes back with it; an old store (no declaration) reads as none")
    func recollected() throws {
        let dir = try temporaryFolder("declared")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let saved = WallTime(secondsSinceEpoch: 1_790_000_000)
        let until = saved + .days(5)
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! }),
                                      routine: RoutineSettings())
        let now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: saved + .hours(2))
        for declared in [true, false] {
            let s = try FlatStore(path: path)
            let w = StoreWriter(store: s, commitEvery: 0.01)
            w.start()
            w.enqueue(snapshot: StoredSnapshot(occupancy: "away", saved: saved, bootID: "old-boot", savedMonotonic: MonotonicInstant(nanoseconds: 7),
                                               declaredUntil: declared ? until : nil, declaredBy: declared ? "authority:ops" : nil))
            #expect(w.flush())
            w.stop()
            let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: now, bootID: "new-boot"))
            #expect(r.occupancy == .away)
            #expect(r.declaredAbsence?.until.wall == (declared ? until : nil))
            #expect(r.declaredAbsence?.by == (declared ? "authority:ops" : nil))
            // After a reboot the wall clock places it: five days after the save is 4 d 22 h after now.
            if declared { #expect(r.declaredAbsence?.until.monotonic == now.monotonic + (until - now.wall)) }
            var engine = WatchEngine(settings: settings, start: now)
            engine.restore(r)
            #expect(engine.state == .away)
            #expect((engine.declaredAbsence != nil) == declared)
        }
    }

    @Test("the last press of each button comes back from the store (a cord found held at the boot and pressed the day before is that press)")
    func lastButtonPress() throws {
        let dir = try temporaryFolder("button")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = WallTime(secondsSinceEpoch: 1_790_000_000)
        let path = try storeLeftBehind(in: dir, events: [
            EventRecord(wall: t, sensor: "button.help", kind: "button", value: nil, room: "help"),
            EventRecord(wall: t + .hours(1), sensor: "button.help", kind: "button", value: nil, room: "help"),
            EventRecord(wall: t + .hours(2), sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "button.help"].map { SensorDescriptor(name: $0)! }))
        let now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t + .hours(3))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: now, bootID: "new-boot"))
        #expect(r.lastButtonPress.count == 1)
        #expect(r.lastButtonPress[settings.sensors.id(named: "button.help")!]?.wall == t + .hours(1))
        #expect(r.buttonReleasedAtStop.isEmpty, "no release stored: a store from before releases were kept")
    }

    @Test("whether each button was let go when the runtime stopped comes back from the store: its last press or release, in the order stored")
    func buttonReleasedAtStop() throws {
        let dir = try temporaryFolder("release")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = WallTime(secondsSinceEpoch: 1_790_000_000)
        func event(_ minutes: Int64, _ sensor: String, _ kind: String) -> EventRecord {
            EventRecord(wall: t + .minutes(minutes), sensor: sensor, kind: kind, value: nil, room: "help")
        }
        // button.cord: pulled, let go, pulled again (and still pulled). button.bed: pulled and
        // let go, though stamped earlier (a clock set back meanwhile): the order stored counts.
        // button.old: only a press (a store from before releases were kept).
        let path = try storeLeftBehind(in: dir, events: [
            event(0, "button.cord", "button"), event(1, "button.cord", "button-release"), event(60, "button.cord", "button"),
            event(30, "button.bed", "button"), event(-30, "button.bed", "button-release"),
            event(10, "button.old", "button"), event(70, "pir.living", "motion-start")])
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "button.cord", "button.bed", "button.old"].map { SensorDescriptor(name: $0)! }))
        let now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t + .hours(3))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: now, bootID: "new-boot"))
        let id = { settings.sensors.id(named: $0)! }
        #expect(r.buttonReleasedAtStop == [id("button.cord"): false, id("button.bed"): true])
    }

    @Test("the VOC readings of the 12 h before the stop (by the last trace: 07:05 for 19:05) come back for the VOC watches, oldest first; older ones, and other sensors' readings, do not")
    func vocReadingsRecalled() throws {
        let dir = try temporaryFolder("voc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = WallTime(secondsSinceEpoch: 1_790_000_000)
        func reading(_ hours: Int64, _ sensor: String, _ value: Double) -> EventRecord {
            EventRecord(wall: t + .hours(hours), sensor: sensor, kind: "reading", value: value, room: "kitchen")
        }
        let path = try storeLeftBehind(in: dir, events: [
            reading(0, "voc.kitchen", 90), reading(7, "voc.kitchen", 95), reading(8, "voc.kitchen", 100), reading(9, "temperature.kitchen", 24),
            reading(18, "voc.kitchen", 200), reading(19, "voc.kitchen", 210),
            EventRecord(wall: t + .hours(19), sensor: "pir.kitchen", kind: "motion-start", value: nil, room: "kitchen")])
        let settings = EngineSettings(sensors: SensorRegistry(["pir.kitchen", "temperature.kitchen", "voc.kitchen"].map { SensorDescriptor(name: $0)! }))
        let now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000), wall: t + .hours(19) + .minutes(5))
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: now, bootID: "new-boot"))
        #expect(r.vocReadings.map(\.value) == [100, 200, 210])
        #expect(r.vocReadings.allSatisfy { $0.sensor == settings.sensors.id(named: "voc.kitchen") })
        #expect(r.vocReadings.last?.at.monotonic == now.monotonic - .minutes(5))
    }

    @Test("rebooted with the wall clock behind the last trace: the start waits for NTP to set it (bounded), so the time off is counted; not on the same boot, nor with the clock ahead")
    func awaitsTheClock() throws {
        let dir = try temporaryFolder("await")
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = WallTime(secondsSinceEpoch: 1_790_000_000)
        let s = try FlatStore(path: try storeLeftBehind(
            in: dir, events: [EventRecord(wall: saved + .minutes(-3), sensor: "pir.living", kind: "motion-start", value: nil, room: "living")],
            snapshot: StoredSnapshot(occupancy: "home", saved: saved, bootID: "old-boot", savedMonotonic: MonotonicInstant(nanoseconds: 7))))
        // A clock 40 min behind, set by NTP after 7 s (4 h later than it read: a power cut).
        final class Clock: @unchecked Sendable {
            var reads = 0
            var slept = 0.0
            let setAfter: Double
            init(setAfter: Double) { self.setAfter = setAfter }
            func wall(_ saved: WallTime) -> WallTime {
                reads += 1
                return slept >= setAfter ? saved + .hours(4) : saved + .minutes(-40)
            }
        }
        var lines: [String] = []
        let set = Clock(setAfter: 7)
        let r = try Recovery.awaitClock(store: s, bootID: "new-boot", timeout: 40, wall: { set.wall(saved) }, sleep: { set.slept += $0 },
                                        log: { lines.append($0) })
        #expect(r == true)
        #expect(set.slept == 7)
        #expect(lines.first?.contains("behind what was last stored") == true && lines.last?.contains("set after 7 s") == true)
        // Never set (no network): it gives up at the bound and says what that costs.
        let never = Clock(setAfter: .infinity)
        lines = []
        #expect(try Recovery.awaitClock(store: s, bootID: "new-boot", timeout: 40, wall: { never.wall(saved) }, sleep: { never.slept += $0 },
                                        log: { lines.append($0) }) == false)
        #expect(never.slept == 40)
        #expect(lines.last?.contains("may alarm late") == true)
        // The same boot (its monotonic clock says how long), or a clock already past: no wait.
        let same = Clock(setAfter: .infinity)
        #expect(try Recovery.awaitClock(store: s, bootID: "old-boot", timeout: 40, wall: { same.wall(saved) }, sleep: { same.slept += $0 },
                                        log: { _ in }) == nil)
        let ahead = Clock(setAfter: 0)
        #expect(try Recovery.awaitClock(store: s, bootID: "new-boot", timeout: 40, wall: { ahead.wall(saved) }, sleep: { ahead.slept += $0 },
                                        log: { _ in }) == nil)
        #expect(same.slept == 0 && ahead.slept == 0)
    }

    @Test("rebooted with the wall clock behind the last trace (not yet set by NTP): nothing restored in the future, the silence counts from the boot at worst")
    func clockBehindAtBoot() throws {
        let dir = try temporaryFolder("clock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let sign = WallTime(secondsSinceEpoch: 1_790_000_000)          // her last sign, 13:45 say
        let clock = WallTime(secondsSinceEpoch: 1_790_000_000 - 28 * 60)
        let saved = sign + .minutes(5)                                  // the last snapshot, 13:50
        let settings = EngineSettings(sensors: SensorRegistry(["pir.living", "door.entrance"].map { SensorDescriptor(name: $0)! }))
        let s = try FlatStore(path: path)
        let w = StoreWriter(store: s, commitEvery: 0.01)
        w.start()
        w.enqueue(events: [EventRecord(wall: sign, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        w.enqueue(snapshot: StoredSnapshot(occupancy: "home", saved: saved, bootID: "old-boot", savedMonotonic: MonotonicInstant(nanoseconds: 7)))
        #expect(w.flush())
        w.stop()
        let mono = MonotonicInstant(nanoseconds: 50_000_000_000)
        // The clock reads 28 min before her last sign (the fake-hwclock's hourly save).
        let behind = Timestamp(monotonic: mono, wall: clock)
        let r = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: behind, bootID: "new-boot"))
        let last = try #require(r.lastSign)
        #expect(last.monotonic <= mono)
        #expect(last.monotonic == mono - .minutes(5))                  // as if back at the last trace
        // A clock ahead of the last trace is believed: off for 2 h, silent for 2 h 5 min.
        let ahead = Timestamp(monotonic: mono, wall: saved + .hours(2))
        let q = try #require(try Recovery.recollect(store: FlatStore(path: path), settings: settings, now: ahead, bootID: "new-boot"))
        #expect(q.lastSign?.monotonic == mono - .minutes(125))
    }

    @Test("one event stamped years ahead by a clock that ran ahead, then the clock corrected: the last trace is the event stored last, so a reboot neither waits for the clock nor places her last sign years in the past")
    func eventFromTheFuture() throws {
        let dir = try temporaryFolder("future")
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = WallTime(secondsSinceEpoch: 1_790_000_000)
        let path = try storeLeftBehind(in: dir, events: [
            EventRecord(wall: t + .days(5000), sensor: "pir.living", kind: "motion-start", value: nil, room: "living"),
            EventRecord(wall: t, sensor: "pir.living", kind: "motion-end", value: nil, room: "living")])
        let store = try FlatStore(path: path)
        #expect(try Recovery.lastTrace(store: store) == t)
        let now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 50_000_000_000_000), wall: t + .hours(1))
        var waited = false
        #expect(try Recovery.awaitClock(store: store, bootID: "new-boot", timeout: 30, wall: { now.wall }, sleep: { _ in waited = true }, log: { _ in }) == nil)
        #expect(!waited)
        let settings = EngineSettings(sensors: SensorRegistry([SensorDescriptor(name: "pir.living")!]))
        let r = try #require(try Recovery.recollect(store: store, settings: settings, now: now, bootID: "new-boot"))
        #expect(r.lastSign?.monotonic == now.monotonic - .hours(1))
    }
}
