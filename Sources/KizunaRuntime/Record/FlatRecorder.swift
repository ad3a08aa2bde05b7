import Foundation
import KizunaCore
import KizunaStore

/// Hands what the loop sees to the store writer: new events from the ring, every alarm
/// step, and the occupancy snapshot. Runs on the loop; only queues (never touches the disk).
public final class FlatRecorder: RuntimeObserver {
    let writer: StoreWriter
    let sensors: SensorRegistry
    let bootID: String
    var lastSequence: UInt64
    var batch: [EventRecord] = []
    var lastSnapshotSave: MonotonicInstant?
    /// How often the snapshot is saved even without a state change (resume point).
    public var snapshotEvery: Span = .minutes(10)

    public init(writer: StoreWriter, sensors: SensorRegistry, bootID: String = BootID.current, startingAt sequence: UInt64 = 0) {
        self.writer = writer
        self.sensors = sensors
        self.bootID = bootID
        self.lastSequence = sequence
        batch.reserveCapacity(256)
    }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {
        var steps: [AlarmStepRecord] = []
        var snapshot: StoredSnapshot?
        for d in decisions {
            switch d {
            case .alarm(let s):
                var actor: String?
                if case .acknowledged(let who) = s.reason { actor = who }
                if case .test(let who) = s.reason { actor = who }
                steps.append(AlarmStepRecord(alarmID: Int64(s.alarmID), kind: s.kind.rawValue,
                                             sensor: s.sensor == .none ? nil : sensors.name(s.sensor),
                                             severity: s.severity.rawValue, step: s.step.rawValue, wall: s.at.wall,
                                             reason: s.reason.describe(sensors), actor: actor))
            case .occupancy(let t):
                snapshot = Self.snapshot(t.to, at: t.at, bootID: bootID)
            case .buzzer:
                break
            }
        }
        if snapshot != nil { lastSnapshotSave = snapshot?.savedMonotonic }
        flushEvents(engine: engine)
        writer.enqueue(events: batch, steps: steps, snapshot: snapshot)
        batch.removeAll(keepingCapacity: true)
    }

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        flushEvents(engine: engine)
        var snapshot: StoredSnapshot?
        if lastSnapshotSave.map({ now.monotonic - $0 >= snapshotEvery }) ?? true {
            snapshot = Self.snapshot(engine.state, at: now, bootID: bootID)
            lastSnapshotSave = now.monotonic
        }
        writer.enqueue(events: batch, snapshot: snapshot)
        batch.removeAll(keepingCapacity: true)
    }

    static func snapshot(_ state: OccupancyState, at t: Timestamp, bootID: String) -> StoredSnapshot {
        StoredSnapshot(occupancy: state.rawValue, saved: t.wall, bootID: bootID, savedMonotonic: t.monotonic)
    }

    func flushEvents(engine: WatchEngine) {
        let ring = engine.ring
        let first = ring.pushed - UInt64(ring.count)
        if lastSequence < first { lastSequence = first }  // overwritten before we saw them
        while lastSequence < ring.pushed {
            let e = ring[oldestFirst: Int(lastSequence - first)]
            let d = sensors[e.sensor]
            batch.append(EventRecord(wall: e.time.wall, sensor: d.name, kind: e.kind.name,
                                     value: e.kind == .reading ? e.value : nil, room: d.room))
            lastSequence += 1
        }
    }
}

/// This boot's identity: restart recovery uses the monotonic clock only within one boot.
public enum BootID {
    public static var current: String {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
    }
}
