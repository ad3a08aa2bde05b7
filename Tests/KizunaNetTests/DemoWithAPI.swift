import Foundation
import Testing
@testable import KizunaNet

/// The real runtime (`kizuna demo`, the simulated board at 8000× speed) with its API on a
/// free loopback port, an authority token `ops`, and a store in a temporary folder.
final class DemoWithAPI {
    static var repository: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    let token: String
    let dir: URL
    let db: String
    let process = Process()
    let out = Pipe()
    let err = Pipe()
    /// `http://127.0.0.1:PORT`.
    private(set) var api = ""

    init(token: String) throws {
        self.token = token
        let repo = Self.repository
        let kizuna = repo + "/.build/debug/kizuna"
        try #require(FileManager.default.isExecutableFile(atPath: kizuna))
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-demo-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
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
        db = dir.appendingPathComponent("kizuna.sqlite").path
        process.executableURL = URL(fileURLWithPath: kizuna)
        process.arguments = ["demo", "--config", config, "--boards", repo + "/boards", "--store", db, "--speed", "8000", "--json"]
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The port, from the log line the API writes when it listens.
        var port = 0
        var log = ""
        while port == 0, process.isRunning {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log += String(decoding: chunk, as: UTF8.self)
            if let r = log.range(of: "API listening on 127.0.0.1:") {
                port = Int(log[r.upperBound...].prefix { $0.isNumber }) ?? 0
            }
        }
        try #require(port != 0, "no API port in: \(log)")
        api = "http://127.0.0.1:\(port)"
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: dir)
    }

    /// The open inactivity alarm of the demo's collapse, once its network alarm is out.
    func collapseAlarm() throws -> [String: Any]? {
        for _ in 0..<600 {
            let r = try curl(api + "/v1/alarms?state=alarm", token: token)
            let open = (try? JSONSerialization.jsonObject(with: Data(r.body.utf8))) as? [[String: Any]] ?? []
            if let a = open.first(where: { $0["kind"] as? String == "inactivity" }) { return a }
            usleep(50_000)
        }
        return nil
    }

    /// Waits for the demo to finish; its exit status and its JSON lines.
    func finish() -> (status: Int32, records: [[String: Any]]) {
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let records = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return (process.terminationStatus, records)
    }
}
