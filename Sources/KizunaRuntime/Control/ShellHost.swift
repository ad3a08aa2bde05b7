import Foundation
import KizunaCore
import KizunaHardware
import KizunaShell
import KizunaStore

/// The runtime's side of the technician shell: it serves the control socket, checks the
/// PIN, runs each command (through the loop when it touches the engine, the sensors or the
/// outputs: the loop stays the one owner of that state), and audits every login and command.
public final class ShellHost: @unchecked Sendable {
    let installation: Installation
    let settings: ShellSettings
    let commands: CommandQueue
    let status: StatusBoard
    let writer: StoreWriter?
    /// Read and changed only inside loop commands (the loop's thread).
    let environment: EnvironmentPoller?
    let buses: [Int: I2CBus]
    let config: LiveConfig?
    let loginGuard: LoginGuard
    let pin: PINHash?
    let table = CommandTable.standard
    let log: @Sendable (String) -> Void
    let actor = "technician:console"

    init(installation: Installation, settings: ShellSettings, loop: RuntimeLoop, status: StatusBoard, writer: StoreWriter?,
         environment: EnvironmentPoller?, buses: [Int: I2CBus], log: @escaping @Sendable (String) -> Void) {
        self.installation = installation
        self.settings = settings
        commands = loop.commands
        self.status = status
        self.writer = writer
        self.environment = environment
        self.buses = buses
        self.log = log
        // The count lives beside the store (the state directory), so a power cut gives no fresh tries.
        let stateFile = installation.store.map { ($0.path as NSString).deletingLastPathComponent + "/shell-logins" }
        loginGuard = LoginGuard(limit: settings.lockoutAfter, lockoutSeconds: settings.lockoutFor.seconds, stateFile: stateFile)
        pin = settings.pinHash.flatMap(PINHash.init(parsing:))
        let commands = loop.commands
        let poller = environment
        do {
            config = try LiveConfig(installation: installation) { new in
                // Calibration goes to the poller, thresholds to the engine: both in the loop.
                commands.onLoop { loop, _ -> String? in
                    for w in new.environment { poller?.setCalibration(w.calibration, for: w.sensor) }
                    if let reason = loop.engine.reasonReconfigureNeedsRestart(new.settings) { return reason }
                    loop.reconfigure(new.settings)
                    return nil
                }
            }
        } catch {
            log("warning: the shell cannot edit the config (\(error)); config and calibrate commands will refuse")
            config = nil
        }
    }

    /// Serves the shell if the config has a `shell:` section; nil otherwise (or when the
    /// socket cannot be made: the runtime goes on watching without a shell).
    public static func start(installation: Installation, loop: RuntimeLoop, status: StatusBoard, writer: StoreWriter?,
                             environment: EnvironmentPoller?, buses: [Int: I2CBus], log: @escaping @Sendable (String) -> Void) -> ControlServer? {
        guard let settings = installation.shell else { return nil }
        let host = ShellHost(installation: installation, settings: settings, loop: loop, status: status, writer: writer,
                             environment: environment, buses: buses, log: log)
        do {
            let server = try ControlServer(path: settings.socket) { connection in host.serve(connection) }
            server.start()
            log("info: technician shell on \(settings.socket)" + (host.pin == nil ? " (no PIN set: nobody can log in)" : ""))
            return server
        } catch {
            log("error: technician shell: \(error)")
            return nil
        }
    }

    func audit(_ action: String, _ detail: String) {
        let now = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        if let writer {
            writer.enqueue(audit: [AuditRecord(wall: now, actor: actor, action: action, detail: detail)])
        } else {
            log("audit: \(actor) \(action) \(detail)")
        }
    }

    // MARK: - A session

    /// One connection from `kizuna shell`, from hello to bye.
    func serve(_ c: ControlConnection) {
        c.send(.init(hello: .init(device: installation.deviceID, flat: installation.flatID, version: KizunaVersion.current,
                                  pinSet: pin != nil)))
        var loggedIn = false
        let idle = settings.idleLogout.seconds
        while true {
            // Before the PIN, a minute: an idle PIN prompt does not hold one of the few slots.
            switch c.receive(timeout: loggedIn ? idle : min(idle, 60)) {
            case .closed:
                if loggedIn { audit("logout", "connection closed") }
                return
            case .timeout:
                if loggedIn { audit("logout", "idle for \(settings.idleLogout)") }
                c.send(.init(bye: "session ended: idle for \(loggedIn ? settings.idleLogout : min(settings.idleLogout, .seconds(60)))"))
                return
            case .message(let m):
                if m.bye != nil {
                    if loggedIn { audit("logout", "left") }
                    return
                }
                if let given = m.pin {
                    if loggedIn {
                        c.send(.init(login: .init(result: "ok", message: "already logged in")))
                    } else {
                        loggedIn = login(given, c)
                    }
                } else if let line = m.line {
                    guard loggedIn else {
                        c.send(.init(out: "log in first\n", end: true, ok: false))
                        continue
                    }
                    if !run(line, c) { return }
                }
            }
        }
    }

    func login(_ given: String, _ c: ControlConnection) -> Bool {
        guard let pin else {
            audit("login-refused", "no PIN set")
            c.send(.init(login: .init(result: "unset", message: "no technician PIN is set on this device: put the output of `kizuna pin-hash` in shell.pin_hash")))
            return false
        }
        let verdict = loginGuard.attempt(at: LoginGuard.wallNow()) { pin.matches(given) }
        switch verdict {
        case .accepted:
            audit("login", "")
            let names = installation.sensors.sensors.map(\.name)
            c.send(.init(login: .init(result: "ok", message: "logged in: help lists the commands, Tab completes, Ctrl-D logs out",
                                      sensors: names, configKeys: config?.keys ?? [], idleSeconds: Int(settings.idleLogout.seconds))))
            return true
        case .wrong(let left):
            audit("login-failed", "\(left) tries left")
            c.send(.init(login: .init(result: "wrong", message: "wrong PIN (\(left) \(left == 1 ? "try" : "tries") left)")))
            return false
        case .wrongAndLocked(let seconds):
            audit("login-failed", "no tries left: console locked for \(seconds)s")
            log("warning: technician shell locked for \(seconds)s after \(settings.lockoutAfter) wrong PINs")
            c.send(.init(login: .init(result: "locked",
                                      message: "locked after \(settings.lockoutAfter) wrong PINs: try again in \(seconds / 60)m\(seconds % 60)s")))
            return false
        case .locked(let seconds):
            audit("login-locked", "refused: locked for \(seconds)s more")
            c.send(.init(login: .init(result: "locked",
                                      message: "locked after \(settings.lockoutAfter) wrong PINs: try again in \(seconds / 60)m\(seconds % 60)s")))
            return false
        }
    }

    /// Runs one command line; false when the session ends (logout).
    func run(_ line: String, _ c: ControlConnection) -> Bool {
        let parsed = table.parse(line)
        if parsed != .empty { audit("command", line) }
        switch parsed {
        case .empty:
            c.send(.init(end: true, ok: true))
        case .unknown(let word, let suggestion):
            c.send(.init(out: "unknown command '\(word)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "") + " (help lists the commands)\n",
                         end: true, ok: false))
        case .usage(_, let message):
            c.send(.init(out: message.hasSuffix("\n") ? message : message + "\n", end: true, ok: false))
        case .request(.logout):
            // No "end": the client shows the message and leaves without a last prompt.
            c.send(.init(out: "logged out\n"))
            c.send(.init(bye: "logged out"))
            audit("logout", "")
            return false
        case .request(let request):
            let session = ShellSession(host: self, connection: c)
            let ok = session.execute(request)
            c.send(.init(end: true, ok: ok))
        }
        return true
    }
}
