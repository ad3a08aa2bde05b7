import Foundation
import KizunaCore
import KizunaStore
import NIOCore

/// What the heartbeat tells about the device (filled by the runtime).
public struct HeartbeatInfo: Sendable {
    public var device: String
    public var flat: String
    public var version: String
    public var uptimeSeconds: Int
    public var openAlarms: Int
    public var faults: [String]
    public var offset: UTCOffset
    public init(device: String, flat: String, version: String, uptimeSeconds: Int, openAlarms: Int, faults: [String], offset: UTCOffset) {
        self.device = device
        self.flat = flat
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.openAlarms = openAlarms
        self.faults = faults
        self.offset = offset
    }
}

/// How one sink is doing, for `/v1/status`, `/metrics` and the heartbeat.
public struct SinkHealth: Sendable, Equatable {
    public var target: String
    public var pending = 0
    public var oldestPending: WallTime?
    public var delivered = 0
    public var rejected = 0
    public var failures = 0
    public var failuresByKind: [String: Int] = [:]
    public var consecutiveFailures = 0
    public var lastSuccess: WallTime?
    public var lastError: String?
    public var heartbeatsSent = 0

    public init(target: String) { self.target = target }
}

/// Alarm delivery: one worker thread per sink, each taking its outbox queue in order, off
/// the loop. The loop never waits for the network: it only queues steps to the store
/// writer, which commits them (and their outbox rows) at once and rings `wake()`.
public final class Delivery: @unchecked Sendable {
    public let settings: DeliverySettings
    public let sinks: [any DeliverySink]
    let workers: [DeliveryWorker]
    let poster = HTTPPoster()
    let outbox: Outbox

    public init(settings: DeliverySettings, store: FlatStore, metrics: KizunaMetrics?, started: WallTime,
                heartbeat: @escaping @Sendable () -> HeartbeatInfo) throws {
        self.settings = settings
        outbox = Outbox(store: store)
        var sinks: [any DeliverySink] = []
        for w in settings.webhooks {
            let tls = w.endpoint.secure ? try HTTPPoster.tlsContext(caFile: w.caFile) : nil
            sinks.append(WebhookSink(name: w.name, endpoint: w.endpoint, secret: w.secret, tls: tls))
        }
        for am in settings.alertmanagers {
            for e in am.endpoints {
                let tls = e.secure ? try HTTPPoster.tlsContext(caFile: am.caFile) : nil
                sinks.append(AlertmanagerSink(name: am.name, endpoint: e, tls: tls, resendEvery: am.resendEvery,
                                              heartbeatEvery: settings.heartbeatEvery, started: started))
            }
        }
        self.sinks = sinks
        let poster = self.poster
        let outbox = self.outbox
        workers = sinks.map { DeliveryWorker(sink: $0, outbox: outbox, poster: poster, settings: settings, metrics: metrics, heartbeat: heartbeat) }
    }

    public func start() {
        for w in workers { w.start() }
    }

    /// New outbox rows were committed.
    public func wake() {
        for w in workers { w.ring() }
    }

    /// Waits until nothing is pending for any sink, or `timeout` passes. True when drained.
    @discardableResult
    public func drain(timeout: Double) -> Bool {
        let end = DeliveryWorker.uptime() + timeout   // a clock set back meanwhile does not stretch it
        while true {
            let pending = sinks.reduce(0) { $0 + ((try? outbox.depth(target: $1.target).count) ?? 1) }
            if pending == 0 { return true }
            if DeliveryWorker.uptime() >= end { return false }
            usleep(20_000)
        }
    }

    public func stop() {
        for w in workers { w.stop() }
        poster.shutdown()
    }

    public var health: [SinkHealth] { workers.map(\.currentHealth) }
}

/// Delivers one sink's outbox queue in order, with backoff after failures, and sends its
/// heartbeats and (Alertmanager) its re-sends.
final class DeliveryWorker: @unchecked Sendable {
    let sink: any DeliverySink
    let outbox: Outbox
    let poster: HTTPPoster
    let settings: DeliverySettings
    let metrics: KizunaMetrics?
    let heartbeat: @Sendable () -> HeartbeatInfo
    /// Guards `rung`, `stopping` and `health` (the worker's and the callers' threads).
    let condition = NSLock()
    /// Wakes the worker (a new step, a stop). A semaphore waits on the monotonic clock; a
    /// condition's deadline is a wall-clock one.
    let wakeUp = DispatchSemaphore(value: 0)
    var rung = false
    var stopping = false
    var thread: Thread?
    var health: SinkHealth
    // Worker-thread state.
    var failures = 0
    // On the monotonic clock (`uptime`): a wall clock set back by NTP after a boot with it
    // ahead (a Pi that thought it was 2040) must not put heartbeats and re-sends years away.
    var nextAttempt = -Double.infinity
    var nextHeartbeat = DeliveryWorker.uptime()
    var nextResend = DeliveryWorker.uptime()
    /// When this sink last answered 2xx to anything (a step, a heartbeat).
    var lastAccepted = -Double.infinity
    /// The head step a webhook receiver answered 404 or 410, since when, and how often.
    var addressDoubt: (item: Int64, since: Double, refusals: Int)?
    /// The last step finished was one refused alone (`refusedAlone`): the next is not.
    var lastWasRefusedAlone = false

    init(sink: any DeliverySink, outbox: Outbox, poster: HTTPPoster, settings: DeliverySettings, metrics: KizunaMetrics?,
         heartbeat: @escaping @Sendable () -> HeartbeatInfo) {
        self.sink = sink
        self.outbox = outbox
        self.poster = poster
        self.settings = settings
        self.metrics = metrics
        self.heartbeat = heartbeat
        health = SinkHealth(target: sink.target)
    }

    func start() {
        let t = Thread { [weak self] in self?.run() }
        t.name = "kizuna-deliver"
        thread = t
        t.start()
    }

    func ring() {
        condition.lock()
        rung = true
        condition.unlock()
        wakeUp.signal()
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.unlock()
        wakeUp.signal()
        while thread?.isFinished == false { usleep(1000) }
    }

    var currentHealth: SinkHealth {
        condition.lock()
        defer { condition.unlock() }
        return health
    }

    var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Seconds on the monotonic clock, which the wall clock being set does not move.
    static func uptime() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Waits until `wake` on the monotonic clock, or a ring. A wall clock set back by NTP
    /// meanwhile (a Pi that booted with its clock ahead) stretches nothing: a wait on a
    /// wall-clock deadline would have held back a retry, a heartbeat, by as long.
    func wait(until wake: Double) {
        let left = wake - Self.uptime()
        guard left > 0 else { return }
        _ = wakeUp.wait(timeout: .now() + .nanoseconds(Int(min(left, 3600) * 1e9)))
    }

    static func wallNow() -> WallTime { WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)) }

    func run() {
        while !isStopping {
            let now = Self.uptime()
            if now >= nextHeartbeat {
                sendHeartbeat()
                nextHeartbeat = now + settings.heartbeatEvery
            }
            if let every = sink.resendEvery, now >= nextResend {
                if failures == 0 { resendFiring() }
                nextResend = now + every
            }
            var head: OutboxItem?
            var storeFailed = false
            do { head = try outbox.head(target: sink.target) } catch { storeFailed = true }
            if let head, Self.uptime() >= nextAttempt {
                if (try? outbox.isSuperseded(head)) == true {
                    // After a long outage of the receiver: one repeat an alarm, not one per
                    // 15 minutes it was down (288 in three days, all at once).
                    finish(head, .superseded, "a later step of alarm \(head.alarmID) is waiting", micros: 0)
                } else {
                    attempt(head)
                }
                continue
            }
            updateDepth()
            var wake = min(nextHeartbeat, sink.resendEvery == nil ? .infinity : nextResend)
            if head != nil { wake = min(wake, nextAttempt) }
            if storeFailed { wake = min(wake, Self.uptime() + 1) }
            condition.lock()
            let idle = !rung && !stopping
            condition.unlock()
            if idle { wait(until: wake) }
            condition.lock()
            // A new step cuts a backoff short: one more try now costs little, and the
            // failure may have been brief. The oldest step still goes first.
            if rung { nextAttempt = -.infinity }
            rung = false
            condition.unlock()
        }
    }

    /// One try of the head of the queue; records it; schedules the next try on failure.
    func attempt(_ item: OutboxItem) {
        let message: AlarmMessage
        do {
            message = try AlarmMessage.decode(item.message)
        } catch {
            finish(item, .rejected, "unreadable message in the outbox: \(error)", micros: 0)
            return
        }
        let request = sink.request(for: item, message: message, now: Self.wallNow())
        let started = DispatchTime.now().uptimeNanoseconds
        let result = send(request)
        let micros = Int((DispatchTime.now().uptimeNanoseconds - started) / 1000)
        switch result {
        case .success(let reply):
            switch Self.verdict(status: reply.status) {
            case .delivered: finish(item, .delivered, "HTTP \(reply.status)", micros: micros)
            case .retry(let kind):
                if kind == "endpoint", sink.answersPerMessage, reply.status == 404 || reply.status == 410 {
                    if refusedAlone(item) {
                        // The receiver knows no alarm of this id: kept as refused, so that it
                        // does not hold back every alarm after it.
                        lastWasRefusedAlone = true
                        finish(item, .rejected, "HTTP \(reply.status) \(reply.body.prefix(200)) (for this message only: the receiver takes others at this address)",
                               micros: micros)
                        return
                    }
                    // Is the address wrong, or only this message unknown there? Heartbeats tell.
                    if addressDoubt?.item == item.id { addressDoubt!.refusals += 1 } else { addressDoubt = (item.id, Self.uptime(), 1) }
                    if lastAccepted <= addressDoubt!.since { nextHeartbeat = Self.uptime() }
                }
                fail(item, kind: kind, detail: "HTTP \(reply.status) \(reply.body.prefix(200))", micros: micros)
            case .rejected: finish(item, .rejected, "HTTP \(reply.status) \(reply.body.prefix(200))", micros: micros)
            }
        case .failure(let error):
            fail(item, kind: error.kind, detail: error.description, micros: micros)
        }
    }

    /// How many 404s (410s) of one step, and over how long, before it is taken as refused
    /// alone: a load balancer with one bad backend answers 404 now and then, and an alarm
    /// must not be dropped for it.
    static let refusalsAlone = 5
    var doubtLasting: Double { min(120, 5 * settings.backoff.maximum) }

    /// Whether this step, answered 404 (410) once more, is refused by a receiver that takes
    /// others at this address (a receiver that knows no alarm of its id), not by a wrong
    /// address: the address has taken an alarm step before, and a heartbeat since the first
    /// refusal; the step was refused `refusalsAlone` times over `doubtLasting`; and the step
    /// before it was not refused so. Two in a row: the receiver may refuse them all (this
    /// device unknown there), and the queue waits for the staff, as for a wrong address.
    func refusedAlone(_ item: OutboxItem) -> Bool {
        guard sink.answersPerMessage, let doubt = addressDoubt, doubt.item == item.id, !lastWasRefusedAlone,
              doubt.refusals + 1 >= Self.refusalsAlone, Self.uptime() - doubt.since >= doubtLasting,
              lastAccepted > doubt.since else { return false }
        return ((try? outbox.delivered(target: sink.target)) ?? 0) > 0
    }

    /// What a receiver's answer means for the step.
    enum Verdict: Equatable { case delivered, retry(kind: String), rejected }

    /// 2xx: delivered. 408, 425, 429, 5xx (and no status): tried again later. 401 and 403:
    /// tried again too (`auth`): the receiver refused the signature or its timestamp, and a
    /// device that booted after a power cut before its clock was set (or a secret being
    /// rotated at the authority) must not drop an alarm for it. A redirect, 404, 405, 410,
    /// 421, 426: tried again too (`endpoint`): the address is wrong (a receiver moved behind
    /// a proxy, http where https is wanted), which the staff mend in the configuration, and
    /// every alarm until then must wait for it, not be dropped. A webhook's 404 or 410 that
    /// persists for one step while the address takes heartbeats is that step's refusal
    /// (`refusedAlone`). Any other 4xx (400, 413,
    /// 422, …): a refusal of this message, kept in the outbox as `rejected`, so that one
    /// message the receiver cannot take does not hold back every alarm after it.
    static func verdict(status: Int) -> Verdict {
        switch status {
        case 200..<300: .delivered
        case 401, 403: .retry(kind: "auth")
        case 0, 408, 425, 429, 500...: .retry(kind: "http")
        case 100..<200, 300..<400, 404, 405, 410, 421, 426: .retry(kind: "endpoint")
        default: .rejected
        }
    }

    func send(_ request: OutgoingRequest) -> Result<HTTPReply, DeliveryError> {
        poster.post(sink.endpoint, headers: request.headers, body: request.body,
                    timeout: .milliseconds(Int64(settings.timeout * 1000)), tls: sink.tls)
    }

    func finish(_ item: OutboxItem, _ outcome: DeliveryOutcome, _ detail: String, micros: Int) {
        let wall = Self.wallNow()
        // If this cannot be recorded (disk failing) the step is sent again later with the
        // same idempotency key: at least once, never lost.
        let recorded = (try? outbox.record(item, outcome: outcome, detail: detail, at: wall, micros: micros)) != nil
        // A repeat set aside says nothing of the receiver: its backoff goes on.
        let answered = outcome != .superseded
        if answered { failures = 0 }
        if outcome == .delivered {
            lastAccepted = Self.uptime()
            lastWasRefusedAlone = false
        }
        if answered || !recorded { nextAttempt = recorded ? -.infinity : Self.uptime() + 1 }
        condition.lock()
        if answered { health.consecutiveFailures = 0 }
        switch outcome {
        case .delivered:
            health.delivered += 1
            health.lastSuccess = wall
        case .rejected:
            health.rejected += 1
            health.lastError = detail
        case .superseded, .failed:
            break
        }
        condition.unlock()
        switch outcome {
        case .delivered: metrics?.delivered(sink: sink.target, at: wall)
        case .rejected: metrics?.deliveryFailure(sink: sink.target, kind: "rejected")
        case .superseded, .failed: break
        }
    }

    func fail(_ item: OutboxItem, kind: String, detail: String, micros: Int) {
        try? outbox.record(item, outcome: .failed, detail: detail, at: Self.wallNow(), micros: micros)
        failures += 1
        let wait = settings.backoff.delay(afterFailures: failures, random: Double.random(in: 0..<1))
        nextAttempt = Self.uptime() + wait
        noteFailure(kind: kind, detail: detail)
    }

    func noteFailure(kind: String, detail: String) {
        condition.lock()
        health.failures += 1
        health.failuresByKind[kind, default: 0] += 1
        health.consecutiveFailures += 1
        health.lastError = detail
        condition.unlock()
        metrics?.deliveryFailure(sink: sink.target, kind: kind)
    }

    func sendHeartbeat() {
        let info = heartbeat()
        let now = Self.wallNow()
        let pending = (try? outbox.depth(target: sink.target).count) ?? 0
        let beat = Heartbeat(device: info.device, flat: info.flat, at: CivilTime.iso8601(now, offset: info.offset), version: info.version,
                             uptimeSeconds: info.uptimeSeconds, openAlarms: info.openAlarms, pending: pending, faults: info.faults)
        switch send(sink.heartbeat(beat, now: now)) {
        case .success(let reply) where (200..<300).contains(reply.status):
            lastAccepted = Self.uptime()
            condition.lock()
            health.heartbeatsSent += 1
            health.lastSuccess = now
            condition.unlock()
            metrics?.delivered(sink: sink.target, at: now, heartbeat: true)
        case .success(let reply):
            noteFailure(kind: "http", detail: "heartbeat: HTTP \(reply.status)")
        case .failure(let e):
            noteFailure(kind: e.kind, detail: "heartbeat: \(e)")
        }
    }

    func resendFiring() {
        guard let items = try? outbox.firing(target: sink.target), !items.isEmpty else { return }
        let firing = items.compactMap { item in (try? AlarmMessage.decode(item.message)).map { (item: item, message: $0) } }
        guard let request = sink.resend(firing, now: Self.wallNow()) else { return }
        if case .failure(let e) = send(request) { noteFailure(kind: e.kind, detail: "re-send: \(e)") }
    }

    func updateDepth() {
        guard let d = try? outbox.depth(target: sink.target) else { return }
        condition.lock()
        health.pending = d.count
        health.oldestPending = d.oldest
        condition.unlock()
        metrics?.outbox(sink: sink.target, depth: d.count,
                        oldestAge: d.oldest.map { Double((Self.wallNow() - $0).nanoseconds) / 1e9 } ?? 0)
    }
}
