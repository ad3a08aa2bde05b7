import Foundation
import KizunaCore
import KizunaNet
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
    var lastRoutineSave: MonotonicInstant?
    /// The declared absence last saved with the snapshot.
    var lastDeclared: DeclaredAbsence?
    /// How often the learned routine is saved (and at stop, by `saveRoutine`).
    public var routineEvery: Span = .hours(1)
    /// How often the snapshot is saved even without a state change (resume point).
    public var snapshotEvery: Span = .minutes(10)
    /// Who this device is, for the messages delivered to the authority (nil: none built).
    public var identity: (device: String, flat: String, offset: UTCOffset)?
    /// When each alarm still being delivered was raised (for its messages).
    var raisedAt: [UInt64: WallTime] = [:]

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
                let reason = s.reason.describe(sensors)
                steps.append(AlarmStepRecord(alarmID: Int64(s.alarmID), kind: s.kind.rawValue,
                                             sensor: s.sensor == .none ? nil : sensors.name(s.sensor),
                                             severity: s.severity.rawValue, step: s.step.rawValue, wall: s.at.wall,
                                             reason: reason, actor: actor,
                                             delivery: message(s, reason: reason, actor: actor, engine: engine)))
            case .occupancy(let t):
                snapshot = Self.snapshot(t.to, at: t.at, bootID: bootID, declared: engine.declaredAbsence)
            case .buzzer:
                break
            }
        }
        if snapshot != nil {
            lastSnapshotSave = snapshot?.savedMonotonic
            lastDeclared = engine.declaredAbsence
        }
        flushEvents(engine: engine)
        writer.enqueue(events: batch, steps: steps, snapshot: snapshot)
        batch.removeAll(keepingCapacity: true)
        // A PIR found silent has had the days it was blind forgotten (`WatchEngine.forgetLearnedBlind`):
        // saved at once, not at the hour, or a power cut would bring them back for good (the
        // alarm is restored as already raised, and never forgets them again).
        if steps.contains(where: { $0.kind == AlarmKind.pirSilent.rawValue && ($0.step == "alarm" || $0.step == "prealarm") }),
           let at = steps.last?.wall {
            saveRoutine(engine: engine, at: at)
        }
    }

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        flushEvents(engine: engine)
        var snapshot: StoredSnapshot?
        // Every `snapshotEvery`, and at once when the authority declared or withdrew an absence.
        if lastSnapshotSave.map({ now.monotonic - $0 >= snapshotEvery }) ?? true || engine.declaredAbsence != lastDeclared {
            snapshot = Self.snapshot(engine.state, at: now, bootID: bootID, declared: engine.declaredAbsence)
            lastSnapshotSave = now.monotonic
            lastDeclared = engine.declaredAbsence
        }
        writer.enqueue(events: batch, snapshot: snapshot)
        batch.removeAll(keepingCapacity: true)
        if lastRoutineSave.map({ now.monotonic - $0 >= routineEvery }) ?? true {
            lastRoutineSave = now.monotonic
            saveRoutine(engine: engine, at: now.wall)
        }
    }

    /// Queues the learned routine (nothing with fixed limits only).
    public func saveRoutine(engine: WatchEngine, at wall: WallTime) {
        let state = engine.routineState
        guard !state.values.isEmpty else { return }
        writer.enqueue(routine: StoredRoutine(state, saved: wall))
    }

    /// Takes the alarms still open from before a restart: their later messages (a repeat, the
    /// resolve) say when they were raised, not when the step went out.
    public func adopt(_ alarms: [OpenAlarm]) {
        for a in alarms { raisedAt[a.id] = a.raisedAt.wall }
    }

    /// The message for the authority, for the steps that go out on the network.
    func message(_ s: AlarmStep, reason: String, actor: String?, engine: WatchEngine) -> String? {
        guard let identity else { return nil }
        if s.step == .preAlarm || s.step == .alarm, raisedAt[s.alarmID] == nil {
            raisedAt[s.alarmID] = engine.ladder.alarm(id: s.alarmID)?.raisedAt.wall ?? s.at.wall
        }
        let raised = raisedAt[s.alarmID] ?? engine.ladder.alarm(id: s.alarmID)?.raisedAt.wall ?? s.at.wall
        if s.step == .cancel || s.step == .resolve { raisedAt[s.alarmID] = nil }
        guard AlarmMessage.isDelivered(step: s.step.rawValue) else { return nil }
        let offset = identity.offset
        let lastSign = engine.inactivity.lastSignSensor
        let evidence = AlarmMessage.Evidence(
            occupancy: engine.state.rawValue,
            lastActivity: lastSign == .none ? nil : CivilTime.iso8601(engine.inactivity.lastSign.wall, offset: offset),
            lastActivityRoom: lastSign == .none ? nil : sensors[lastSign].room,
            readings: latestReadings(engine: engine, at: s.at))
        return AlarmMessage(test: s.kind == .test, device: identity.device, flat: identity.flat, alarm: Int64(s.alarmID),
                            kind: s.kind.rawValue, severity: s.severity.rawValue, step: s.step.rawValue,
                            at: CivilTime.iso8601(s.at.wall, offset: offset, fractionDigits: 3),
                            raised: CivilTime.iso8601(raised, offset: offset, fractionDigits: 3),
                            reason: reason, actor: actor, evidence: evidence).json()
    }

    /// The newest reading of each environment sensor from the last hour, from the ring.
    func latestReadings(engine: WatchEngine, at now: Timestamp) -> [String: Double] {
        var out: [String: Double] = [:]
        let wanted = sensors.sensors.filter { !$0.kind.isBinary }.count
        guard wanted > 0 else { return out }
        for e in engine.ring.newestFirst {
            if now.monotonic - e.time.monotonic > .hours(1) || out.count == wanted { break }
            guard e.kind == .reading else { continue }
            let name = sensors.name(e.sensor)
            if out[name] == nil { out[name] = e.value }
        }
        return out
    }

    static func snapshot(_ state: OccupancyState, at t: Timestamp, bootID: String, declared: DeclaredAbsence?) -> StoredSnapshot {
        StoredSnapshot(occupancy: state.rawValue, saved: t.wall, bootID: bootID, savedMonotonic: t.monotonic,
                       declaredUntil: declared?.until.wall, declaredBy: declared?.by)
    }

    func flushEvents(engine: WatchEngine) {
        let ring = engine.ring
        let first = ring.pushed - UInt64(ring.count)
        if lastSequence < first { lastSequence = first }  // overwritten before we saw them
        while lastSequence < ring.pushed {
            let e = ring[oldestFirst: Int(lastSequence - first)]
            let d = sensors[e.sensor]
            batch.append(EventRecord(wall: e.time.wall, sensor: d.name, kind: e.kind.name,
                                     value: e.kind.hasValue ? e.value : nil, room: d.room))
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
