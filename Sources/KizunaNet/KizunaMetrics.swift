import Foundation
import KizunaCore
import Prometheus

/// The device's Prometheus metrics (swift-prometheus), served at `/metrics`.
public final class KizunaMetrics: @unchecked Sendable {
    public let registry = PrometheusCollectorRegistry()
    let lock = NSLock()
    var events: [String: Counter] = [:]
    var steps: [String: Counter] = [:]
    var faults: [String: Counter] = [:]
    var deliveries: [String: Counter] = [:]
    var deliveryGauges: [String: Gauge] = [:]
    public let loopIteration: DurationHistogram
    public let storeQueue: Gauge
    public let storeCommitAge: Gauge
    public let storeFailing: Gauge
    public let secondsSinceActivity: Gauge
    public let requests: Counter

    public init() {
        loopIteration = registry.makeDurationHistogram(
            descriptor: Self.name("loop_iteration", "seconds", "Time the loop spends on one wake-up"),
            buckets: [.microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
                      .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .seconds(1)])
        storeQueue = registry.makeGauge(descriptor: Self.name("store_queue", "depth", "Events and alarm steps waiting to be written"))
        storeCommitAge = registry.makeGauge(descriptor: Self.name("store_last_commit_age", "seconds", "Seconds since the store last committed"))
        storeFailing = registry.makeGauge(descriptor: Self.name("store", "failing", "1 while writes to the store fail"))
        secondsSinceActivity = registry.makeGauge(descriptor: Self.name("seconds_since_last", "activity", "Seconds since the last sign of life, in whole hours (never when she moved)"))
        requests = registry.makeCounter(descriptor: Self.name("api_requests", "total", "Requests to the log-pull API"))
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "kizuna", metricName: metric, unitName: unit, helpText: help)
    }

    func counter(_ cache: inout [String: Counter], _ key: String, name: String, labels: [(String, String)], help: String) -> Counter {
        if let c = cache[key] { return c }
        let base = String(name.dropFirst("kizuna_".count).dropLast("_total".count))
        let c = registry.makeCounter(descriptor: Self.name(base, "total", help), labels: labels)
        cache[key] = c
        return c
    }

    public func event(sensor: String, count: Int = 1) {
        lock.lock()
        let c = counter(&events, sensor, name: "kizuna_events_total", labels: [("sensor", sensor)],
                        help: "Events by sensor (motion, doors and the button up to the last whole hour)")
        lock.unlock()
        c.increment(by: Int64(count))
    }

    public func alarmStep(kind: String, step: String) {
        lock.lock()
        let c = counter(&steps, kind + "/" + step, name: "kizuna_alarm_steps_total", labels: [("kind", kind), ("step", step)],
                        help: "Alarm steps by kind and step")
        lock.unlock()
        c.increment()
    }

    public func sensorError(sensor: String) {
        lock.lock()
        let c = counter(&faults, sensor, name: "kizuna_sensor_errors_total", labels: [("sensor", sensor)],
                        help: "Sensor read errors and faults by sensor")
        lock.unlock()
        c.increment()
    }

    /// A step (or heartbeat) accepted by a sink.
    public func delivered(sink: String, at wall: WallTime, heartbeat: Bool = false) {
        lock.lock()
        let c = counter(&deliveries, "ok/" + sink + (heartbeat ? "/hb" : ""), name: "kizuna_delivered_total",
                        labels: [("sink", sink), ("what", heartbeat ? "heartbeat" : "alarm-step")],
                        help: "Alarm steps and heartbeats accepted, by sink")
        let g = gauge("last/" + sink, name: "delivery_last_success", unit: "timestamp_seconds", labels: [("sink", sink)],
                      help: "Unix time of the last message a sink accepted")
        lock.unlock()
        c.increment()
        g.set(Double(wall.nanosecondsSinceEpoch) / 1e9)
    }

    /// A failed attempt: `kind` is dns, refused, unreachable, timeout, tls, reset, http, auth, endpoint, rejected or other.
    public func deliveryFailure(sink: String, kind: String) {
        lock.lock()
        let c = counter(&deliveries, "fail/" + sink + "/" + kind, name: "kizuna_delivery_failures_total",
                        labels: [("sink", sink), ("error", kind)], help: "Failed delivery attempts by sink and kind of failure")
        lock.unlock()
        c.increment()
    }

    /// Steps waiting for a sink, and the age of the oldest.
    public func outbox(sink: String, depth: Int, oldestAge: Double) {
        lock.lock()
        let d = gauge("depth/" + sink, name: "outbox", unit: "depth", labels: [("sink", sink)], help: "Alarm steps not yet delivered, by sink")
        let a = gauge("age/" + sink, name: "outbox_oldest_age", unit: "seconds", labels: [("sink", sink)],
                      help: "Age of the oldest alarm step not yet delivered, by sink")
        lock.unlock()
        d.set(Double(depth))
        a.set(max(0, oldestAge))
    }

    func gauge(_ key: String, name: String, unit: String, labels: [(String, String)], help: String) -> Gauge {
        if let g = deliveryGauges[key] { return g }
        let g = registry.makeGauge(descriptor: Self.name(name, unit, help), labels: labels)
        deliveryGauges[key] = g
        return g
    }

    public func text() -> String { registry.emitToString() }
}
