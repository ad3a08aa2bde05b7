import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("Declared absence across a restart")
struct DeclaredAbsenceRecoveryTests {
    @Test("the declaration saved with the snapshot comes back with it; an old store (no declaration) reads as none")
    func recollected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-declared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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
}
