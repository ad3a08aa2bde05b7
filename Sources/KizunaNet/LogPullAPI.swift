import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KizunaCore
import Logging
import KizunaStore
import NIOCore
import NIOSSL

/// The housing authority's log-pull API (Hummingbird 2), and `/metrics`.
///
/// Every request needs a bearer token (401 without or with a wrong one, 403 for the wrong
/// role), and is audited. Errors are JSON with a reason and, for a bad query, the
/// parameter's name. `/v1/events` streams from the store page by page (constant memory)
/// and pages by `seq`, which only grows, so a cursor never skips or repeats an event
/// while new ones are written.
public struct LogPullAPI: Sendable {
    public var settings: APISettings
    public var store: FlatStore
    public var metrics: KizunaMetrics
    public var offset: UTCOffset
    public var status: @Sendable () -> DeviceStatus?
    /// Records an API access in the audit trail.
    public var audit: @Sendable (_ actor: String, _ action: String, _ detail: String) -> Void
    /// Acknowledges an alarm through the loop; nil when no loop is attached. Each of these
    /// changes answers nil when the loop has stopped (the device is shutting down): not
    /// done, a 503 says so.
    public var acknowledge: (@Sendable (_ alarmID: UInt64, _ by: String) async -> Bool?)?
    /// Raises a test alarm through the loop (returns its id); nil when no loop is attached.
    public var testAlarm: (@Sendable (_ by: String) async -> UInt64?)?
    /// Declares the resident away until a time (`DeclaredAbsence`), or withdraws it (nil),
    /// in the loop (whose clock judges `until`). Nil when no loop is attached.
    public var declareAbsence: (@Sendable (_ until: WallTime?, _ by: String) async -> AbsenceAnswer?)?

    /// What the loop made of a declaration.
    public enum AbsenceAnswer: Sendable, Equatable {
        case declared
        case withdrawn
        case noneInForce
        /// `until` refused, and why.
        case refused(String)
    }

    public init(settings: APISettings, store: FlatStore, metrics: KizunaMetrics, offset: UTCOffset,
                status: @escaping @Sendable () -> DeviceStatus?, audit: @escaping @Sendable (String, String, String) -> Void,
                acknowledge: (@Sendable (UInt64, String) async -> Bool?)? = nil) {
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.offset = offset
        self.status = status
        self.audit = audit
        self.acknowledge = acknowledge
    }

    static let pageSize = 2000
    /// The refusals for want of a token, audited at most once a minute.
    let refusals = RefusalAudit()

    // MARK: - Responses

    static func json(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil, headers: HTTPFields = [:]) -> Response {
        var j = JSONLine()
        j.add("error", message)
        if let parameter { j.add("parameter", parameter) }
        return json(status, j.text, headers: headers)
    }

    /// A change asked while the device is shutting down: not done (its steps could no
    /// longer be recorded nor sent). Systemd brings it back within seconds.
    static func stopping() -> Response {
        error(.serviceUnavailable, "the device is stopping: nothing was done; try again in a minute",
              headers: [.retryAfter: "60"])
    }

    /// Authenticates, checks the role, runs the handler, audits the request.
    func guarded(_ request: Request, roles: [APIRole], action: String,
                 _ handler: (APIToken, QueryReader) async throws -> Response) async -> Response {
        metrics.requests.increment()
        // Hummingbird has percent-decoded the values already (a second decoding would read
        // a `%25` as the start of another escape).
        var query: [String: String] = [:]
        var repeated: String?
        for (k, v) in request.uri.queryParameters {
            if query.updateValue(String(v), forKey: String(k)) != nil, repeated == nil { repeated = String(k) }
        }
        let detail = RefusalAudit.clipped(request.uri.query ?? "")
        guard let token = TokenAuthority(tokens: settings.tokens).authenticate(authorization: request.headers[.authorization]) else {
            if let d = refusals.detail(for: "401 \(detail)", uptime: RefusalAudit.uptime()) { audit("anonymous", action, d) }
            return Self.error(.unauthorized, "a valid bearer token is needed", headers: [.wwwAuthenticate: "Bearer realm=\"kizuna\""])
        }
        // The staff pull the audit trail with a token: the count of refusals still held is
        // written first, so that what they read is whole.
        if let s = refusals.unrecordedSummary(uptime: RefusalAudit.uptime()) { audit("anonymous", "refused", s) }
        guard roles.contains(token.role) else {
            audit(token.name, action, "403 \(detail)")
            return Self.error(.forbidden, "role '\(token.role.rawValue)' may not use \(action)")
        }
        if let repeated {   // `limit=5&limit=100000`: which one was meant?
            audit(token.name, action, "400 \(detail)")
            return Self.error(.badRequest, "\(repeated): given more than once", parameter: repeated)
        }
        do {
            let response = try await handler(token, QueryReader(values: query, offset: offset))
            audit(token.name, action, "\(response.status.code) \(detail)")
            return response
        } catch let bad as BadParameter {
            audit(token.name, action, "400 \(detail)")
            return Self.error(.badRequest, "\(bad.parameter): \(bad.message)", parameter: bad.parameter)
        } catch {
            audit(token.name, action, "500 \(detail)")
            return Self.error(.internalServerError, "\(error)")
        }
    }

    // MARK: - Routes

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/v1/events") { request, _ in
            await guarded(request, roles: [.authority], action: "GET /v1/events") { token, q in try events(q, token: token) }
        }
        router.get("/v1/alarms") { request, _ in
            await guarded(request, roles: [.authority], action: "GET /v1/alarms") { _, q in try alarms(q) }
        }
        // A test of the whole path (`kizuna alarm test`): raised and resolved at once, marked
        // as a test in every sink. Technicians may send one (that is their job at install).
        router.post("/v1/alarms/test") { request, _ in
            await guarded(request, roles: [.authority, .technician], action: "POST /v1/alarms/test") { token, q in
                try q.only([])
                guard let testAlarm else { return Self.error(.serviceUnavailable, "no runtime attached") }
                let who = "\(token.role.rawValue):\(token.name)"
                guard let id = await testAlarm(who) else { return Self.stopping() }
                var j = JSONLine()
                j.add("alarm", id)
                j.add("kind", "test")
                j.add("requested_by", who)
                return Self.json(.ok, j.text)
            }
        }
        router.post("/v1/alarms/:id/ack") { request, context in
            await guarded(request, roles: [.authority], action: "POST /v1/alarms/ack") { token, q in
                try q.only([])
                guard let text = context.parameters.get("id"), let id = UInt64(text) else {
                    throw BadParameter(parameter: "id", message: "expected an alarm id")
                }
                guard let acknowledge else { return Self.error(.serviceUnavailable, "no runtime attached") }
                guard let done = await acknowledge(id, "authority:\(token.name)") else { return Self.stopping() }
                guard done else {
                    return Self.error(.notFound, "alarm \(id) is not open as a network alarm (a pre-alarm is hers to cancel) or already acknowledged", parameter: "id")
                }
                var j = JSONLine()
                j.add("alarm", id)
                j.add("acknowledged_by", "authority:\(token.name)")
                return Self.json(.ok, j.text)
            }
        }
        // "Away until" (a hospital stay, a trip): the flat reads away, no silence alarm, and
        // "not back" counts from `until`. The authority's staff decide it, not the technician.
        router.post("/v1/absence") { request, _ in
            await guarded(request, roles: [.authority], action: "POST /v1/absence") { token, q in
                try q.only(["until"])
                guard let until = try q.time("until") else {
                    throw BadParameter(parameter: "until", message: "required: when she is expected back (ISO 8601)")
                }
                guard let declareAbsence else { return Self.error(.serviceUnavailable, "no runtime attached") }
                let who = "authority:\(token.name)"
                guard let answer = await declareAbsence(until, who) else { return Self.stopping() }
                if case .refused(let why) = answer { throw BadParameter(parameter: "until", message: why) }
                var j = JSONLine()
                j.add("until", CivilTime.iso8601(until, offset: offset))
                j.add("by", who)
                return Self.json(.ok, j.text)
            }
        }
        router.delete("/v1/absence") { request, _ in
            await guarded(request, roles: [.authority], action: "DELETE /v1/absence") { token, q in
                try q.only([])
                guard let declareAbsence else { return Self.error(.serviceUnavailable, "no runtime attached") }
                guard let answer = await declareAbsence(nil, "authority:\(token.name)") else { return Self.stopping() }
                guard answer == .withdrawn else {
                    return Self.error(.notFound, "no declared absence in force")
                }
                var j = JSONLine()
                j.add("withdrawn_by", "authority:\(token.name)")
                return Self.json(.ok, j.text)
            }
        }
        router.get("/v1/activity/hourly") { request, _ in
            await guarded(request, roles: [.authority, .technician], action: "GET /v1/activity/hourly") { _, q in try hourly(q) }
        }
        router.get("/v1/status") { request, _ in
            await guarded(request, roles: [.authority, .technician], action: "GET /v1/status") { _, q in
                try q.only([])
                guard let s = status() else { return Self.error(.serviceUnavailable, "the runtime has not published its status yet") }
                return Self.json(.ok, s.json(offset: offset))
            }
        }
        router.get("/metrics") { request, _ in
            await guarded(request, roles: [.authority, .technician], action: "GET /metrics") { _, q in
                try q.only([])
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
            }
        }
        return router
    }

    /// How long after an alarm was raised a summary token may still see raw events.
    static let summaryAfter: Span = .hours(24)

    /// The spans of raw events a summary token may see: from `before` ahead of each open
    /// alarm about the resident (critical or warning: a silence, the help button, the door,
    /// heat, cold) that went out to the authority (an alarm or acknowledged one; a pre-alarm
    /// is hers to cancel), until now but at most `summaryAfter` after it was raised. Device
    /// faults and notices open nothing: a dead PIR, acknowledged and waiting weeks for a
    /// technician, must not open weeks of her life.
    static func summaryWindows(_ open: [StoredAlarm], before: Span, now: WallTime) -> [(WallTime, WallTime)] {
        open.compactMap { a in
            guard a.state == "alarm" || a.state == "acknowledged",
                  let kind = AlarmKind(rawValue: a.kind), kind.severity >= .warning else { return nil }
            return (a.raised + Span(nanoseconds: -before.nanoseconds), min(now, a.raised + summaryAfter))
        }
    }

    func events(_ q: QueryReader, token: APIToken) throws -> Response {
        try q.only(["since", "until", "after", "limit", "format"])
        let since = try q.time("since"), until = try q.time("until")
        let after = try q.int("after", in: 0...Int64.max) ?? 0
        let limit = try q.int("limit", in: 1...100_000_000) ?? 100_000_000
        let format = try q.choice("format", ["ndjson", "csv"]) ?? "ndjson"
        if let since, let until, until < since { throw BadParameter(parameter: "until", message: "is before since") }
        // A summary token sees raw events only around the open alarms about her.
        var allowed: [(WallTime, WallTime)]?
        if token.privacy == .summary {
            let now = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
            allowed = Self.summaryWindows(try store.alarms(state: "open"), before: settings.summaryWindow, now: now)
        }
        let windows = allowed
        let store = self.store, offset = self.offset
        let eventFormat = EventFormat(rawValue: format)!
        let body = ResponseBody { writer in
            if let header = eventFormat.header { try await writer.write(ByteBuffer(string: header)) }
            if windows?.isEmpty == true { try await writer.finish(nil); return }
            var cursor = after, sent: Int64 = 0
            while sent < limit {
                // One page at a time from a fresh read: memory stays flat however long the export.
                // Filtered (a summary token), a whole page is read whatever is left to send:
                // rows outside the windows must not use up the client's `limit`, nor end the
                // stream before the rows inside them.
                let want = windows == nil ? Int(min(Int64(Self.pageSize), limit - sent)) : Self.pageSize
                let page = try store.events(after: cursor, since: since, until: until, limit: want)
                guard let last = page.last else { break }
                cursor = last.seq
                var text = ""
                text.reserveCapacity(page.count * 100)
                for e in page {
                    if let windows, !windows.contains(where: { e.wall >= $0.0 && e.wall <= $0.1 }) { continue }
                    sent += 1
                    text += eventFormat.line(e, offset: offset)
                    if sent == limit { break }
                }
                try await writer.write(ByteBuffer(string: text))
                if page.count < want { break }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: eventFormat.contentType], body: body)
    }

    func alarms(_ q: QueryReader) throws -> Response {
        try q.only(["since", "state"])
        let since = try q.time("since")
        let state = try q.choice("state", ["open", "closed", "prealarm", "alarm", "acknowledged", "cancelled", "resolved"])
        let items = try store.alarms(since: since, state: state).map { a in
            var j = JSONLine()
            j.add("id", Int(a.id))
            j.add("kind", a.kind)
            if let s = a.sensor { j.add("sensor", s) }
            j.add("severity", a.severity)
            j.add("state", a.state)
            j.add("raised", CivilTime.iso8601(a.raised, offset: offset, fractionDigits: 3))
            j.add("reason", a.reason)
            let steps = (try? store.steps(ofAlarm: a.id)) ?? []
            j.addRaw("steps", JSONLine.array(steps.map { s in
                var o = JSONLine()
                o.add("step", s.step)
                o.add("at", CivilTime.iso8601(s.wall, offset: offset, fractionDigits: 3))
                o.add("reason", s.reason)
                if let who = s.actor { o.add("by", who) }
                return o.text
            }))
            return j.text
        }
        return Self.json(.ok, JSONLine.array(items))
    }

    func hourly(_ q: QueryReader) throws -> Response {
        try q.only(["from", "to"])
        let now = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        let to = try q.time("to") ?? now
        let from = try q.time("from") ?? (to + Span(nanoseconds: -Span.days(7).nanoseconds))
        if to < from { throw BadParameter(parameter: "to", message: "is before from") }
        let items = try store.hourly(from: from, to: to).map { h in
            var j = JSONLine()
            j.add("hour", CivilTime.iso8601(h.hour, offset: offset))
            j.add("room", h.room)
            j.add("motion", h.motion)
            j.add("door", h.door)
            return j.text
        }
        return Self.json(.ok, JSONLine.array(items))
    }

    /// Records the refusals counted since the last row, at once (the runtime is stopping).
    public func recordUnrecordedRefusals() {
        if let s = refusals.unrecordedSummary(uptime: RefusalAudit.uptime(), force: true) { audit("anonymous", "refused", s) }
    }

    // MARK: - Serving

    /// Runs the server until the task is cancelled. `onListening` gets the bound port
    /// (useful with port 0).
    public func serve(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let server: HTTPServerBuilder
        if let cert = settings.certificate, let key = settings.key {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        let app = Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "kizuna.api"))
        // The runtime owns SIGTERM/SIGINT (its loop stops, outputs go off, the store is
        // flushed); the server must not take them over.
        try await app.runService(gracefulShutdownSignals: [])
    }
}
