import Foundation
import Testing
@testable import KizunaRuntime

/// A real `NOTIFY_SOCKET`: a Unix datagram socket that records what arrives, and when.
final class NotifySocket: @unchecked Sendable {
    let path: String
    let fd: Int32
    let lock = NSLock()
    var received: [(at: Double, message: String)] = []
    var thread: Thread?
    var running = true

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kz-notify-\(UUID().uuidString.prefix(8))").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(r == 0, "bind \(path)")
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let t = Thread { [weak self] in self?.receive() }
        thread = t
        t.start()
    }

    func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let start = Date()
        while lock.withLock({ running }) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 {
                let message = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append((Date().timeIntervalSince(start), message)) }
            }
        }
    }

    func stop() -> [(at: Double, message: String)] {
        lock.withLock { running = false }
        while thread?.isFinished == false { usleep(10_000) }
        close(fd)
        unlink(path)
        return lock.withLock { received }
    }
}

@Suite("systemd notify protocol", .serialized)
struct NotifyTests {
    @Test("READY once, WATCHDOG at the cadence WATCHDOG_USEC asks, and none while the loop stalls")
    func watchdog() throws {
        let kizuna = try #require(Paths.kizuna)
        let socket = try NotifySocket()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: kizuna)
        // A day at 9000x lasts about 10 s; the loop blocks for 3 s after 3 s.
        p.arguments = ["demo", "--speed", "9000", "--json", "--boards", Paths.boards, "--debug-stall", "3s:3s"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socket.path
        env["WATCHDOG_USEC"] = "1000000"  // ping every 500 ms
        env.removeValue(forKey: "WATCHDOG_PID")
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let got = socket.stop()
        #expect(p.terminationStatus == 0)

        let ready = got.filter { $0.message.contains("READY=1") }
        #expect(ready.count == 1)
        #expect(got.first?.message.hasPrefix("READY=1") == true, "READY comes first")
        #expect(got.last?.message == "STOPPING=1")
        let pings = got.filter { $0.message == "WATCHDOG=1" }.map(\.at)
        #expect(pings.count >= 8)
        let gaps = zip(pings.dropFirst(), pings).map { $0 - $1 }
        // Fed steadily (never much faster than asked: receiving may jitter by a few tens of
        // ms under load) except for one long silence: the stall.
        #expect(gaps.allSatisfy { $0 >= 0.35 })
        let long = gaps.filter { $0 > 2.0 }
        #expect(long.count == 1)
        #expect((long.first ?? 0) >= 2.8)
        #expect(gaps.filter { $0 <= 2.0 }.allSatisfy { $0 < 1.5 })
        #expect(got.contains { $0.message.hasPrefix("STATUS=") })
    }

    @Test("log lines carry journal priorities under systemd, a plain prefix on a terminal")
    func journalPriorities() {
        #expect(SystemLog.format("error: sensors.pir.living: line lost", journal: true) == "<3>sensors.pir.living: line lost")
        #expect(SystemLog.format("warning: x", journal: true) == "<4>x")
        #expect(SystemLog.format("info: API listening", journal: true) == "<6>API listening")
        #expect(SystemLog.format("something else", journal: true) == "<5>something else")
        #expect(SystemLog.format("error: x", journal: false) == "kizuna: error: x")
    }
}
