import Foundation
import KizunaCore
import Testing
@testable import KizunaStore

@Suite("Routine persistence")
struct RoutineStoreTests {
    @Test func learnedRoutineSurvivesARestart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-routine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        var model = RoutineModel(settings: RoutineSettings(), offset: .japan)
        var last = WallTime(secondsSinceEpoch: 1_700_000_000)
        for i in 1...2000 {
            let t = last + .minutes(i % 7 == 0 ? 95 : 12)
            model.learn(signOfLifeAt: t, previous: last)
            last = t
        }
        do {
            let s = try FlatStore(path: path)
            #expect(try s.routine() == nil)
            let w = StoreWriter(store: s, commitEvery: 0.01)
            w.start()
            w.enqueue(routine: StoredRoutine(model.state, saved: last))
            #expect(w.flush())
            w.stop()
        }
        let reopened = try FlatStore(path: path)
        let saved = try #require(try reopened.routine())
        #expect(saved.saved == last)
        #expect(saved.state == model.state)
        var restored = RoutineModel(settings: RoutineSettings(), offset: .japan)
        let taken = restored.restore(saved.state)
        #expect(taken)
        #expect(restored == model)
    }
}
