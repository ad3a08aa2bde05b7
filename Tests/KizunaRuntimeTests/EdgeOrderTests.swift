import Foundation
import KizunaCore
import KizunaHardware
import Testing
@testable import KizunaRuntime

/// A source that gives, once the loop reaches `at`, a batch as the GPIO source gives one
/// after a stall: each line's edges in order, line after line.
final class BatchSource: InputSource {
    let at: MonotonicInstant
    var batch: [Observation]
    init(at: MonotonicInstant, batch: [Observation]) { self.at = at; self.batch = batch }
    var pollDescriptors: [Int32] { [] }
    func nextDeadline() -> MonotonicInstant { batch.isEmpty ? .never : at }
    func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        guard now.monotonic >= at else { return }
        observations += batch
        batch = []
    }
    func initialLevels() -> [(SensorID, Bool)] { [] }
}

@Suite("Edges of several lines in one batch")
struct EdgeOrderTests {
    @Test("a batch spanning seconds is handled in time order: the hall PIR's rise after the door shut says she stayed in (handled line by line, the flat read away and her collapse raised nothing)")
    func timeOrder() {
        let sensors = SensorRegistry(["pir.hall", "door.entrance"].map { SensorDescriptor(name: $0)! })
        let start = Timestamp(monotonic: .init(nanoseconds: 1_000_000_000_000), wall: .init(nanosecondsSinceEpoch: 1_790_000_000_000_000_000))
        let pir = sensors.id(named: "pir.hall")!, door = sensors.id(named: "door.entrance")!
        func at(_ seconds: Int64) -> Timestamp { start.advanced(by: .seconds(seconds)) }
        // Seen at home first; then, read after a stall at 2:30: the hall PIR 1:40–1:54 and
        // 2:00–2:05, the door opened 1:43 and shut 1:50 (she looked out and came back in).
        let batch: [Observation] = [
            .level(pir, high: true, at: at(10)), .level(pir, high: false, at: at(15)),
            .level(pir, high: true, at: at(100)), .level(pir, high: false, at: at(114)),
            .level(pir, high: true, at: at(120)), .level(pir, high: false, at: at(125)),
            .level(door, high: true, at: at(103)), .level(door, high: false, at: at(110)),
        ]
        var engine = WatchEngine(settings: EngineSettings(sensors: sensors), start: start)
        engine.prime(door, rawLevel: false)
        let loop = RuntimeLoop(engine: engine, source: BatchSource(at: at(150).monotonic, batch: batch), outputs: OffOutputs(),
                               clock: VirtualClock(start: start, speed: nil))
        loop.run(until: at(3600).monotonic)
        #expect(loop.engine.state != .away && loop.engine.state.isPresumedHome, "\(loop.engine.state)")
        var ordered = batch
        RuntimeLoop.putInTimeOrder(&ordered)
        #expect(ordered.map(\.time.monotonic) == ordered.map(\.time.monotonic).sorted())
        #expect(ordered.first == batch.first && ordered.last == .level(pir, high: false, at: at(125)))
    }
}
