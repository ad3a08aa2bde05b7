import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("The flat's record", .serialized)
struct RecordTests {
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Reads a process's stdout line by line until `stop` says so, then kills it with SIGKILL.
    static func killWhen(_ p: Process, out: Pipe, _ stop: (String) -> Bool) -> [String] {
        var buffer = Data()
        var lines: [String] = []
        let handle = out.fileHandleForReading
        while p.isRunning {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                lines.append(line)
                if stop(line) {
                    kill(p.processIdentifier, SIGKILL)
                    p.waitUntilExit()
                    return lines
                }
            }
        }
        return lines
    }

    /// Runs the collapse day with a store and SIGKILLs it at the first JSON line `stop` accepts.
    static func demoKilled(_ kizuna: String, speed: String, store: String, stop: (String) -> Bool) throws -> (Process, [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: kizuna)
        p.arguments = ["demo", "--speed", speed, "--json", "--store", store, "--boards", Paths.boards]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, killWhen(p, out: out, stop))
    }

    @Test("kill -9 in the middle of a silence, restart: the inactivity alarm comes exactly when it would have")
    func restartRecovery() throws {
        let kizuna = try #require(Paths.kizuna)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("kizuna.sqlite").path

        // First life: the collapse day, killed (SIGKILL) an hour into the silence.
        let (p, first) = try Self.demoKilled(kizuna, speed: "8000", store: db) { $0.contains("\"to\":\"resting\"") && $0.contains("T14:56") }
        #expect(p.terminationReason == .uncaughtSignal)
        #expect(!first.contains { $0.contains("inactivity") }, "killed before any alarm")

        // Second life: 10 minutes later, as fast as possible.
        let r = try run(kizuna, ["demo", "--speed", "max", "--json", "--store", db, "--downtime", "10m", "--boards", Paths.boards])
        #expect(r.status == 0)
        let steps = r.stdout.split(separator: "\n").filter { $0.contains("\"kind\":\"inactivity\"") }
        #expect(steps.first?.contains("\"type\":\"prealarm\"") == true)
        #expect(steps.first?.contains("\"at\":\"2026-07-01T16:56:02.500+09:00\"") == true)
        #expect(steps.dropFirst().first?.contains("\"type\":\"alarm\"") == true)
        #expect(steps.dropFirst().first?.contains("\"at\":\"2026-07-01T16:59:02.500+09:00\"") == true)
    }

    @Test("kill -9 during a pre-alarm, restart: the pre-alarm goes on and escalates on time")
    func restartDuringPreAlarm() throws {
        let kizuna = try #require(Paths.kizuna)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("kizuna.sqlite").path
        let (_, first) = try Self.demoKilled(kizuna, speed: "3000", store: db) { $0.contains("\"type\":\"prealarm\"") }
        #expect(first.last?.contains("2026-07-01T16:56:02.500") == true)
        let store = try FlatStore(path: db)
        #expect(try store.alarms(state: "open").map(\.state) == ["prealarm"])  // committed at once

        let r = try run(kizuna, ["demo", "--speed", "max", "--json", "--store", db, "--downtime", "30s", "--boards", Paths.boards])
        let steps = r.stdout.split(separator: "\n").filter { $0.contains("\"kind\":\"inactivity\"") }
        #expect(steps.first?.contains("\"type\":\"alarm\"") == true)
        #expect(steps.first?.contains("\"at\":\"2026-07-01T16:59:02.500+09:00\"") == true)
        #expect(steps.first?.contains("\"alarm\":1") == true)  // the same alarm, not a new one
    }

    @Test("a failing disk never stops the loop: the batch is retried, memory stays bounded, and it says so")
    func failingStore() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        let writer = StoreWriter(store: store, commitEvery: 0.01, maxQueuedEvents: 1000)
        let failing = Flag()
        failing.value = true
        writer.injectFailure = { failing.value ? CocoaError(.fileWriteOutOfSpace) : nil }
        writer.start()
        defer { writer.stop() }
        let t = WallTime(secondsSinceEpoch: 1_782_867_600)
        for i in 0..<15 {
            writer.enqueue(events: (0..<100).map { EventRecord(wall: t + .seconds(Int64(i * 100 + $0)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living") })
        }
        writer.enqueue(steps: [AlarmStepRecord(alarmID: 1, kind: "inactivity", sensor: nil, severity: "critical", step: "alarm", wall: t, reason: "silent")])
        usleep(200_000)
        let h = writer.currentHealth
        #expect(h.failure != nil)
        #expect(h.queuedEvents == 1000)
        #expect(h.droppedEvents == 500)
        #expect(h.queuedSteps == 1)
        failing.value = false
        #expect(writer.flush())
        #expect(writer.currentHealth.failure == nil)
        #expect(try store.eventCount() == 1000)
        // The oldest were dropped, the alarm step kept.
        #expect(try store.events(limit: 1).first?.wall == t + .seconds(500))
        #expect(try store.alarms().count == 1)
    }

    @Test("retention prunes old raw events in small steps and keeps alarms")
    func retention() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.retentionEvents = .days(90)
        writer.start()
        defer { writer.stop() }
        let now = WallTime(secondsSinceEpoch: 1_782_867_600)
        writer.enqueue(events: (0..<2500).map { EventRecord(wall: now + .days(-100) + .seconds(Int64($0)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living") }
                       + (0..<10).map { EventRecord(wall: now + .days(-1) + .seconds(Int64($0)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living") },
                       steps: [AlarmStepRecord(alarmID: 1, kind: "inactivity", sensor: nil, severity: "critical", step: "resolve", wall: now + .days(-100), reason: "x")])
        writer.flush()
        #expect(try writer.prune(now: now) >= 2500)
        #expect(try store.eventCount() == 10)
        #expect(try store.alarms().count == 1)
    }

    @Test("kizuna export streams a million events with bounded memory")
    func exportMillion() throws {
        let kizuna = try #require(Paths.kizuna)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("kizuna.sqlite").path
        let store = try FlatStore(path: path)
        let n = 1_000_000
        try store.bulkInsertForTesting(count: n, start: WallTime(secondsSinceEpoch: 1_782_867_600))
        let out = dir.appendingPathComponent("export.ndjson").path
        let peakFile = dir.appendingPathComponent("peak").path
        // GNU time reports the child's own peak resident set (kB).
        let r = try run("/usr/bin/time", ["-f", "%M", "-o", peakFile, "/bin/sh", "-c",
                                          "exec \"$0\" export --config \"$1\" --boards \"$2\" --store \"$3\" > \"$4\"",
                                          kizuna, Paths.demoConfig, Paths.boards, path, out])
        #expect(r.status == 0)
        let peakMB = Double(try String(contentsOfFile: peakFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 / 1024 } ?? -1
        // Line count without reading it all into memory here either.
        let wc = try run("/usr/bin/wc", ["-l", out])
        #expect(wc.stdout.split(separator: " ").first.map { Int($0) } == n)
        #expect(peakMB < 100, "export peak RSS \(peakMB) MB")
    }
}

final class Flag: @unchecked Sendable {
    let lock = NSLock()
    var stored = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
