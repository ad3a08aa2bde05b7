import Foundation
import KizunaStore
import Testing
@testable import KizunaNet

@Suite("Acknowledging an alarm over HTTP", .serialized)
struct AcknowledgeTests {
    static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    @Test("POST /v1/alarms/{id}/ack goes through the running loop: the repeats stop, and who acknowledged is kept")
    func acknowledge() throws {
        let repo = Self.repository
        let kizuna = repo + "/.build/debug/kizuna"
        try #require(FileManager.default.isExecutableFile(atPath: kizuna))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-ack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let token = "ack-test-token"
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

        // The port, from the log line the API writes when it listens.
        var port = 0
        var log = ""
        let errHandle = err.fileHandleForReading
        while port == 0, p.isRunning {
            let chunk = errHandle.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let r = log.range(of: "API listening on 127.0.0.1:") {
                port = Int(log[r.upperBound...].prefix { $0.isNumber }) ?? 0
            }
        }
        try #require(port != 0, "no API port in: \(log)")

        // Wait for the network alarm of the collapse day, then acknowledge it.
        var id: Int?
        for _ in 0..<600 where id == nil {
            let r = try curl("http://127.0.0.1:\(port)/v1/alarms?state=alarm", token: token)
            let open = (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [[String: Any]] ?? []
            id = open.first { $0["kind"] as? String == "inactivity" }?["id"] as? Int
            if id == nil { usleep(50_000) }
        }
        let alarm = try #require(id)
        let ack = try curl("http://127.0.0.1:\(port)/v1/alarms/\(alarm)/ack", token: token, method: "POST")
        #expect(ack.status == 200)
        #expect(lines(ack.body).first?["acknowledged_by"] as? String == "authority:ops")
        let again = try curl("http://127.0.0.1:\(port)/v1/alarms/\(alarm)/ack", token: token, method: "POST")
        #expect(again.status == 404)
        #expect(lines(again.body).first?["parameter"] as? String == "id")

        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let steps = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "inactivity" }
        let types = steps.map { $0["type"] as? String ?? "" }
        let ackIndex = try #require(types.firstIndex(of: "acknowledge"))
        #expect(steps[ackIndex]["reason"] as? String == "acknowledged by authority:ops")
        #expect(!types[ackIndex...].contains("repeat"), "no repeat after the acknowledgement")
        let stored = try FlatStore(path: db).steps(ofAlarm: Int64(alarm))
        #expect(stored.contains { $0.step == "acknowledge" && $0.actor == "authority:ops" })
    }
}
