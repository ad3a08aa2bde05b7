import Foundation
import KizunaShell
import Testing
@testable import KizunaRuntime

/// The shell's door: the PIN's hash, the lockout, the control socket and its messages.
@Suite struct ShellAccessTests {
    @Test("a PIN hash matches its PIN only, and reads back from its text")
    func pinHash() throws {
        let h = PINHash(pin: "2468", rounds: 2_000)
        #expect(h.matches("2468"))
        #expect(!h.matches("2469"))
        #expect(!h.matches(""))
        #expect(!h.matches("24680"))
        let text = h.text
        #expect(text.hasPrefix("pbkdf2-sha256$2000$"))
        #expect(!text.contains("2468$"))
        let back = try #require(PINHash(parsing: text))
        #expect(back == h)
        #expect(back.matches("2468"))
        // Two hashes of one PIN differ (fresh salt), both match.
        let other = PINHash(pin: "2468", rounds: 2_000)
        #expect(other.salt != h.salt)
        #expect(other.matches("2468"))
    }

    @Test("PBKDF2-HMAC-SHA256 gives RFC 7914's test vector")
    func pbkdf2Vector() {
        // RFC 7914 section 11: P = "passwd", S = "salt", c = 1, dkLen = 64; the first 32 bytes.
        let derived = PINHash.derive("passwd", salt: Array("salt".utf8), rounds: 1)
        let hex = derived.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }

    @Test("malformed hashes and PINs are refused", arguments: [
        "2468", "pbkdf2-sha256$100$c2FsdHNhbHQ=$" + String(repeating: "A", count: 44),
        "sha1$100000$c2FsdHNhbHQ=$AAAA", "pbkdf2-sha256$x$y$z", "",
    ])
    func malformed(_ text: String) {
        #expect(PINHash(parsing: text) == nil)
    }

    @Test("a PIN is 4 to 12 digits")
    func wellFormed() {
        #expect(PINHash.isWellFormed("0000"))
        #expect(PINHash.isWellFormed("123456789012"))
        #expect(!PINHash.isWellFormed("123"))
        #expect(!PINHash.isWellFormed("1234567890123"))
        #expect(!PINHash.isWellFormed("12a4"))
        #expect(!PINHash.isWellFormed("١٢٣٤"))  // Arabic-Indic digits are not on the technician's keyboard
    }

    @Test("five wrong PINs lock for five minutes, even the right one; then it opens again")
    func lockout() {
        let g = LoginGuard(limit: 5, lockoutSeconds: 300)
        #expect(g.attempt(at: 0) { false } == .wrong(triesLeft: 4))
        #expect(g.attempt(at: 1) { false } == .wrong(triesLeft: 3))
        #expect(g.attempt(at: 2) { false } == .wrong(triesLeft: 2))
        #expect(g.attempt(at: 3) { false } == .wrong(triesLeft: 1))
        #expect(g.attempt(at: 4) { false } == .wrongAndLocked(seconds: 300))
        var hashed = false
        #expect(g.attempt(at: 5) { hashed = true; return true } == .locked(seconds: 299))
        #expect(!hashed)  // a locked console does not even check
        #expect(g.attempt(at: 303.5) { true } == .locked(seconds: 1))
        #expect(g.attempt(at: 304) { true } == .accepted)
        // A right PIN clears the count.
        #expect(g.attempt(at: 305) { false } == .wrong(triesLeft: 4))
        #expect(g.attempt(at: 306) { true } == .accepted)
        #expect(g.attempt(at: 307) { false } == .wrong(triesLeft: 4))
    }

    @Test("the count and the lock survive a restart (a state file), and a clock set back does not lengthen the lock")
    func lockoutSurvivesRestart() {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kz-logins-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let first = LoginGuard(limit: 5, lockoutSeconds: 300, stateFile: file)
        #expect(first.attempt(at: 1000) { false } == .wrong(triesLeft: 4))
        #expect(first.attempt(at: 1001) { false } == .wrong(triesLeft: 3))
        #expect(first.attempt(at: 1002) { false } == .wrong(triesLeft: 2))
        // A power cut: the next runtime goes on counting.
        let second = LoginGuard(limit: 5, lockoutSeconds: 300, stateFile: file)
        #expect(second.attempt(at: 1100) { false } == .wrong(triesLeft: 1))
        #expect(second.attempt(at: 1101) { false } == .wrongAndLocked(seconds: 300))
        let third = LoginGuard(limit: 5, lockoutSeconds: 300, stateFile: file)
        #expect(third.attempt(at: 1200) { true } == .locked(seconds: 201))
        // The clock went back an hour: still at most five minutes from now.
        #expect(third.attempt(at: -2400) { true } == .locked(seconds: 300))
        #expect(third.attempt(at: -2100) { true } == .accepted)
        let fourth = LoginGuard(limit: 5, lockoutSeconds: 300, stateFile: file)
        #expect(fourth.attempt(at: -2000) { false } == .wrong(triesLeft: 4))
    }

    @Test("a torn or corrupt state file is ignored, never a trap at start", arguments: ["nan 0\n", "inf inf\n", "1e300 0\n", "3 nan\n", "", "x"])
    func corruptStateFile(_ text: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kz-logins-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let g = LoginGuard(limit: 5, lockoutSeconds: 300, stateFile: file)
        #expect(g.attempt(at: 1000) { false } == .wrong(triesLeft: 4))
    }

    @Test("the control socket: 0660, messages both ways, a stale socket replaced, gone after stop")
    func socket() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kz-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/control.sock"
        let first = try ControlServer(path: path) { _ in }
        first.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
        // A socket file left by a crash is replaced; a regular file is not.
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let server = try ControlServer(path: path) { c in
            c.send(.init(hello: .init(device: "kz-1", flat: "101", version: "t", pinSet: true)))
            while case .message(let m) = c.receive(timeout: 5) {
                if let line = m.line { c.send(.init(out: "echo \(line)\n", end: true, ok: true)) }
                if m.bye != nil { return }
            }
        }
        server.start()
        defer { server.stop() }
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o660)
        let c = try ControlConnection.connect(to: path)
        guard case .message(let hello) = c.receive(timeout: 5) else { Issue.record("no hello"); return }
        #expect(hello.hello?.device == "kz-1")
        c.send(.init(line: "status \"quoted\" é"))
        guard case .message(let answer) = c.receive(timeout: 5) else { Issue.record("no answer"); return }
        #expect(answer.out == "echo status \"quoted\" é\n")
        #expect(answer.end == true)
        c.send(.init(bye: "left"))
        #expect(c.receive(timeout: 5) == .closed)

        let file = dir + "/not-a-socket"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect(throws: ControlError.self) { _ = try ControlServer(path: file) { _ in } }
        #expect(FileManager.default.contents(atPath: file) == Data("x".utf8))
    }

    @Test("no runtime: the shell says where it looked")
    func noRuntime() {
        do {
            _ = try ControlConnection.connect(to: "/tmp/kizuna-no-such-dir/control.sock")
            Issue.record("connected to nothing")
        } catch {
            #expect(error.description.contains("/tmp/kizuna-no-such-dir/control.sock"))
            #expect(error.description.contains("is kizuna running"))
        }
    }

    @Test("the shell section: a PIN in clear is refused with file, line and key")
    func config() throws {
        let base = try String(contentsOfFile: Paths.demoConfig, encoding: .utf8)
        let hash = PINHash(pin: "2468", rounds: 2_000).text
        let good = try ConfigLoader.parse(base + "shell:\n  socket: /run/kizuna/control.sock\n  pin_hash: \"\(hash)\"\n  idle_logout: 10m\n",
                                          file: "kizuna.yaml", boardsDirectory: Paths.boards)
        #expect(good.shell?.pinHash == hash)
        #expect(good.shell?.idleLogout == .minutes(10))
        let lines = base.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            _ = try ConfigLoader.parse(base + "shell:\n  pin_hash: \"2468\"\n", file: "kizuna.yaml", boardsDirectory: Paths.boards)
            Issue.record("a clear PIN was accepted")
        } catch {
            #expect(error.key == "shell.pin_hash")
            #expect(error.line == lines + 1)
            #expect(error.message.contains("kizuna pin-hash"))
        }
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse(base + "shell:\n  idle_logout: 5s\n", file: "kizuna.yaml", boardsDirectory: Paths.boards)
        }
        #expect(throws: ConfigError.self) {
            _ = try ConfigLoader.parse(base + "shell:\n  socket: relative.sock\n", file: "kizuna.yaml", boardsDirectory: Paths.boards)
        }
    }
}
