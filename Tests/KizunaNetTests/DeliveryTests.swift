import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaNet

@Suite("Alarm delivery")
struct DeliveryTests {
    @Test("the webhook signature is HMAC-SHA256 over timestamp, full stop and body (value computed by Python's hmac)")
    func signature() {
        let signer = WebhookSigner(secret: Array("Jefe".utf8))
        let body = Array(#"{"a":1}"#.utf8)
        let sig = signer.signature(timestamp: 1_700_000_000, body: body)
        #expect(sig == "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a")
        #expect(signer.verify(signature: sig, timestamp: 1_700_000_000, body: body))
        #expect(!signer.verify(signature: sig, timestamp: 1_700_000_001, body: body))  // replayed with a new timestamp
        #expect(!signer.verify(signature: sig, timestamp: 1_700_000_000, body: Array(#"{"a":2}"#.utf8)))  // forged body
        #expect(!WebhookSigner(secret: Array("other".utf8)).verify(signature: sig, timestamp: 1_700_000_000, body: body))
    }

    @Test("backoff doubles from 1 s to 10 min, jitter only shortens")
    func backoff() {
        let b = Backoff()
        #expect((1...11).map { b.delay(afterFailures: $0, random: 0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600])
        #expect(b.delay(afterFailures: 500, random: 0) == 600)
        #expect(b.delay(afterFailures: 3, random: 0.999) > 3.2 && b.delay(afterFailures: 3, random: 0.999) <= 4)
    }

    @Test("receiver down for an hour: every step goes out within one backoff period (10 min) after it returns")
    func hourOutage() {
        var worst = 0.0
        for seed in 0..<200 {
            var rng = SplitMix(seed: UInt64(seed))
            let back = 3600.0
            var t = 0.0, failures = 0
            while t < back {  // every attempt before the return fails
                failures += 1
                t += Backoff().delay(afterFailures: failures, random: rng.next())
            }
            worst = max(worst, t - back)
        }
        #expect(worst <= 600)
        #expect(worst > 300)  // the cap is really reached in an hour (so the bound is the cap, not luck)
    }

    @Test("a receiver's answer: 2xx delivered; 408, 429, 5xx retried; 401 and 403 retried (a clock not yet set at boot); a redirect or 404 retried (a wrong address); another 4xx rejected")
    func verdicts() {
        #expect(DeliveryWorker.verdict(status: 200) == .delivered)
        #expect(DeliveryWorker.verdict(status: 204) == .delivered)
        for status in [0, 408, 429, 500, 502, 503] { #expect(DeliveryWorker.verdict(status: status) == .retry(kind: "http")) }
        // receiver.py's answer to a stale timestamp is 401: the step must wait, not be dropped.
        #expect(DeliveryWorker.verdict(status: 401) == .retry(kind: "auth"))
        #expect(DeliveryWorker.verdict(status: 403) == .retry(kind: "auth"))
        // A wrong address (moved, http for https): every alarm waits for the configuration to be mended.
        for status in [301, 302, 307, 308, 404, 405, 410, 421, 426] { #expect(DeliveryWorker.verdict(status: status) == .retry(kind: "endpoint")) }
        // This message refused: set aside, so it does not hold back the alarms after it.
        for status in [400, 409, 413, 415, 422] { #expect(DeliveryWorker.verdict(status: status) == .rejected) }
    }

    @Test("a webhook's 404 for one step is its refusal alone only with proof: the address took an alarm before and a heartbeat since, 5 refusals over the doubt's length, not two in a row; never Alertmanager's")
    func refusedAlone() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-refused-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
        let am = "am@127.0.0.1:9093"
        let writer = StoreWriter(store: store, commitEvery: 10)
        writer.deliveryTargets = ["ops", am]
        writer.start()
        let t = WallTime(secondsSinceEpoch: 1_782_000_000)
        writer.enqueue(steps: [1, 2].map {
            AlarmStepRecord(alarmID: $0, kind: "heat", sensor: nil, severity: "warning", step: "alarm",
                            wall: t + .minutes($0), reason: "r", delivery: #"{"step":"alarm"}"#)
        })
        #expect(writer.flush())
        writer.stop()
        let outbox = Outbox(store: store)
        var settings = DeliverySettings()
        settings.backoff = Backoff(first: 0.05, maximum: 2)   // the doubt lasts 10 s at least
        let poster = HTTPPoster()
        defer { poster.shutdown() }
        let beat: @Sendable () -> HeartbeatInfo = {
            HeartbeatInfo(device: "kz-1", flat: "A-101", version: "t", uptimeSeconds: 0, openAlarms: 0, faults: [], offset: .japan)
        }
        let endpoint = try HTTPEndpoint(parsing: "http://127.0.0.1:9/hook")
        let webhook = DeliveryWorker(sink: WebhookSink(name: "ops", endpoint: endpoint, secret: Array("0123456789abcdef".utf8), tls: nil),
                                     outbox: outbox, poster: poster, settings: settings, metrics: nil, heartbeat: beat)
        let items = try outbox.all(target: "ops")
        #expect(webhook.doubtLasting == 10)
        let now = DeliveryWorker.uptime()
        // Refused 4 times since 11 s ago, a heartbeat taken 1 s ago: this would be the 5th.
        webhook.addressDoubt = (items[1].id, now - 11, 4)
        webhook.lastAccepted = now - 1
        #expect(!webhook.refusedAlone(items[1]))   // the address never took an alarm: maybe this device is unknown there
        try outbox.record(items[0], outcome: .delivered, detail: "HTTP 200", at: t, micros: 1)
        #expect(webhook.refusedAlone(items[1]))
        #expect(!webhook.refusedAlone(items[0]))   // another step: no doubt about it yet
        webhook.addressDoubt = (items[1].id, now - 11, 3)
        #expect(!webhook.refusedAlone(items[1]))   // the 4th refusal
        webhook.addressDoubt = (items[1].id, now - 9, 4)
        #expect(!webhook.refusedAlone(items[1]))   // refused for 9 s only
        webhook.addressDoubt = (items[1].id, now - 11, 4)
        webhook.lastAccepted = now - 12
        #expect(!webhook.refusedAlone(items[1]))   // no heartbeat taken since the first refusal
        webhook.lastAccepted = now - 1
        webhook.lastWasRefusedAlone = true
        #expect(!webhook.refusedAlone(items[1]))   // two in a row: the queue waits for the staff
        let amItems = try outbox.all(target: am)
        try outbox.record(amItems[0], outcome: .delivered, detail: "HTTP 200", at: t, micros: 1)
        let alertmanager = DeliveryWorker(sink: AlertmanagerSink(name: "am", endpoint: try HTTPEndpoint(parsing: "http://127.0.0.1:9093"), tls: nil,
                                                                 resendEvery: 60, heartbeatEvery: 300, started: t),
                                          outbox: outbox, poster: poster, settings: settings, metrics: nil, heartbeat: beat)
        alertmanager.addressDoubt = (amItems[1].id, now - 11, 4)
        alertmanager.lastAccepted = now - 1
        #expect(!alertmanager.refusedAlone(amItems[1]))   // its 404 is always the address
    }

    @Test("endpoints: http and https only, with a host, no credentials; default ports and paths")
    func endpoints() throws {
        let e = try HTTPEndpoint(parsing: "https://alarms.example.org/kizuna?flat=1")
        #expect(e.secure && e.port == 443 && e.path == "/kizuna?flat=1" && e.host == "alarms.example.org")
        let p = try HTTPEndpoint(parsing: "http://127.0.0.1:9093")
        #expect(!p.secure && p.port == 9093 && p.path == "/")
        for bad in ["ftp://x/y", "http:///path", "alarms.example.org/x", "https://user:pw@host/x"] {
            #expect(throws: EndpointError.self, "\(bad)") { try HTTPEndpoint(parsing: bad) }
        }
    }

    static let message = AlarmMessage(
        test: false, device: "kz-1", flat: "A-101", alarm: 7, kind: "door-open", severity: "warning", step: "alarm",
        at: "2026-07-01T10:33:00.000+09:00", raised: "2026-07-01T10:30:00.000+09:00", reason: "door.entrance open for 30m",
        actor: nil, evidence: .init(occupancy: "home", lastActivity: "2026-07-01T10:00:00+09:00", lastActivityRoom: "entrance",
                                    readings: ["temperature.living": 29.5]))

    static func item(step: String, key: String = "abcd:7:12") -> OutboxItem {
        OutboxItem(id: 1, target: "x", stepID: 12, alarmID: 7, step: step, idempotencyKey: key, message: message.json(),
                          created: WallTime(secondsSinceEpoch: 1_782_867_600), attempts: 0, lastError: nil, state: "pending")
    }

    static func alerts(_ r: OutgoingRequest) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [[String: Any]])
    }

    @Test("Alertmanager: labels and annotations; firing holds a day ahead (a dark device does not resolve it), resolved ends at its time")
    func alertmanager() throws {
        let sink = AlertmanagerSink(name: "am", endpoint: try HTTPEndpoint(parsing: "http://127.0.0.1:9093"), tls: nil,
                                    resendEvery: 60, heartbeatEvery: 300, started: WallTime(secondsSinceEpoch: 0))
        #expect(sink.endpoint.path == "/api/v2/alerts" && sink.target == "am@127.0.0.1:9093")
        let now = WallTime(secondsSinceEpoch: 1_782_870_000)
        let firing = try Self.alerts(sink.request(for: Self.item(step: "alarm"), message: Self.message, now: now))[0]
        let labels = try #require(firing["labels"] as? [String: String])
        #expect(labels == ["alertname": "KizunaDoorOpen", "device": "kz-1", "flat": "A-101", "severity": "warning",
                           "kind": "door-open", "alarm_id": "7"])
        let notes = try #require(firing["annotations"] as? [String: String])
        #expect(notes["last_activity_room"] == "entrance" && notes["readings"] == "temperature.living=29.5")
        #expect(firing["startsAt"] as? String == "2026-07-01T01:30:00.000Z")
        #expect(firing["endsAt"] as? String == CivilTime.iso8601(now + .hours(24), offset: .utc, fractionDigits: 3))
        var resolved = Self.message
        resolved.step = "resolve"
        resolved.at = "2026-07-01T10:45:00.000+09:00"
        let later = WallTime(secondsSinceEpoch: 1_782_878_400)  // 04:00Z, after the resolution
        let r = try Self.alerts(sink.request(for: Self.item(step: "resolve"), message: resolved, now: later))[0]
        #expect(r["endsAt"] as? String == "2026-07-01T01:45:00.000Z")
        // A device whose clock is behind never sends an end in the receiver's future.
        let early = try Self.alerts(sink.request(for: Self.item(step: "resolve"), message: resolved, now: now))[0]
        #expect(early["endsAt"] as? String == CivilTime.iso8601(now, offset: .utc, fractionDigits: 3))
        // Resolved by a clock behind the one that raised it (rebooted before NTP): never an
        // end before the start, which Alertmanager refuses with a 400, for good.
        var behind = resolved
        behind.at = "2026-07-01T10:20:00.000+09:00"
        let b = try Self.alerts(sink.request(for: Self.item(step: "resolve"), message: behind, now: later))[0]
        #expect(b["startsAt"] as? String == "2026-07-01T01:30:00.000Z")
        #expect(b["endsAt"] as? String == "2026-07-01T01:30:00.000Z")
        // The heartbeat after the clock was set back past the start of delivery: no end before its start.
        let late = AlertmanagerSink(name: "am", endpoint: try HTTPEndpoint(parsing: "http://127.0.0.1:9093"), tls: nil,
                                    resendEvery: 60, heartbeatEvery: 300, started: now + .hours(2))
        let beat = try Self.alerts(late.heartbeat(Heartbeat(device: "kz-1", flat: "A-101", at: "x", version: "1", uptimeSeconds: 1, openAlarms: 0,
                                                            pending: 0, faults: []), now: now))[0]
        #expect(beat["startsAt"] as? String == CivilTime.iso8601(now, offset: .utc, fractionDigits: 3))
        var test = Self.message
        test.test = true
        test.kind = "test"
        let t = try Self.alerts(sink.request(for: Self.item(step: "alarm"), message: test, now: now))[0]
        #expect((t["labels"] as? [String: String])?["test"] == "true")
        #expect((t["annotations"] as? [String: String])?["summary"]?.hasPrefix("TEST") == true)
    }

    @Test("webhook: the body carries the step's order and idempotency key, the same on every attempt")
    func webhookBody() throws {
        let sink = WebhookSink(name: "ops", endpoint: try HTTPEndpoint(parsing: "http://127.0.0.1:1/x"), secret: Array("0123456789abcdef".utf8), tls: nil)
        let a = sink.request(for: Self.item(step: "alarm"), message: Self.message, now: WallTime(secondsSinceEpoch: 100))
        let b = sink.request(for: Self.item(step: "alarm"), message: Self.message, now: WallTime(secondsSinceEpoch: 160))
        #expect(a.body == b.body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(a.body)) as? [String: Any])
        #expect(json["idempotency_key"] as? String == "abcd:7:12" && json["sequence"] as? Int == 12)
        #expect(a.headers.contains { $0 == ("Idempotency-Key", "abcd:7:12") })
        let ts = try #require(a.headers.first { $0.0 == WebhookSigner.timestampHeader }?.1)
        let sig = try #require(a.headers.first { $0.0 == WebhookSigner.signatureHeader }?.1)
        #expect(ts == "100")
        #expect(WebhookSigner(secret: Array("0123456789abcdef".utf8)).verify(signature: sig, timestamp: 100, body: a.body))
    }

    @Test("a refused connection, a bad name and a missed deadline are told apart")
    func failures() throws {
        let poster = HTTPPoster()
        defer { poster.shutdown() }
        // A port that was free a moment ago: nothing listens.
        let closed = try HTTPEndpoint(parsing: "http://127.0.0.1:\(Self.freePort())/x")
        guard case .failure(let refused) = poster.post(closed, headers: [], body: [], timeout: .seconds(2), tls: nil) else {
            Issue.record("a closed port answered")
            return
        }
        #expect(refused.kind == "refused")
        let dns = try HTTPEndpoint(parsing: "http://kizuna-no-such-host.invalid/x")
        guard case .failure(let bad) = poster.post(dns, headers: [], body: [], timeout: .seconds(5), tls: nil) else {
            Issue.record("a name that cannot exist resolved")
            return
        }
        #expect(bad.kind == "dns")
        // A listener that never answers.
        let (fd, port) = Self.boundSocket(listening: true)
        defer { close(fd) }
        let silent = try HTTPEndpoint(parsing: "http://127.0.0.1:\(port)/x")
        guard case .failure(let slow) = poster.post(silent, headers: [], body: Array("{}".utf8), timeout: .milliseconds(300), tls: nil) else {
            Issue.record("a silent listener answered")
            return
        }
        #expect(slow.kind == "timeout")
    }

    /// A port that was free a moment ago (nothing listens on it).
    static func freePort() -> Int {
        let (fd, port) = boundSocket(listening: false)
        close(fd)
        return port
    }

    /// A TCP socket bound to a free loopback port, listening (but never accepting) or not.
    static func boundSocket(listening: Bool) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        if listening { listen(fd, 4) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}

/// A small seeded generator, so that the outage simulation is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
