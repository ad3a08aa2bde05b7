import KizunaCore
import KizunaNet
import KizunaStore

/// Keeps the Prometheus metrics up to date from the loop.
///
/// The signs of her life (motion, doors, the button) are counted by sensor as they come but
/// published only at each whole hour of the clock: scraped every 15 s, a counter per PIR
/// moving at once would be a trace of her movements room by room, kept for as long as the
/// authority's Prometheus keeps its data. By the hour they say what the sensors' health
/// needs (a PIR that has gone quiet for days, a door that chatters) and no more than
/// `/v1/activity/hourly` gives a summary token. Readings, faults and the rest go at once.
/// The time since her last sign of life is given in whole hours, for the same reason (to the
/// second it fell to 0 at each of her movements): enough for a backstop alert on a long
/// silence, and the alarms themselves come from the device.
public final class MetricsRecorder: RuntimeObserver {
    let metrics: KizunaMetrics
    let sensors: SensorRegistry
    let writer: StoreWriter?
    var lastSequence: UInt64 = 0
    /// Signs of life counted this hour, by sensor name, not yet published.
    var heldSigns: [String: Int] = [:]
    /// The hour (since the epoch, on the wall clock) `heldSigns` are of.
    var heldHour: Int64?

    public init(metrics: KizunaMetrics, sensors: SensorRegistry, writer: StoreWriter?) {
        self.metrics = metrics
        self.sensors = sensors
        self.writer = writer
    }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {
        for d in decisions {
            if case .alarm(let s) = d { metrics.alarmStep(kind: s.kind.rawValue, step: s.step.rawValue) }
        }
    }

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        let hour = now.wall.nanosecondsSinceEpoch / 3_600_000_000_000
        if hour != heldHour {   // a new hour (or the clock set back across one): publish the last
            for (name, n) in heldSigns.sorted(by: { $0.key < $1.key }) { metrics.event(sensor: name, count: n) }
            heldSigns.removeAll(keepingCapacity: true)
            heldHour = hour
        }
        let ring = engine.ring
        let first = ring.pushed - UInt64(ring.count)
        if lastSequence < first { lastSequence = first }
        while lastSequence < ring.pushed {
            let e = ring[oldestFirst: Int(lastSequence - first)]
            let name = sensors.name(e.sensor)
            if e.kind.isSignOfLife || e.kind.isMotion || e.kind == .buttonReleased {
                heldSigns[name, default: 0] += 1
            } else {
                metrics.event(sensor: name)
            }
            if e.kind == .sensorFault { metrics.sensorError(sensor: name) }
            lastSequence += 1
        }
        let silence = engine.inactivity.silence(at: now.monotonic).seconds
        metrics.secondsSinceActivity.set(to: (max(0, silence) / 3600).rounded(.down) * 3600)
        if let h = writer?.currentHealth {
            metrics.storeQueue.set(to: Double(h.queuedEvents + h.queuedSteps))
            metrics.storeFailing.set(to: h.failure == nil ? 0.0 : 1.0)
            if let c = h.lastCommit { metrics.storeCommitAge.set(to: Double(max(0, (now.wall - c).seconds))) }
        }
    }
}
