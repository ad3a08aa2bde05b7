import Foundation
import KizunaShell

/// `kizuna shell`: a terminal for the runtime's control socket. It edits lines locally (so
/// a slow serial line still echoes at once), sends each finished line, and shows the
/// answer. On a serial port it behaves like a getty: after logout or an idle timeout the
/// banner and the PIN prompt come back.
public final class ShellClient {
    let socketPath: String
    let terminal: Terminal
    let getty: Bool
    let dumb: Bool
    let table = CommandTable.standard
    var editor: LineEditor

    public init(socketPath: String, terminal: Terminal, getty: Bool, dumb: Bool) {
        self.socketPath = socketPath
        self.terminal = terminal
        self.getty = getty
        self.dumb = dumb
        editor = LineEditor(prompt: "kizuna> ", dumb: dumb)
    }

    enum Input {
        case line(String)
        case interrupt
        case endOfInput
        /// The runtime ended the session (its reason) or went away.
        case bye(String)
        /// The terminal hung up.
        case hangUp
    }

    /// Runs until logout (or, as a getty, until the terminal goes away). Returns the exit status.
    public func run() -> Int32 {
        repeat {
            let connection: ControlConnection
            do {
                connection = try ControlConnection.connect(to: socketPath)
            } catch {
                terminal.write(text: "kizuna shell: \(error)\n")
                guard getty else { return 1 }
                Thread.sleep(forTimeInterval: 5)
                continue
            }
            switch session(connection) {
            case .hangUp: return 0
            case .finished: if !getty { return 0 }
            }
        } while true
    }

    enum SessionEnd { case finished, hangUp }

    func session(_ c: ControlConnection) -> SessionEnd {
        defer { c.send(.init(bye: "left")) }
        let received = c.receive(timeout: 10)
        if case .message(let m) = received, let bye = m.bye {
            terminal.write(text: "kizuna shell: \(bye)\n")
            if getty { Thread.sleep(forTimeInterval: 5) }
            return .finished
        }
        guard case .message(let first) = received, let hello = first.hello else {
            terminal.write(text: "kizuna shell: the runtime did not answer on \(socketPath)\n")
            // As a getty, do not hammer a busy runtime (or flood the line) with reconnects.
            if getty { Thread.sleep(forTimeInterval: 5) }
            return .finished
        }
        terminal.write(text: "\nKizuna \(hello.version) — device \(hello.device), flat \(hello.flat)\n")
        // The PIN.
        var names: (sensors: [String], keys: [String]) = ([], [])
        while true {
            editor.prompt = "PIN: "
            editor.secret = true
            editor.completer = nil
            switch readLine(c) {
            case .hangUp: return .hangUp
            case .bye(let reason):
                terminal.write(text: "\(reason)\n")
                return .finished
            case .endOfInput: return .finished
            case .interrupt: continue
            case .line(let pin):
                if pin.isEmpty { continue }
                c.send(.init(pin: pin))
                guard case .message(let m) = c.receive(timeout: 30), let answer = m.login else {
                    terminal.write(text: "kizuna shell: no answer from the runtime\n")
                    return .finished
                }
                terminal.write(text: answer.message + "\n")
                if answer.result == "ok" {
                    names = (answer.sensors ?? [], answer.configKeys ?? [])
                    break
                }
                continue
            }
            break
        }
        // Commands.
        editor.prompt = "kizuna> "
        editor.secret = false
        let table = self.table
        editor.completer = { text in table.completions(for: text, sensors: names.sensors, configKeys: names.keys) }
        while true {
            switch readLine(c) {
            case .hangUp:
                c.send(.init(line: "logout"))
                return .hangUp
            case .bye(let reason):
                terminal.write(text: "\(reason)\n")
                return .finished
            case .interrupt: continue
            case .endOfInput:
                c.send(.init(line: "logout"))
                _ = answer(c)  // shows "logged out"
                return .finished
            case .line(let line):
                c.send(.init(line: line))
                switch answer(c) {
                case .done: continue
                case .bye: return .finished
                case .hangUp: return .hangUp
                }
            }
        }
    }

    enum Answer { case done, bye(String), hangUp }

    /// Shows the runtime's answer until its end; a key meanwhile stops a running `watch` or
    /// walk test.
    func answer(_ c: ControlConnection) -> Answer {
        var cancelled = false
        // The terminal hung up (or its input ended) after the line was sent: the answer is
        // still shown, then the session ends.
        var terminalGone = false
        while true {
            var fds = [pollfd(fd: c.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: terminal.descriptor, events: Int16(POLLIN), revents: 0)]
            if !c.hasInput { _ = poll(&fds, terminalGone ? 1 : 2, 1000) } else { fds[0].revents = Int16(POLLIN) }
            // What the runtime said comes first: a key pressed meanwhile does not hide it.
            if fds[0].revents != 0 || c.hasInput {
                switch c.receive(timeout: 0) {
                case .timeout: break
                case .closed:
                    terminal.write(text: "the runtime closed the connection\n")
                    return terminalGone ? .hangUp : .bye("")
                case .message(let m):
                    if let out = m.out { terminal.write(text: out) }
                    if let bye = m.bye {
                        if bye != "logged out" { terminal.write(text: bye + "\n") }
                        return terminalGone ? .hangUp : .bye(bye)
                    }
                    if m.end == true { return terminalGone ? .hangUp : .done }
                }
                continue
            }
            guard !terminalGone, fds[1].revents != 0 else { continue }
            guard let keys = terminal.read() else {
                if !cancelled { c.send(.init(cancel: true)) }
                cancelled = true
                terminalGone = true
                continue
            }
            if !keys.isEmpty, !cancelled {
                c.send(.init(cancel: true))
                cancelled = true
            } else if cancelled, keys.contains(0x03) {
                // Ctrl-C again: the runtime did not stop it; give up on this session.
                terminal.write(text: "\nno answer from the runtime: leaving this session\n")
                return .bye("abandoned")
            }
        }
    }

    /// Edits one line; the runtime may end the session meanwhile (idle, stopping).
    func readLine(_ c: ControlConnection) -> Input {
        terminal.write(editor.begin())
        while true {
            var fds = [pollfd(fd: terminal.descriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: c.descriptor, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, -1)
            if fds[1].revents != 0 {
                switch c.receive(timeout: 0) {
                case .closed: return .bye("\r\nthe runtime closed the connection")
                case .message(let m):
                    if let bye = m.bye { return .bye("\n" + bye) }
                    if let out = m.out {
                        terminal.write(text: "\n" + out)
                        terminal.write(editor.redraw())
                    }
                case .timeout: break
                }
            }
            if fds[0].revents != 0 {
                guard let bytes = terminal.read() else { return .hangUp }
                for b in bytes {
                    let (output, event) = editor.feed(b)
                    terminal.write(output)
                    switch event {
                    case .line(let l)?: return .line(l)
                    case .interrupt?: return .interrupt
                    case .endOfInput?: return .endOfInput
                    case nil: break
                    }
                }
            }
        }
    }
}
