import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaNet

/// A real HTTP client: curl, on loopback.
func curl(_ url: String, token: String? = nil, method: String = "GET", extra: [String] = []) throws -> (status: Int, body: String, headers: String) {
    let dir = FileManager.default.temporaryDirectory
    let bodyFile = dir.appendingPathComponent("kz-body-\(UUID().uuidString)").path
    let headerFile = dir.appendingPathComponent("kz-head-\(UUID().uuidString)").path
    defer {
        try? FileManager.default.removeItem(atPath: bodyFile)
        try? FileManager.default.removeItem(atPath: headerFile)
    }
    var args = ["-s", "-X", method, "-o", bodyFile, "-D", headerFile, "-w", "%{http_code}"] + extra + [url]
    if let token { args += ["-H", "Authorization: Bearer \(token)"] }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let code = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (Int(code) ?? 0, (try? String(contentsOfFile: bodyFile, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "")
}

/// A store in a temporary folder, a writer, and an API server on a free loopback port.
final class APIFixture: @unchecked Sendable {
    static let full = "full-token-0123456789"
    static let summary = "summary-token-abcdef"
    static let technician = "technician-token-xyz"

    let dir: URL
    let store: FlatStore
    let writer: StoreWriter
    var task: Task<Void, Error>?
    let port = PortHolder()
    let offset = UTCOffset.japan

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try FlatStore(path: dir.appendingPathComponent("kizuna.sqlite").path)
        writer = StoreWriter(store: store, commitEvery: 0.05)
        writer.start()
    }

    func start(status: DeviceStatus? = nil, certificate: String? = nil, key: String? = nil,
               attach: (inout LogPullAPI) -> Void = { _ in }) async throws {
        let settings = APISettings(host: "127.0.0.1", port: 0, certificate: certificate, key: key, tokens: [
            APIToken(name: "ops-full", role: .authority, privacy: .full, sha256: TokenAuthority.hash(Self.full)),
            APIToken(name: "ops-summary", role: .authority, privacy: .summary, sha256: TokenAuthority.hash(Self.summary)),
            APIToken(name: "tech", role: .technician, privacy: .summary, sha256: TokenAuthority.hash(Self.technician)),
        ])
        let writer = self.writer
        var api = LogPullAPI(settings: settings, store: store, metrics: KizunaMetrics(), offset: offset, status: { status },
                             audit: { actor, action, detail in
                                 writer.enqueue(audit: [AuditRecord(wall: WallTime(secondsSinceEpoch: 0), actor: actor, action: action, detail: detail)])
                             })
        attach(&api)
        let holder = port
        task = Task { try await api.serve { holder.set($0) } }
        for _ in 0..<500 where port.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(port.value != 0, "the server did not start")
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port.value)\(path)" }

    /// Events at 09:00 + i minutes on 2026-07-01, alternating two sensors.
    func insert(_ n: Int, from start: Int = 0) {
        let base = CivilTime.parseISO8601("2026-07-01T09:00:00", defaultOffset: offset)!
        var records: [EventRecord] = []
        for i in start..<(start + n) {
            let motion = i % 2 == 0
            let wall: WallTime = base + Span.minutes(Int64(i))
            records.append(EventRecord(wall: wall, sensor: motion ? "pir.living" : "door.entrance",
                                       kind: motion ? "motion-start" : "door-open", value: nil, room: motion ? "living" : "entrance"))
        }
        writer.enqueue(events: records)
        writer.flush()
    }

    deinit {
        task?.cancel()
        writer.stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

final class PortHolder: @unchecked Sendable {
    let lock = NSLock()
    var stored = 0
    func set(_ v: Int) { lock.lock(); stored = v; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return stored }
}

func lines(_ body: String) -> [[String: Any]] {
    body.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}

@Suite("Log-pull API over loopback", .serialized)
struct APITests {
    @Test("events as NDJSON and CSV, filtered by time")
    func events() async throws {
        let f = try APIFixture()
        f.insert(100)
        try await f.start()
        let all = try curl(f.url("/v1/events"), token: APIFixture.full)
        #expect(all.status == 200)
        #expect(all.headers.lowercased().contains("content-type: application/x-ndjson"))
        let items = lines(all.body)
        #expect(items.count == 100)
        #expect(items.map { $0["seq"] as? Int } == (1...100).map { $0 })
        #expect(items.first?["at"] as? String == "2026-07-01T09:00:00.000+09:00")
        #expect(items.first?["sensor"] as? String == "pir.living")

        let window = try curl(f.url("/v1/events?since=2026-07-01T09:10:00%2B09:00&until=2026-07-01T09:20:00%2B09:00"), token: APIFixture.full)
        #expect(lines(window.body).count == 10)
        let csv = try curl(f.url("/v1/events?format=csv&limit=3"), token: APIFixture.full)
        #expect(csv.body == """
            seq,at,sensor,kind,value
            1,2026-07-01T09:00:00.000+09:00,pir.living,motion-start,
            2,2026-07-01T09:01:00.000+09:00,door.entrance,door-open,
            3,2026-07-01T09:02:00.000+09:00,pir.living,motion-start,

            """)
    }

    @Test("a change asked while the loop has stopped (shutting down): 503 with Retry-After, never a 200 for what was not done")
    func changesWhileStopping() async throws {
        let f = try APIFixture()
        try await f.start { api in
            api.acknowledge = { _, _ in nil }
            api.testAlarm = { _ in nil }
            api.declareAbsence = { _, _ in nil }
        }
        for (method, path, token) in [("POST", "/v1/alarms/3/ack", APIFixture.full), ("POST", "/v1/alarms/test", APIFixture.technician),
                                      ("POST", "/v1/absence?until=2026-07-02T09:00:00%2B09:00", APIFixture.full),
                                      ("DELETE", "/v1/absence", APIFixture.full)] {
            let r = try curl(f.url(path), token: token, method: method)
            #expect(r.status == 503, "\(method) \(path)")
            #expect(r.headers.lowercased().contains("retry-after: 60"), "\(method) \(path)")
            #expect((lines(r.body).first?["error"] as? String)?.hasPrefix("the device is stopping") == true, "\(method) \(path)")
        }
    }

    @Test("no token or a wrong one: 401; the wrong role: 403")
    func access() async throws {
        let f = try APIFixture()
        try await f.start()
        let none = try curl(f.url("/v1/status"))
        #expect(none.status == 401)
        #expect(none.headers.contains("WWW-Authenticate: Bearer") || none.headers.lowercased().contains("www-authenticate: bearer"))
        #expect(try curl(f.url("/v1/status"), token: "guess").status == 401)
        let tech = try curl(f.url("/v1/events"), token: APIFixture.technician)
        #expect(tech.status == 403)
        #expect(lines(tech.body).first?["error"] as? String == "role 'technician' may not use GET /v1/events")
        #expect(try curl(f.url("/v1/alarms/1/ack"), token: APIFixture.technician, method: "POST").status == 403)
        // The technician may read the status and the metrics.
        #expect(try curl(f.url("/metrics"), token: APIFixture.technician).status == 200)
        // A stranger's flood of refused requests: one audit row a minute, not one each.
        for _ in 0..<5 { #expect(try curl(f.url("/v1/status?" + String(repeating: "x", count: 2000)), token: "guess").status == 401) }
        f.writer.flush()
        let audit = try f.store.audit(limit: 20)
        #expect(audit.contains { $0.actor == "anonymous" && $0.detail.hasPrefix("401") })
        #expect(audit.filter { $0.actor == "anonymous" }.count == 1)
        #expect(audit.contains { $0.actor == "tech" && $0.action == "GET /v1/events" && $0.detail.hasPrefix("403") })
    }

    @Test("a bad query is a 400 that names the parameter", arguments: [
        ("/v1/events?since=yesterday", "since"), ("/v1/events?limit=0", "limit"), ("/v1/events?format=xml", "format"),
        ("/v1/events?after=-1", "after"), ("/v1/events?colour=red", "colour"), ("/v1/alarms?state=maybe", "state"),
        ("/v1/activity/hourly?from=2026-07-02T00:00%2B09:00&to=2026-07-01T00:00%2B09:00", "to"),
        ("/v1/events?since=2026-07-02T00:00%2B09:00&until=2026-07-01T00:00%2B09:00", "until"),
        // Past what 64-bit nanoseconds hold: a 400, never a trap of the runtime.
        ("/v1/activity/hourly?from=2300-01-01T00:00", "from"), ("/v1/events?since=1600-01-01T00:00", "since"),
        ("/v1/events?limit=5&limit=100000", "limit"),
        // No such day: refused, not read as 2 March (rows missing from a 200).
        ("/v1/events?since=2026-02-30T00:00%2B09:00", "since"), ("/v1/activity/hourly?to=2026-04-31T00:00", "to"),
    ])
    func badParameters(_ path: String, _ parameter: String) async throws {
        let f = try APIFixture()
        try await f.start()
        let r = try curl(f.url(path), token: APIFixture.full)
        #expect(r.status == 400)
        let body = lines(r.body).first
        #expect(body?["parameter"] as? String == parameter)
        #expect((body?["error"] as? String)?.hasPrefix(parameter + ":") == true)
    }

    @Test("the cursor never skips or repeats an event while new ones are written")
    func cursorWhileWriting() async throws {
        let f = try APIFixture()
        try await f.start()
        let total = 6000
        let writer = Thread {
            for batch in 0..<60 {
                f.insert(100, from: batch * 100)
                usleep(2000)
            }
        }
        writer.start()
        var seen: [Int] = []
        var after = 0
        var idle = 0
        while seen.count < total && idle < 500 {
            let r = try curl(f.url("/v1/events?after=\(after)&limit=250"), token: APIFixture.full)
            #expect(r.status == 200)
            let page = lines(r.body).compactMap { $0["seq"] as? Int }
            if page.isEmpty { idle += 1; try await Task.sleep(for: .milliseconds(5)); continue }
            seen += page
            after = page.last!
        }
        #expect(seen.count == total)
        #expect(seen == Array(1...total))  // in order, no gap, no duplicate
    }

    @Test("a summary token sees raw events only around an open alarm")
    func summaryPrivacy() async throws {
        let f = try APIFixture()
        f.insert(10)
        try await f.start()
        #expect(lines(try curl(f.url("/v1/events"), token: APIFixture.summary).body).isEmpty)
        #expect(lines(try curl(f.url("/v1/events"), token: APIFixture.full).body).count == 10)
        // An inactivity alarm raised at 11:30: the window starts 2 h before, at 09:30.
        let raised = CivilTime.parseISO8601("2026-07-01T11:30:00", defaultOffset: .japan)!
        f.writer.enqueue(events: [EventRecord(wall: raised + .minutes(-1), sensor: "pir.living", kind: "motion-end", value: nil, room: "living")],
                         steps: [AlarmStepRecord(alarmID: 1, kind: "inactivity", sensor: nil, severity: "critical", step: "alarm",
                                                 wall: raised, reason: "no sign of life")])
        f.writer.flush()
        let seen = lines(try curl(f.url("/v1/events"), token: APIFixture.summary).body)
        #expect(seen.count == 1)
        #expect(seen.first?["kind"] as? String == "motion-end")
        // Alarms themselves are for every authority token.
        let alarms = try JSONSerialization.jsonObject(with: Data(try curl(f.url("/v1/alarms?state=open"), token: APIFixture.summary).body.utf8)) as? [[String: Any]]
        #expect(alarms?.count == 1)
    }

    @Test("a summary token paging with a small limit gets the events in its window, page after page (the rows before the window ended the stream empty)")
    func summaryPaging() async throws {
        let f = try APIFixture()
        f.insert(1200)  // one a minute from 09:00 to 04:59 the next day
        // An inactivity alarm raised at 20:00: the window starts at 18:00 (540 rows before it).
        let raised = CivilTime.parseISO8601("2026-07-01T20:00:00", defaultOffset: .japan)!
        f.writer.enqueue(steps: [AlarmStepRecord(alarmID: 1, kind: "inactivity", sensor: nil, severity: "critical", step: "alarm",
                                                 wall: raised, reason: "no sign of life")])
        f.writer.flush()
        try await f.start()
        var after = 0, pages: [Int] = [], first: String?
        while pages.count < 10 {
            let page = lines(try curl(f.url("/v1/events?after=\(after)&limit=250"), token: APIFixture.summary).body)
            if first == nil { first = page.first?["at"] as? String }
            guard let last = page.last?["seq"] as? Int else { break }
            pages.append(page.count)
            after = last
        }
        #expect(pages == [250, 250, 160])   // 18:00 to 04:59: 660 events
        #expect(first == "2026-07-01T18:00:00.000+09:00")
    }

    @Test("a summary token's windows: alarms sent about her, from 2 h before to at most 24 h after; no pre-alarm, fault or notice opens any")
    func summaryWindows() {
        let t = CivilTime.parseISO8601("2026-07-01T12:00:00", defaultOffset: .japan)!
        func alarm(_ id: Int64, _ kind: String, _ state: String, raised: WallTime = t) -> StoredAlarm {
            StoredAlarm(id: id, kind: kind, sensor: nil, severity: "", raised: raised, state: state, reason: "", updated: raised)
        }
        let open = [alarm(1, "inactivity", "alarm"), alarm(2, "inactivity", "prealarm"), alarm(3, "sensor-fault", "acknowledged"),
                    alarm(4, "pir-silent", "alarm"), alarm(5, "ventilation", "alarm"), alarm(6, "heat", "acknowledged", raised: t + .days(-3))]
        let w = LogPullAPI.summaryWindows(open, before: .hours(2), now: t + .hours(1))
        #expect(w.count == 2)
        #expect(w.first?.0 == t + .hours(-2) && w.first?.1 == t + .hours(1))
        #expect(w.last?.0 == t + .days(-3) + .hours(-2) && w.last?.1 == t + .days(-2))
    }

    @Test("alarms with their steps, hourly counts, status and metrics")
    func otherEndpoints() async throws {
        let f = try APIFixture()
        let t = CivilTime.parseISO8601("2026-07-01T12:00:00", defaultOffset: .japan)!
        f.writer.enqueue(steps: [
            AlarmStepRecord(alarmID: 7, kind: "inactivity", sensor: nil, severity: "critical", step: "prealarm", wall: t, reason: "silent"),
            AlarmStepRecord(alarmID: 7, kind: "inactivity", sensor: nil, severity: "critical", step: "alarm", wall: t + .minutes(3), reason: "silent"),
            AlarmStepRecord(alarmID: 8, kind: "door-open", sensor: "door.entrance", severity: "warning", step: "prealarm", wall: t, reason: "open"),
            AlarmStepRecord(alarmID: 8, kind: "door-open", sensor: "door.entrance", severity: "warning", step: "cancel", wall: t + .minutes(1), reason: "closed"),
        ])
        f.insert(200)  // 09:00 to 12:19: three full hours get aggregated
        var status = DeviceStatus(deviceID: "kz-1", flatID: "A-101", version: "test", started: t, now: Timestamp(monotonic: .init(nanoseconds: 90_000_000_000), wall: t),
                                  startedMonotonic: .init(nanoseconds: 0), occupancy: "home", lastActivity: t, lastActivityAge: .seconds(42),
                                  sensors: [("pir.living", "ok")], openAlarms: [(7, "inactivity", "alarm")], store: "ok", storeQueue: 0, clockSynchronised: true)
        status.environment = [("temperature.living", 24.5, 25.08, t)]
        status.routine = RoutineSummary(phase: .ready, daysLearned: 21.46, daysNeeded: 7, silenceLimit: .minutes(130),
                                        outings: 14, outingsNeeded: 10, notBackLimit: .minutes(298))
        status.routine?.inBedLimit = .minutes(250)
        // Declared away, and someone home for 20 minutes (a visit unless it lasts 3 h).
        status.declaredAbsence = (t + .days(3), "authority:ops", t + .minutes(-20), t + .minutes(160))
        try await f.start(status: status)

        let open = try JSONSerialization.jsonObject(with: Data(try curl(f.url("/v1/alarms?state=open"), token: APIFixture.full).body.utf8)) as! [[String: Any]]
        #expect(open.map { $0["id"] as? Int } == [7])
        #expect((open.first?["steps"] as? [[String: Any]])?.map { $0["step"] as? String } == ["prealarm", "alarm"])
        let all = try JSONSerialization.jsonObject(with: Data(try curl(f.url("/v1/alarms"), token: APIFixture.full).body.utf8)) as! [[String: Any]]
        #expect(all.map { $0["state"] as? String } == ["alarm", "cancelled"])

        let hourly = try JSONSerialization.jsonObject(with: Data(try curl(
            f.url("/v1/activity/hourly?from=2026-07-01T00:00%2B09:00&to=2026-07-02T00:00%2B09:00"), token: APIFixture.technician).body.utf8)) as! [[String: Any]]
        let nine = hourly.filter { ($0["hour"] as? String) == "2026-07-01T09:00:00+09:00" }
        #expect(nine.first { $0["room"] as? String == "living" }?["motion"] as? Int == 30)
        #expect(nine.first { $0["room"] as? String == "entrance" }?["door"] as? Int == 30)

        let s = try JSONSerialization.jsonObject(with: Data(try curl(f.url("/v1/status"), token: APIFixture.technician).body.utf8)) as! [String: Any]
        #expect(s["device"] as? String == "kz-1")
        #expect(s["occupancy"] as? String == "home")
        #expect(s["last_activity_age_s"] as? Int == 42)
        #expect(s["uptime_s"] as? Int == 90)
        let env = (s["environment"] as? [[String: Any]])?.first
        #expect(env?["sensor"] as? String == "temperature.living")
        #expect(env?["value"] as? Double == 24.5 && env?["raw"] as? Double == 25.08)  // calibrated, and the raw value beside it
        let routine = s["routine"] as? [String: Any]
        #expect(routine?["phase"] as? String == "ready" && routine?["days_learned"] as? Double == 21.4)
        #expect(routine?["silence_limit_s"] as? Int == 7800 && routine?["not_back_limit_s"] as? Int == 17880)
        #expect(routine?["silence_limit_in_bed_s"] as? Int == 15000)
        #expect(routine?["outings"] as? Int == 14 && routine?["outings_needed"] as? Int == 10)
        let declared = s["declared_absence"] as? [String: Any]
        #expect(declared?["until"] as? String == "2026-07-04T12:00:00+09:00" && declared?["by"] as? String == "authority:ops")
        #expect(declared?["visit_since"] as? String == "2026-07-01T11:40:00+09:00" && declared?["visit_ends"] as? String == "2026-07-01T14:40:00+09:00")

        let metrics = try curl(f.url("/metrics"), token: APIFixture.full)
        #expect(metrics.body.contains("kizuna_api_requests_total"))
    }

    @Test("TLS when a certificate and key are configured")
    func tls() async throws {
        let f = try APIFixture()
        let cert = f.dir.appendingPathComponent("tls.crt").path, key = f.dir.appendingPathComponent("tls.key").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        try await f.start(certificate: cert, key: key)
        let secure = try curl("https://127.0.0.1:\(f.port.value)/metrics", token: APIFixture.full, extra: ["--cacert", cert])
        #expect(secure.status == 200)
        #expect(secure.body.contains("kizuna_api_requests_total"))
        // Plain HTTP to the TLS port gets no answer; a client that does not trust the certificate is refused.
        #expect(try curl("http://127.0.0.1:\(f.port.value)/metrics", token: APIFixture.full, extra: ["--max-time", "3"]).status != 200)
        #expect(try curl("https://127.0.0.1:\(f.port.value)/metrics", token: APIFixture.full).status == 0)
    }
}
