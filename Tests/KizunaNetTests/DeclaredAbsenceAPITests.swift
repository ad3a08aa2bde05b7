import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaNet

@Suite("Declaring an absence over HTTP", .serialized)
struct DeclaredAbsenceAPITests {
    @Test("POST /v1/absence goes through the running loop: the flat reads away, the silence alarm resolves, the store keeps it; bad times are 400s naming until")
    func declare() throws {
        let repo = AcknowledgeTests.repository
        let kizuna = repo + "/.build/debug/kizuna"
        try #require(FileManager.default.isExecutableFile(atPath: kizuna))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-absence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let token = "absence-test-token"
        let hash = TokenAuthority.hash(token).map { String(format: "%02x", $0) }.joined()
        let base = try String(contentsOfFile: repo + "/boards/sim/kizuna.yaml", encoding: .utf8)
        let config = dir.appendingPathComponent("kizuna.yaml").path
        try base.replacingOccurrences(of: "\nalarms:", with: """

            api:
              listen: "127.0.0.1:0"
              tokens:
                - { name: ops, role: authority, privacy: full, sha256: "\(hash)" }
            alarms:
            """).write(toFile: config, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("kizuna.sqlite").path

        let p = Process()
        p.executableURL = URL(fileURLWithPath: kizuna)
        p.arguments = ["demo", "--config", config, "--boards", repo + "/boards", "--store", db, "--speed", "8000", "--json"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var port = 0
        var log = ""
        while port == 0, p.isRunning {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let r = log.range(of: "API listening on 127.0.0.1:") {
                port = Int(log[r.upperBound...].prefix { $0.isNumber }) ?? 0
            }
        }
        try #require(port != 0, "no API port in: \(log)")
        let api = "http://127.0.0.1:\(port)"

        // The collapse of the demo's day: once its alarm is out, nobody moves any more.
        var raised: String?
        for _ in 0..<600 where raised == nil {
            let r = try curl(api + "/v1/alarms?state=alarm", token: token)
            let open = (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [[String: Any]] ?? []
            raised = open.first { $0["kind"] as? String == "inactivity" }?["raised"] as? String
            if raised == nil { usleep(50_000) }
        }
        let at = try #require(raised.flatMap { CivilTime.parseISO8601($0, defaultOffset: .utc) })
        // Times in a query, "+" escaped.
        func text(_ w: WallTime) -> String { CivilTime.iso8601(w, offset: .utc).replacingOccurrences(of: "+", with: "%2B") }
        let untilText = text(at + .days(10))
        let until = try #require(CivilTime.parseISO8601(CivilTime.iso8601(at + .days(10), offset: .utc), defaultOffset: .utc))

        for (query, words) in [("", "required"), ("?until=soon", "ISO-8601"), ("?until=2000-01-01T00:00:00Z", "later than the device's clock"),
                               ("?until=" + text(at + .days(200)), "92 days"), ("?until=\(untilText)&by=me", "by")] {
            let bad = try curl(api + "/v1/absence" + query, token: token, method: "POST")
            #expect(bad.status == 400, "\(query)")
            let body = lines(bad.body).first
            #expect(body?["parameter"] as? String == (query.contains("by=") ? "by" : "until"), "\(query)")
            #expect((body?["error"] as? String)?.contains(words) == true, "\(query): \(bad.body)")
        }
        let ok = try curl(api + "/v1/absence?until=\(untilText)", token: token, method: "POST")
        #expect(ok.status == 200)
        #expect(lines(ok.body).first?["by"] as? String == "authority:ops")
        let status = lines(try curl(api + "/v1/status", token: token).body).first
        #expect(status?["occupancy"] as? String == "away")
        let declared = status?["declared_absence"] as? [String: Any]
        #expect(declared?["by"] as? String == "authority:ops")
        #expect((declared?["until"] as? String).flatMap { CivilTime.parseISO8601($0, defaultOffset: .utc) } == until)

        #expect(try curl(api + "/v1/absence", token: token, method: "DELETE").status == 200)
        let none = try curl(api + "/v1/absence", token: token, method: "DELETE")
        #expect(none.status == 404)
        #expect(try curl(api + "/v1/absence?until=\(untilText)", token: token, method: "POST").status == 200)
        #expect(try curl(api + "/v1/absence?until=\(untilText)", method: "POST").status == 401)   // no token

        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let records = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(records.contains { $0["kind"] as? String == "inactivity" && $0["type"] as? String == "resolve"
                                   && $0["reason"] as? String == "declared away by authority:ops" })
        #expect(records.contains { $0["type"] as? String == "state" && $0["to"] as? String == "away"
                                   && $0["reason"] as? String == "declared away by authority:ops" })
        // Kept with the occupancy it explains, for a restart.
        let snapshot = try #require(try FlatStore(path: db).snapshot())
        #expect(snapshot.occupancy == "away")
        #expect(snapshot.declaredUntil == until && snapshot.declaredBy == "authority:ops")
    }
}
