import Foundation
import KizunaCore
import KizunaStore
import NIOSSL

/// One HTTP request a sink wants sent.
public struct OutgoingRequest: Sendable {
    public var headers: [(String, String)]
    public var body: [UInt8]
}

/// A receiver of alarm steps: renders outbox items, heartbeats and (for receivers that
/// forget) the alarms still firing into its own wire format. One sink is one target with
/// its own outbox queue and its own retry state (an Alertmanager cluster is one sink per
/// instance, as its HA model wants every instance told).
public protocol DeliverySink: Sendable {
    /// Its name in the outbox, the status and the metrics.
    var target: String { get }
    var endpoint: HTTPEndpoint { get }
    var tls: NIOSSLContext? { get }
    func request(for item: OutboxItem, message: AlarmMessage, now: WallTime) -> OutgoingRequest
    func heartbeat(_ beat: Heartbeat, now: WallTime) -> OutgoingRequest
    /// How often the alarms still firing are told again; nil: never (webhooks).
    var resendEvery: Double? { get }
    func resend(_ firing: [(item: OutboxItem, message: AlarmMessage)], now: WallTime) -> OutgoingRequest?
    /// Whether a 404 or 410 may be about one message (a webhook's receiver may know no alarm
    /// of its id); never for a receiver whose every message is the same kind of request
    /// (Alertmanager: its 404 is always the address).
    var answersPerMessage: Bool { get }
}

extension DeliverySink {
    public var answersPerMessage: Bool { false }
    public var resendEvery: Double? { nil }
    public func resend(_ firing: [(item: OutboxItem, message: AlarmMessage)], now: WallTime) -> OutgoingRequest? { nil }
}

/// POSTs each step as JSON (`AlarmMessage`), signed (`WebhookSigner`), with the step's
/// idempotency key also in an `Idempotency-Key` header.
public struct WebhookSink: DeliverySink {
    public var answersPerMessage: Bool { true }
    public let target: String
    public let endpoint: HTTPEndpoint
    public let tls: NIOSSLContext?
    let signer: WebhookSigner

    public init(name: String, endpoint: HTTPEndpoint, secret: [UInt8], tls: NIOSSLContext?) {
        target = name
        self.endpoint = endpoint
        self.tls = tls
        signer = WebhookSigner(secret: secret)
    }

    public func request(for item: OutboxItem, message: AlarmMessage, now: WallTime) -> OutgoingRequest {
        var m = message
        m.sequence = item.stepID
        m.idempotencyKey = item.idempotencyKey
        let body = Array(m.json().utf8)
        return OutgoingRequest(headers: signer.headers(timestamp: now.nanosecondsSinceEpoch / 1_000_000_000, body: body)
                                   + [("Idempotency-Key", item.idempotencyKey)],
                               body: body)
    }

    public func heartbeat(_ beat: Heartbeat, now: WallTime) -> OutgoingRequest {
        let body = Array(beat.json().utf8)
        return OutgoingRequest(headers: signer.headers(timestamp: now.nanosecondsSinceEpoch / 1_000_000_000, body: body), body: body)
    }
}

/// Alertmanager's `POST /api/v2/alerts`: a firing alert is sent again every `resendEvery`
/// (as Prometheus does, so an Alertmanager that restarted or joined the cluster learns it),
/// and a resolved alarm is sent once more with `endsAt` at its resolution.
///
/// Unlike Prometheus, a firing alarm's `endsAt` is a day ahead, not a few minutes: a
/// collapse alarm must not turn "resolved" at the authority because the device lost power
/// or network. A dark device shows instead as the heartbeat alert going missing (the
/// authority's dead man's switch), next to its alarms still firing.
///
/// Labels: `alertname` (Kizuna + the kind, e.g. KizunaInactivity), `device`, `flat`,
/// `severity`, `kind`, `alarm_id`, and `test="true"` on test alarms. The heartbeat is the
/// always-firing `KizunaHeartbeat` (severity `none`).
public struct AlertmanagerSink: DeliverySink {
    public let target: String
    public let endpoint: HTTPEndpoint
    public let tls: NIOSSLContext?
    public let resendEvery: Double?
    let heartbeatEvery: Double
    let started: WallTime
    /// How long a test alert stays up (it is resolved on the device at once).
    public static let testHold = Span.minutes(5)
    /// How far ahead a firing alarm's `endsAt` is set (renewed with every re-send).
    public static let firingHold = Span.hours(24)

    public init(name: String, endpoint: HTTPEndpoint, tls: NIOSSLContext?, resendEvery: Double, heartbeatEvery: Double, started: WallTime) {
        target = "\(name)@\(endpoint.authority)"
        var e = endpoint
        if e.path == "/" { e.path = "/api/v2/alerts" }
        self.endpoint = e
        self.tls = tls
        self.resendEvery = resendEvery
        self.heartbeatEvery = heartbeatEvery
        self.started = started
    }

    public func request(for item: OutboxItem, message: AlarmMessage, now: WallTime) -> OutgoingRequest {
        body([alert(item, message, now: now)])
    }

    public func resend(_ firing: [(item: OutboxItem, message: AlarmMessage)], now: WallTime) -> OutgoingRequest? {
        firing.isEmpty ? nil : body(firing.map { alert($0.item, $0.message, now: now) })
    }

    public func heartbeat(_ beat: Heartbeat, now: WallTime) -> OutgoingRequest {
        let alert: [String: Any] = [
            "labels": ["alertname": "KizunaHeartbeat", "device": beat.device, "flat": beat.flat, "severity": "none"],
            "annotations": [
                "summary": "Kizuna device \(beat.device) in flat \(beat.flat) is alive (always firing; its absence means the device went dark)",
                "open_alarms": "\(beat.openAlarms)", "pending": "\(beat.pending)", "faults": beat.faults.joined(separator: ", "),
                "version": beat.version,
            ],
            // A clock set back since delivery started must not put the start after the end
            // (Alertmanager refuses such an alert with a 400: every heartbeat, a false "dark").
            "startsAt": Self.rfc3339(min(started, now)),
            "endsAt": Self.rfc3339(now + .seconds(Int64(3 * heartbeatEvery))),
        ]
        return body([alert])
    }

    func alert(_ item: OutboxItem, _ m: AlarmMessage, now: WallTime) -> [String: Any] {
        var labels = ["alertname": "Kizuna" + m.kind.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
                      "device": m.device, "flat": m.flat, "severity": m.severity, "kind": m.kind, "alarm_id": "\(m.alarm)"]
        if m.test { labels["test"] = "true" }
        var annotations = ["summary": (m.test ? "TEST (nobody needs to go): " : "") + "\(m.kind) alarm in flat \(m.flat) (device \(m.device))",
                           "description": m.reason, "step": m.step, "occupancy": m.evidence.occupancy,
                           "idempotency_key": item.idempotencyKey]
        if let a = m.evidence.lastActivity { annotations["last_activity"] = a }
        if let r = m.evidence.lastActivityRoom { annotations["last_activity_room"] = r }
        if !m.evidence.readings.isEmpty {
            annotations["readings"] = m.evidence.readings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
        if m.step == "acknowledge", let who = m.actor { annotations["acknowledged_by"] = who }
        let raised = CivilTime.parseISO8601(m.raised, defaultOffset: .utc) ?? item.created
        let at = CivilTime.parseISO8601(m.at, defaultOffset: .utc) ?? item.created
        let starts = min(raised, now)
        let ends: WallTime
        if m.test {
            ends = max(now, raised) + Self.testHold
        } else if m.step == "resolve" {
            // Never before its start: a resolve stamped by a clock behind the one that raised
            // it (a reboot before NTP) would be refused by Alertmanager (400) for good, and
            // the alarm shown firing for a day.
            ends = max(starts, min(at, now))
        } else {
            ends = now + Self.firingHold
        }
        return ["labels": labels, "annotations": annotations, "startsAt": Self.rfc3339(starts), "endsAt": Self.rfc3339(ends)]
    }

    func body(_ alerts: [[String: Any]]) -> OutgoingRequest {
        let data = (try? JSONSerialization.data(withJSONObject: alerts, options: [.sortedKeys])) ?? Data("[]".utf8)
        return OutgoingRequest(headers: [], body: Array(data))
    }

    static func rfc3339(_ t: WallTime) -> String { CivilTime.iso8601(t, offset: .utc, fractionDigits: 3) }
}
