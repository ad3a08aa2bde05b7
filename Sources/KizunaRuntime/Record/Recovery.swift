import KizunaCore
import KizunaStore

/// Reads back what the store remembers and maps it onto this run's clock, so that the
/// engine resumes where it was: occupancy, the last sign of life, each PIR's last motion,
/// the doors last seen opening, and the open alarms (with their grace or repeat timers).
public enum Recovery {
    public static func recollect(store: FlatStore, settings: EngineSettings, now: Timestamp, bootID: String) throws -> WatchEngine.Recollection? {
        let snapshot = try store.snapshot()
        // A PIR found stuck (held high, or retriggering) when the runtime stopped: its stored
        // motion was not taken as her, and must not become her last sign at the restart.
        let openAlarms = try store.openAlarms()
        let stuckPIRs = openAlarms.compactMap { a, _ in a.kind == AlarmKind.pirStuck.rawValue ? a.sensor : nil }
        // An alarm about her silence that went out (until someone acknowledged it): a door used
        // meanwhile was not her (a neighbour who looked in and left), and is not her last sign
        // after a restart either; if one was used, her next motion may be someone finding her.
        var silenceOut: [(from: WallTime, until: WallTime?)] = []
        for (a, _) in openAlarms where (a.kind == AlarmKind.inactivity.rawValue || a.kind == AlarmKind.inactivityNotUp.rawValue)
            && a.state != "prealarm" {
            let steps = try store.steps(ofAlarm: a.id)
            // From its raise (its pre-alarm), not from its network step: a door that settled
            // while the pre-alarm sounded was her and cancelled it (this alarm would not be
            // open), so a door stamped in between settled after the step. A door's event is
            // stamped at its first edge, a debounce before it settles: one that began just
            // before the step and settled after it was not her for the engine, and fell
            // outside a window opened at the step (a reviewer's find).
            silenceOut.append((a.raised, steps.first(where: { $0.step == "acknowledge" })?.wall))
        }
        let lastSign = try store.lastSignOfLife(excluding: stuckPIRs, doorsNotSigns: silenceOut)
        // As the engine keeps it: set by a door while the alarm was out, kept after it is
        // acknowledged, until someone is seen.
        let doorSinceSilenceAlarm = try silenceOut.contains { w in try store.doorUsed(from: w.from, until: w.until) }
        guard snapshot != nil || lastSign != nil else { return nil }
        // Within the same boot the monotonic clock still holds: use the saved pairing, immune
        // to wall-clock jumps since. After a reboot, only the wall clock can say how long ago,
        // and a clock behind the last trace the previous run left is certainly wrong (a Pi
        // booted after a power cut before NTP set it, back at its last saved time): then the
        // device is taken to have been off no time at all, never a last sign of life in the
        // future, which would put every silence limit late by the clock's error.
        let reference = try max(now.wall, lastTrace(store: store) ?? now.wall)
        func stamp(_ wall: WallTime) -> Timestamp {
            if let s = snapshot, s.bootID == bootID {
                return Timestamp(monotonic: s.savedMonotonic + (wall - s.saved), wall: wall)
            }
            return Timestamp(monotonic: now.monotonic + (wall - reference), wall: wall)
        }
        let sensors = settings.sensors
        var lastMotion: [SensorID: Timestamp] = [:]
        for (name, wall) in try store.lastMotionBySensor() {
            if let id = sensors.id(named: name) { lastMotion[id] = stamp(wall) }
        }
        var lastTrigger: [SensorID: Timestamp] = [:]
        for (name, wall) in try store.lastMotionBySensor(stray: true) {
            if let id = sensors.id(named: name) { lastTrigger[id] = stamp(wall) }
        }
        var lastButtonPress: [SensorID: Timestamp] = [:]
        for (name, wall) in try store.lastButtonPressBySensor() {
            if let id = sensors.id(named: name) { lastButtonPress[id] = stamp(wall) }
        }
        var buttonReleasedAtStop: [SensorID: Bool] = [:]
        for (name, released) in try store.buttonReleasedBySensor() {
            if let id = sensors.id(named: name) { buttonReleasedAtStop[id] = released }
        }
        // Two baseline time constants of VOC readings: the baseline is rebuilt to within a
        // few percent of what it was, and a rise in force at the stop is in force again.
        var vocReadings: [(sensor: SensorID, at: Timestamp, value: Double)] = []
        let vocs = sensors.sensors.filter { $0.kind == .voc }.map(\.name)
        let horizon = settings.environment.vocBaselineTime + settings.environment.vocBaselineTime
        for r in try store.readings(of: vocs, since: reference + Span(nanoseconds: -horizon.nanoseconds)) {
            guard let id = sensors.id(named: r.sensor) else { continue }
            let at = stamp(r.wall)
            if at.monotonic <= now.monotonic { vocReadings.append((id, at, r.value)) }
        }
        var doorsOpenedAt: [SensorID: Timestamp] = [:]
        var doorsSilenced: Set<SensorID> = []
        for (name, last) in try store.lastDoorEventBySensor() where last.opened {
            guard let id = sensors.id(named: name) else { continue }
            doorsOpenedAt[id] = stamp(last.at)
            // A door-open alarm cancelled since, the door still open: her button (airing).
            if try store.alarms(since: last.at).contains(where: { $0.kind == AlarmKind.doorOpen.rawValue && $0.sensor == name && $0.state == "cancelled" }) {
                doorsSilenced.insert(id)
            }
        }
        var open: [OpenAlarm] = []
        var retired: [UInt64: String] = [:]
        for (a, lastStep) in openAlarms {
            guard let kind = AlarmKind(rawValue: a.kind) else { continue }
            if let name = a.sensor, sensors.id(named: name) == nil {
                retired[UInt64(a.id)] = "\(name) is no longer in the configuration"
            }
            let raised = stamp(a.raised)
            let phase: OpenAlarm.Phase
            let deadline: MonotonicInstant
            switch a.state {
            case "prealarm":
                phase = .preAlarm
                deadline = raised.monotonic + settings.ladder.preAlarmGrace
            case "alarm":
                phase = .alarm
                deadline = kind.repeats ? stamp(lastStep).monotonic + settings.ladder.repeatEvery : .never
            default:
                phase = .acknowledged
                deadline = .never
            }
            open.append(OpenAlarm(id: UInt64(a.id), kind: kind, sensor: a.sensor.flatMap { sensors.id(named: $0) } ?? .none,
                                  raisedAt: raised, phase: phase, repeats: 0, deadline: deadline, reason: .restored(a.reason)))
        }
        return WatchEngine.Recollection(
            occupancy: snapshot.flatMap { OccupancyState(rawValue: $0.occupancy) } ?? .unknown,
            lastSign: lastSign.map { stamp($0.wall) },
            lastSignSensor: lastSign.flatMap { sensors.id(named: $0.sensor) } ?? .none,
            lastMotion: lastMotion,
            openAlarms: open,
            nextAlarmID: UInt64(try store.maxAlarmID() + 1),
            declaredAbsence: snapshot.flatMap { s in
                s.declaredUntil.map { DeclaredAbsence(until: stamp($0), by: s.declaredBy ?? "authority") }
            },
            lastSignPlaceKnown: placeStillKnown(snapshot: snapshot, now: now, bootID: bootID),
            lastSignLearnable: offBriefly(snapshot: snapshot, now: now),
            doorsOpenedAt: doorsOpenedAt, doorsSilenced: doorsSilenced, retired: retired, lastButtonPress: lastButtonPress,
            buttonReleasedAtStop: buttonReleasedAtStop, vocReadings: vocReadings, lastTrigger: lastTrigger,
            doorSinceSilenceAlarm: doorSinceSilenceAlarm)
    }

    /// The sensors whose stuck-value fault was open when the runtime stopped, from the
    /// restored alarms' reasons ("temperature.living fault: stuck-value"): the poller, which
    /// starts with no history, takes them as stuck until their value moves.
    public static func stuckSensors(_ open: [OpenAlarm]) -> [SensorID] {
        open.compactMap { a in
            guard a.kind == .sensorFault, case .restored(let text) = a.reason,
                  text.hasSuffix("fault: \(SensorFault.stuckValue.name)") else { return nil }
            return a.sensor
        }
    }

    /// The sensors whose fault of any other kind (no answer, CRC, out of range) was open when
    /// the runtime stopped: the poller takes their chips as faulty, to recover only after as
    /// many good answers in a row as before the restart.
    public static func faultySensors(_ open: [OpenAlarm]) -> [SensorID] {
        let stuck = Set(stuckSensors(open))
        return open.compactMap { a in
            guard a.kind == .sensorFault, case .restored = a.reason, !stuck.contains(a.sensor) else { return nil }
            return a.sensor
        }
    }

    /// How long the device may have been off (since its last snapshot, saved every 10 min) for
    /// the silence under way still to be judged by where it began: a service restarted in the
    /// same boot, within minutes. After a reboot or a longer stop she may have gone to bed
    /// unseen; the silence goes on counting, judged as one of unknown place (by all silences).
    static let placeKeptFor: Span = .minutes(15)

    static func placeStillKnown(snapshot: StoredSnapshot?, now: Timestamp, bootID: String) -> Bool {
        guard let s = snapshot, s.bootID == bootID else { return false }
        return now.wall - s.saved <= placeKeptFor
    }

    /// Whether the device was off for no more than `placeKeptFor` (since its last snapshot),
    /// a reboot included: the silence under way may then be learned when it ends. After a
    /// longer stop (a power cut, a move) it is not: she may have been up and about unseen.
    static func offBriefly(snapshot: StoredSnapshot?, now: Timestamp) -> Bool {
        guard let s = snapshot else { return false }
        return now.wall - s.saved <= placeKeptFor
    }

    /// Puts the learned routine saved by the previous run back into the engine. Returns
    /// whether one was taken (none saved, or saved with another slot size: learning starts
    /// again). With the routine off, the engine keeps it aside for a switch back on.
    @discardableResult
    public static func restoreRoutine(store: FlatStore, engine: inout WatchEngine) throws -> Bool {
        guard let saved = try store.routine() else { return false }
        return engine.restoreRoutine(saved.state)
    }

    /// After a reboot with the wall clock behind the last thing stored (a Pi, which has no
    /// real-time clock, booted after a power cut at its last saved time), how long she has
    /// been unseen cannot be known until NTP sets the clock: resumed at once, the outage would
    /// count as no time at all, and every silence under way alarm that much late, even once
    /// the clock is set. Waits for the clock to pass the last trace, checking every second,
    /// up to `timeout`. Returns nil when there was nothing to wait for (the clock is ahead, or
    /// the same boot goes on: its monotonic clock says how long), else whether it was set.
    public static func awaitClock(store: FlatStore, bootID: String, timeout: Double, wall: () -> WallTime,
                                  sleep: (Double) -> Void, log: (String) -> Void) throws -> Bool? {
        guard let last = try lastTrace(store: store), try store.snapshot()?.bootID != bootID, wall() < last else { return nil }
        log("warning: the clock (\(CivilTime.iso8601(wall(), offset: .utc))) is behind what was last stored " +
            "(\(CivilTime.iso8601(last, offset: .utc))): waiting up to \(Int(timeout)) s for it to be set (NTP) before resuming")
        var waited = 0.0
        while waited < timeout {
            sleep(1)
            waited += 1
            if wall() >= last {
                log("info: the clock was set after \(Int(waited)) s: the time the device was off is counted")
                return true
            }
        }
        log("warning: the clock is still not set after \(Int(timeout)) s (no network?): resuming as if the device had been off " +
            "no time at all; silences under way may alarm late by as long as it was off")
        return false
    }

    /// Where a simulation resumes: the last moment the previous run left a trace. The event
    /// stored last (`seq`), not the latest stamped: one stamped in 2040 by a clock that ran
    /// ahead, kept by retention, would otherwise make every reboot wait for a clock that
    /// never gets there and place every restored time years in the past.
    public static func lastTrace(store: FlatStore) throws -> WallTime? {
        let snap = try store.snapshot()?.saved
        let event = try store.read { db in try Int64.fetchOne(db, sql: "SELECT wall_ns FROM event ORDER BY seq DESC LIMIT 1") }
            .map { WallTime(nanosecondsSinceEpoch: $0) }
        return [snap, event].compactMap { $0 }.max()
    }
}
