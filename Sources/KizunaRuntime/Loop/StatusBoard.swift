import CKizunaSystem
import Foundation
import KizunaCore
import KizunaHardware
import KizunaNet
import KizunaStore

/// The loop's published status: written after each wake-up, read by the API. The API
/// never touches the engine; it reads this snapshot.
public final class StatusBoard: RuntimeObserver, @unchecked Sendable {
    let lock = NSLock()
    var current: DeviceStatus?
    let installation: Installation
    let version: String
    let started: Timestamp
    let writer: StoreWriter?
    var faulty: Set<SensorID> = []
    /// The I2C sensors (read on the loop's thread, like the engine).
    public var environment: EnvironmentPoller?
    var lastPublish: MonotonicInstant?

    public init(installation: Installation, version: String, started: Timestamp, writer: StoreWriter?) {
        self.installation = installation
        self.version = version
        self.started = started
        self.writer = writer
    }

    /// Alarm delivery, once started: its health is read fresh with each status.
    public var delivery: Delivery? {
        get { lock.lock(); defer { lock.unlock() }; return deliveryService }
        set { lock.lock(); deliveryService = newValue; lock.unlock() }
    }
    var deliveryService: Delivery?

    public var status: DeviceStatus? {
        lock.lock()
        var s = current
        let d = deliveryService
        lock.unlock()
        if let d { s?.delivery = d.health }
        return s
    }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {
        lastPublish = nil  // publish now
    }

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        if let last = lastPublish, now.monotonic - last < .milliseconds(200) { return }
        lastPublish = now.monotonic
        let sensors = installation.sensors
        let faultySensors = Set(engine.openAlarms.filter { [.sensorFault, .pirStuck, .pirSilent].contains($0.kind) }.map(\.sensor))
        let health = writer?.currentHealth
        let silence = engine.inactivity.silence(at: now.monotonic)
        let status = DeviceStatus(
            deviceID: installation.deviceID, flatID: installation.flatID, version: version, started: started.wall, now: now,
            startedMonotonic: started.monotonic, occupancy: engine.state.rawValue,
            lastActivity: silence == .zero ? now.wall : engine.inactivity.lastSign.wall, lastActivityAge: silence,
            sensors: sensors.sensors.indices.map { i in
                let id = SensorID(i)
                let kinds = engine.openAlarms.filter { $0.sensor == id }.map(\.kind.rawValue)
                return (sensors.sensors[i].name, faultySensors.contains(id) ? kinds.joined(separator: ",") : "ok")
            },
            openAlarms: engine.openAlarms.map { ($0.id, $0.kind.rawValue, $0.phase.rawValue) },
            store: writer == nil ? "none" : (health?.failure.map { "failing: \($0)" } ?? "ok"),
            storeQueue: (health?.queuedEvents ?? 0) + (health?.queuedSteps ?? 0),
            clockSynchronised: ClockSync.isSynchronised)
        var published = status
        published.routine = engine.routineSummary(at: now.wall)
        published.declaredAbsence = engine.declaredAbsence.map { ($0.until.wall, $0.by, $0.visitSince?.wall, engine.declaredVisitEnds?.wall) }
        if let environment {
            published.environment = environment.latest.sorted { $0.key < $1.key }.map { id, v in
                (sensors.name(id), v.calibrated, v.raw, v.at.wall)
            }
        }
        lock.lock()
        current = published
        lock.unlock()
    }
}

/// Whether the kernel says the wall clock is synchronised (NTP). A Pi has no RTC: until
/// this is true, wall times may be far off (durations are not affected).
public enum ClockSync {
    public static var isSynchronised: Bool? {
        let r = kz_clock_synchronised()
        return r < 0 ? nil : r == 1
    }
}
