import Foundation
import KizunaCore
import KizunaRuntime
import KizunaStore

/// Bytes this process has caused to be written to storage (`write_bytes` of /proc/self/io).
func bytesWrittenToDisk() -> Int64 {
    guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return -1 }
    for line in io.split(separator: "\n") where line.hasPrefix("write_bytes:") {
        return Int64(line.split(separator: " ").last ?? "") ?? -1
    }
    return -1
}

func temporaryStore() throws -> (FlatStore, URL) {
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("kizuna-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path), dir)
}

/// Events appended per second through the writer, in batches as the loop hands them.
func benchmarkStoreAppend(count: Int, batch: Int) throws {
    let (store, dir) = try temporaryStore()
    defer { try? FileManager.default.removeItem(at: dir) }
    let writer = StoreWriter(store: store, commitEvery: 0.05)
    writer.start()
    let t0 = Date()
    var wall = WallTime(secondsSinceEpoch: 1_782_867_600)
    var made = 0
    while made < count {
        let n = min(batch, count - made)
        writer.enqueue(events: (0..<n).map { i in
            EventRecord(wall: wall + .milliseconds(Int64(i)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living")
        })
        wall = wall + .seconds(5)
        made += n
    }
    writer.flush(timeout: 600)
    let elapsed = Date().timeIntervalSince(t0)
    writer.stop()
    print("store-append: \(count) events in batches of \(batch): \(fixed(elapsed, 2)) s = \(fixed(Double(count) / elapsed / 1000, 1)) k events/s, \(writer.currentHealth.commits) commits, \(store.bytesOnDisk / 1024) KiB on disk")
}

/// Fills a store with synthetic events (for the HTTP export benchmark).
func storeFill(path: String, count: Int) throws {
    let store = try FlatStore(path: path)
    // From 2026-06-01, one a second: before the demo's day, so a demo on this store
    // resumes before its scenario and keeps running.
    try store.bulkInsertForTesting(count: count, start: WallTime(secondsSinceEpoch: 1_780_272_000))
    print("store-fill: \(count) events in \(path)")
}

/// A CASAS recording through the engine and the store, committing every 5 s of the
/// recording's own time (as the device does), with the bytes written to storage.
func benchmarkCASASBytes(file: String) throws {
    let recording = try RecordingLoader.load(files: [file], format: .casas, mapping: nil, lenient: false)
    let registry = recording.sensors
    let observations = recording.observations
    guard let first = observations.first?.time, let last = observations.last?.time else { return }
    let (store, dir) = try temporaryStore()
    defer { try? FileManager.default.removeItem(at: dir) }
    // A writer whose commits are driven here, by the recording's clock: one every 5 s
    // with something to write, and at once on an alarm step.
    let writer = StoreWriter(store: store, commitEvery: 3600)
    writer.start()
    var engine = WatchEngine(settings: EngineSettings(sensors: registry, utcOffset: .utc), start: first)
    let recorder = FlatRecorder(writer: writer, sensors: registry, bootID: "bench")
    var decisions: [Decision] = []
    let before = bytesWrittenToDisk()
    var nextCommit = first.monotonic + .seconds(5)
    var commits = 0
    for o in observations {
        if o.time.monotonic >= nextCommit {
            engine.tick(at: o.time, into: &decisions)
            recorder.apply(decisions, engine: engine)
            decisions.removeAll()
            writer.flush()
            commits += 1
            nextCommit = o.time.monotonic + .seconds(5)
        }
        engine.handle(o, into: &decisions)
        if decisions.contains(where: { if case .alarm = $0 { true } else { false } }) {
            recorder.apply(decisions, engine: engine)
            decisions.removeAll()
            writer.flush()
            commits += 1
        }
    }
    recorder.apply(decisions, engine: engine)
    writer.flush()
    writer.stop()
    let written = bytesWrittenToDisk() - before
    let days = (last.wall - first.wall).seconds / 86_400
    print("casas-bytes: \(observations.count) observations over \(fixed(days, 1)) days, \(try store.eventCount()) events stored, \(commits) commits")
    print("casas-bytes: \(written / 1024) KiB written to storage = \(fixed(Double(written) / days / 1_048_576, 2)) MiB/day; database \(store.bytesOnDisk / 1024) KiB")
}
