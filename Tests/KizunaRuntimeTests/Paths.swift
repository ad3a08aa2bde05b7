import Foundation
import KizunaStore

/// Where the repository's files are, from this test file's own path.
enum Paths {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static var boards: String { repository + "/boards" }
    static var demoConfig: String { boards + "/sim/kizuna.yaml" }

    /// The `kizuna` executable that `swift build` / `swift test` built beside the tests.
    static var kizuna: String? {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bin.appendingPathComponent("kizuna").path,
                          bin.deletingLastPathComponent().appendingPathComponent("kizuna").path,
                          repository + "/.build/debug/kizuna"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Runs a program and returns its exit status, standard output and standard error.
func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = arguments
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A new empty folder under the system's temporary directory (`kizuna-TAG-UUID`); the
/// caller removes it.
func temporaryFolder(_ tag: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-\(tag)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// A store file in `dir` holding `events` and `snapshot`, written and closed: what a device
/// left behind when it stopped. Returns its path.
func storeLeftBehind(in dir: URL, events: [EventRecord] = [], snapshot: StoredSnapshot? = nil) throws -> String {
    let path = dir.appendingPathComponent("kizuna.sqlite").path
    let w = StoreWriter(store: try FlatStore(path: path), commitEvery: 0.01)
    w.start()
    if !events.isEmpty { w.enqueue(events: events) }
    if let snapshot { w.enqueue(snapshot: snapshot) }
    let flushed = w.flush()
    w.stop()
    guard flushed else { throw CocoaError(.fileWriteUnknown) }
    return path
}
