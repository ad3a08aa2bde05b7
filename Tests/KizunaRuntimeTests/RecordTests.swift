import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

@Suite("The flat's record", .serialized)
struct RecordTests {
    /// Plays the collapse day with a store and lets it SIGKILL itself at `killAt` (once its
    /// store has caught up): a crash at a chosen simulated moment, whatever the machine's load.
    static func crash(_ kizuna: String, store: String, at killAt: String) throws -> (status: Process.TerminationReason, lines: [String]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: kizuna)
        p.arguments = ["demo", "--speed", "max", "--json", "--store", store, "--boards", Paths.boards, "--debug-kill-at", killAt]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == SIGKILL)
        return (p.terminationReason, String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
    }

    @Test("kill -9 in the middle of a silence, restart: the inactivity alarm comes exactly when it would have")
    func restartRecovery() throws {
        let kizuna = try #require(Paths.kizuna)
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("kizuna.sqlite").path

        // First life: the collapse day, killed (SIGKILL) an hour into the silence.
        let (reason, first) = try Self.crash(kizuna, store: db, at: "2026-07-01T15:00:00")
        #expect(reason == .uncaughtSignal)
        #expect(first.contains { $0.contains("\"to\":\"resting\"") && $0.contains("T14:56") })
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
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("kizuna.sqlite").path
        let (_, first) = try Self.crash(kizuna, store: db, at: "2026-07-01T16:57:00")
        #expect(first.last?.contains("\"type\":\"prealarm\"") == true)
        #expect(first.last?.contains("2026-07-01T16:56:02.500") == true)
        let store = try FlatStore(path: db)
        #expect(try store.alarms(state: "open").map(\.state) == ["prealarm"])

        let r = try run(kizuna, ["demo", "--speed", "max", "--json", "--store", db, "--downtime", "30s", "--boards", Paths.boards])
        let steps = r.stdout.split(separator: "\n").filter { $0.contains("\"kind\":\"inactivity\"") }
        #expect(steps.first?.contains("\"type\":\"alarm\"") == true)
        #expect(steps.first?.contains("\"at\":\"2026-07-01T16:59:02.500+09:00\"") == true)
        #expect(steps.first?.contains("\"alarm\":1") == true)  // the same alarm, not a new one
    }

    @Test("a failing disk never stops the loop: the batch is retried, memory stays bounded, and it says so")
    func failingStore() throws {
        let dir = try temporaryFolder("record")
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
        // Until the writer has tried (and failed) a commit: a fixed wait was too short on a busy machine.
        for _ in 0..<500 where writer.currentHealth.failure == nil { usleep(10_000) }
        let h = writer.currentHealth
        #expect(h.failure != nil)
        // The alarm step cannot reach the outbox: the heartbeat, sent apart, names the store.
        #expect(RuntimeServices.heartbeatFaults(status: nil, store: h) == ["store"])
        #expect(h.queuedEvents == 1000)
        #expect(h.droppedEvents == 500)
        #expect(h.queuedSteps == 1)
        failing.value = false
        #expect(writer.flush())
        #expect(writer.currentHealth.failure == nil)
        #expect(RuntimeServices.heartbeatFaults(status: nil, store: writer.currentHealth).isEmpty)
        #expect(try store.eventCount() == 1000)
        // The oldest were dropped, the alarm step kept.
        #expect(try store.events(limit: 1).first?.wall == t + .seconds(500))
        #expect(try store.alarms().count == 1)
    }

    @Test("a store-fault still open after a restart is resolved once the store is written; a failing store is raised once")
    func storeFaultAcrossARestart() throws {
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        let failing = Flag()
        writer.injectFailure = { failing.value ? CocoaError(.fileWriteOutOfSpace) : nil }
        writer.start()
        defer { writer.stop() }
        let sensors = SensorRegistry(["pir.living"].map { SensorDescriptor(name: $0)! })
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600))
        var engine = WatchEngine(settings: EngineSettings(sensors: sensors), start: t0)
        var out: [Decision] = []
        // Open as the store gave it back at the boot: its resolve never reached the disk.
        engine.systemFault(.storeFault, active: true, detail: "the store cannot be written: disk full", at: t0, into: &out)
        #expect(engine.ladder.isOpen(.storeFault))
        let commands = CommandQueue()
        let watcher = StoreFaultWatcher(writer: writer, commands: commands)
        func runQueued(at t: Timestamp) -> [AlarmStep] {
            let queued = commands.take()
            var steps: [AlarmStep] = []
            for q in queued {
                guard case .engine(let c) = q else { continue }
                out.removeAll()
                c(&engine, t, &out)
                steps += out.compactMap { if case .alarm(let s) = $0 { s } else { nil } }
            }
            return steps
        }
        let t1 = t0.advanced(by: .seconds(5))
        // Nothing written yet since the boot (a disk still full would fail the first commit):
        // no resolve on hope.
        watcher.wokeUp(at: t1, engine: engine)
        #expect(runQueued(at: t1).isEmpty)
        writer.enqueue(events: [EventRecord(wall: t1.wall, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        #expect(writer.flush())
        #expect(writer.currentHealth.commits > 0)
        watcher.wokeUp(at: t1, engine: engine)
        watcher.wokeUp(at: t1, engine: engine)   // woken again before the loop ran it: asked once
        let resolved = runQueued(at: t1)
        #expect(resolved.map(\.step) == [.resolve])
        #expect(resolved.first?.kind == .storeFault)
        #expect(!engine.ladder.isOpen(.storeFault))
        watcher.wokeUp(at: t1, engine: engine)
        #expect(runQueued(at: t1).isEmpty)

        // The disk fails now: raised once, however often the loop wakes.
        failing.value = true
        writer.enqueue(events: [EventRecord(wall: t1.wall, sensor: "pir.living", kind: "motion-start", value: nil, room: "living")])
        for _ in 0..<500 where writer.currentHealth.failure == nil { usleep(10_000) }
        #expect(writer.currentHealth.failure != nil)
        let t2 = t1.advanced(by: .seconds(5))
        watcher.wokeUp(at: t2, engine: engine)
        watcher.wokeUp(at: t2, engine: engine)
        let raised = runQueued(at: t2)
        #expect(raised.map(\.step) == [.alarm])
        #expect(raised.first?.kind == .storeFault)
        watcher.wokeUp(at: t2, engine: engine)
        #expect(runQueued(at: t2).isEmpty)
    }

    /// A store in `dir` and its running writer, keeping raw events 90 days.
    static func writerKeeping90Days(in dir: URL) throws -> (FlatStore, StoreWriter) {
        let store = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        let writer = StoreWriter(store: store, commitEvery: 0.01)
        writer.retentionEvents = .days(90)
        writer.start()
        return (store, writer)
    }

    @Test("retention prunes old raw events in small steps and keeps alarms")
    func retention() throws {
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, writer) = try Self.writerKeeping90Days(in: dir)
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

    @Test("a long retention pass gives way between its batches when asked (an alarm step queued, the stop), and the next pass goes on")
    func retentionGivesWay() throws {
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, writer) = try Self.writerKeeping90Days(in: dir)
        defer { writer.stop() }
        let now = WallTime(secondsSinceEpoch: 1_782_867_600)
        writer.enqueue(events: (0..<3500).map { EventRecord(wall: now + .days(-100) + .seconds(Int64($0)), sensor: "pir.living", kind: "motion-start", value: nil, room: "living") })
        writer.flush()
        var asked = 0
        #expect(try writer.prune(now: now, giveWay: { asked += 1; return true }) == 1000)
        #expect(asked == 1)
        #expect(try store.eventCount() == 2500)
        #expect(try writer.prune(now: now) == 2500)
        #expect(try store.eventCount() == 0)
    }

    @Test("retention counts from the last event stored: one stamped in 2040 by a clock set wrong, then corrected, does not erase the history")
    func retentionAfterAClockAhead() throws {
        let dir = try temporaryFolder("record")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, writer) = try Self.writerKeeping90Days(in: dir)
        defer { writer.stop() }
        let now = WallTime(secondsSinceEpoch: 1_782_867_600)
        let motion = { (w: WallTime) in EventRecord(wall: w, sensor: "pir.living", kind: "motion-start", value: nil, room: "living") }
        writer.enqueue(events: (0..<10).map { motion(now + .days(-10) + .minutes(Int64($0))) })   // her last ten days
        writer.enqueue(events: [motion(WallTime(secondsSinceEpoch: 2_218_000_000))])              // 2040, for a moment
        writer.enqueue(events: (0..<5).map { motion(now + .minutes(Int64($0))) })                  // the clock corrected
        writer.flush()
        let reference = try #require(try writer.retentionReference())
        #expect(reference == now + .minutes(4))
        #expect(try writer.prune(now: reference) == 0)
        #expect(try store.eventCount() == 16)
    }

    @Test("kizuna export streams a million events with bounded memory")
    func exportMillion() throws {
        let kizuna = try #require(Paths.kizuna)
        let dir = try temporaryFolder("record")
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
