import KizunaCore
import KizunaNet
import KizunaStore

/// Keeps the Prometheus metrics up to date from the loop.
public final class MetricsRecorder: RuntimeObserver {
    let metrics: KizunaMetrics
    let sensors: SensorRegistry
    let writer: StoreWriter?
    var lastSequence: UInt64 = 0

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
        let ring = engine.ring
        let first = ring.pushed - UInt64(ring.count)
        if lastSequence < first { lastSequence = first }
        while lastSequence < ring.pushed {
            let e = ring[oldestFirst: Int(lastSequence - first)]
            let name = sensors.name(e.sensor)
            metrics.event(sensor: name)
            if e.kind == .sensorFault { metrics.sensorError(sensor: name) }
            lastSequence += 1
        }
        metrics.secondsSinceActivity.set(to: Double(engine.inactivity.silence(at: now.monotonic).seconds))
        if let h = writer?.currentHealth {
            metrics.storeQueue.set(to: Double(h.queuedEvents + h.queuedSteps))
            metrics.storeFailing.set(to: h.failure == nil ? 0.0 : 1.0)
            if let c = h.lastCommit { metrics.storeCommitAge.set(to: Double(max(0, (now.wall - c).seconds))) }
        }
    }
}
