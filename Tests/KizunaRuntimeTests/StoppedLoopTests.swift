import Foundation
import KizunaCore
import KizunaHardware
import Testing
@testable import KizunaRuntime

/// A source with nothing to say: the loop runs on its timers alone.
final class QuietSource: InputSource {
    var pollDescriptors: [Int32] { [] }
    func nextDeadline() -> MonotonicInstant { .never }
    func collect(upTo now: Timestamp, into observations: inout [Observation]) {}
    func initialLevels() -> [(SensorID, Bool)] { [] }
}

final class OffOutputs: OutputSink {
    func set(_ role: OutputRole, on: Bool, at time: Timestamp) {}
    func allOff() {}
}

/// Between the loop's end and the API's (a shutdown, a restart for a new configuration) the
/// staff may still acknowledge an alarm. Only the running loop records and sends what a
/// change decides: after it, a change must say it was not done, never answer "done".
@Suite("Changes asked of a stopped loop")
struct StoppedLoopTests {
    static func loop() -> RuntimeLoop {
        let sensors = SensorRegistry(["pir.living", "door.entrance", "button.help"].map { SensorDescriptor(name: $0)! })
        let start = Timestamp(monotonic: .init(nanoseconds: 1_000_000_000_000), wall: .init(nanosecondsSinceEpoch: 1_790_000_000_000_000_000))
        return RuntimeLoop(engine: WatchEngine(settings: EngineSettings(sensors: sensors), start: start),
                           source: QuietSource(), outputs: OffOutputs(), clock: VirtualClock(start: start, speed: nil))
    }

    @Test("while it runs a change is done; once it has stopped a change is refused (not run), a query still answered")
    func refusedAfterStop() async {
        let loop = Self.loop()
        let commands = loop.commands
        let end = loop.clock.now().monotonic + .minutes(1)
        nonisolated(unsafe) let runner = loop   // only the thread uses it until it has finished
        let running = Thread { runner.run(until: end) }
        // Queued before the loop runs: done in its first step.
        let raised = Task { await commands.change { engine, now, out in
            let id = engine.ladder.nextID
            engine.raiseTestAlarm(by: "technician:test", at: now, into: &out)
            return id
        } }
        while commands.lock.withLock({ commands.pending.isEmpty }) { usleep(1000) }   // queued, then run
        running.start()
        let first = await raised.value
        #expect(first != nil)
        while !running.isFinished { usleep(1000) }

        // Stopped: nothing is run, and the caller hears so.
        let after = await commands.change { engine, now, out in
            engine.raiseTestAlarm(by: "technician:test", at: now, into: &out)
            return true
        }
        #expect(after == nil)
        let blocking: Bool? = commands.onEngineChange { engine, now, out in
            engine.acknowledge(alarmID: first ?? 0, by: "authority:ops", at: now, into: &out)
        }
        #expect(blocking == nil)
        // A query is answered: the engine saw the first test alarm only.
        let nextID = commands.onEngine { engine, _, _ in engine.ladder.nextID }
        #expect(first.map { nextID == $0 + 1 } == true)
        commands.release()
    }

    @Test("a change queued when the loop stops is refused, never run against the stopped engine")
    func queuedAtStop() {
        let loop = Self.loop()
        let ran = ResultBox<Bool>(), refused = ResultBox<Bool>()
        // The first step queues a change and asks the loop to stop: the change is still
        // waiting when the loop ends.
        loop.commands.submit(loop: { loop, _ in
            loop.commands.enqueue(.change({ _, _, _ in ran.value = true }, refuse: { refused.value = true }))
            loop.stop()
        })
        loop.run(until: loop.clock.now().monotonic + .hours(1))
        #expect(refused.value == true)
        #expect(ran.value == nil)
        loop.commands.release()
    }
}
