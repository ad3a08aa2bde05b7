import Foundation
import GRDB
import KizunaCore
import Testing
@testable import KizunaStore

@Suite("A damaged store")
struct DamagedStoreTests {
    static let now = WallTime(secondsSinceEpoch: 1_782_867_600)   // 2026-07-01T01:00:00Z

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("a file that is not a database (torn by a power cut) is set aside, its bytes kept, and a fresh store opened that works")
    func notADatabase() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        try garbage.write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { _ = try FlatStore(path: path) }
        var said: [String] = []
        let store = try DamagedStore.open(path, at: Self.now, log: { said.append($0) })
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.start()
        writer.enqueue(events: [EventRecord(wall: Self.now, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        #expect(writer.flush())
        writer.stop()
        #expect(try store.eventCount() == 1)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".corrupt-") }
        #expect(kept == ["kizuna.sqlite.corrupt-20260701010000"], "\(kept)")
        #expect(try Data(contentsOf: dir.appendingPathComponent(kept.first ?? "-")) == garbage)
        #expect(said.count == 1 && said[0].hasPrefix("error: store \(path) is damaged"))
    }

    @Test("a store found damaged when read back is closed, set aside with its WAL, and replaced; another error leaves it as it is")
    func damagedWhenReadBack() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let store = try FlatStore(path: path)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.start()
        writer.enqueue(events: [EventRecord(wall: Self.now, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        #expect(writer.flush())
        writer.stop()
        var said: [String] = []
        #expect(try DamagedStore.replaceIfDamaged(store, after: DatabaseError(resultCode: .SQLITE_BUSY), at: Self.now, log: { said.append($0) }) == nil)
        #expect(try store.eventCount() == 1)
        let fresh = try #require(try DamagedStore.replaceIfDamaged(store, after: DatabaseError(resultCode: .SQLITE_CORRUPT), at: Self.now,
                                                                    log: { said.append($0) }))
        #expect(try fresh.eventCount() == 0)
        #expect(fresh.path == path)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.contains("kizuna.sqlite.corrupt-20260701010000"))
        #expect(said.count == 1)
    }
}
