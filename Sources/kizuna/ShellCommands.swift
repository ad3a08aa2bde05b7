import ArgumentParser
import Foundation
import KizunaRuntime
import KizunaShell

struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "The technician's shell: calibration, walk test, live configuration, over a serial line or this terminal.",
        discussion: """
            Talks to the running runtime through its control socket (shell.socket in the config, \
            default /run/kizuna/control.sock): it works without the network. The PIN is the one \
            whose hash is shell.pin_hash (see `kizuna pin-hash`). With --tty it serves a serial \
            port like a getty: after logout the PIN prompt comes back. TERM=dumb (or --dumb) \
            gives plain output with no escape sequences.
            """
    )

    @Option(help: "A serial port to serve (raw, 8N1), e.g. /dev/ttyAMA0; default: this terminal.")
    var tty: String?

    @Option(help: "The serial port's speed.")
    var baud = 115200

    @Option(help: "The control socket (default: shell.socket from the config).")
    var socket: String?

    @Flag(help: "Plain output: no escape sequences (also when TERM=dumb).")
    var dumb = false

    @OptionGroup var installation: InstallationOptions

    func run() throws {
        let path: String
        if let socket {
            path = socket
        } else {
            // The shell needs only the socket's path: the runtime enforces the timers, so a
            // test config with short ones (the runtime's --short-timers) is read as it is.
            let installation = try loadInstallation(self.installation.config, boards: self.installation.boards, shortTimers: true)
            guard let shell = installation.shell else {
                throw ValidationError("\(installation.configFile) has no shell: section; the runtime serves no control socket")
            }
            path = shell.socket
        }
        let terminal: Terminal
        if let tty {
            do {
                terminal = try Terminal(device: tty, baud: baud)
            } catch {
                StandardOutput.error("kizuna shell: \(error)\n")
                throw ExitCode(69)
            }
        } else {
            terminal = Terminal()
        }
        terminal.restoreOnSignals()
        let plain = dumb || (tty == nil && ProcessInfo.processInfo.environment["TERM"] == "dumb")
        let client = ShellClient(socketPath: path, terminal: terminal, getty: tty != nil, dumb: plain)
        let status = client.run()
        terminal.restore()
        if status != 0 { throw ExitCode(status) }
    }
}

struct PINHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin-hash",
        abstract: "Make the technician PIN's salted hash for shell.pin_hash in the config.",
        discussion: "Reads the PIN (4 to 12 digits) from standard input, asking twice without echo on a terminal. Prints pbkdf2-sha256$ROUNDS$SALT$HASH; the PIN itself is stored nowhere."
    )

    func run() throws {
        let pin: String
        if isatty(STDIN_FILENO) == 1 {
            let first = Self.askHidden("PIN: ")
            let second = Self.askHidden("again: ")
            guard first == second else {
                StandardOutput.error("kizuna pin-hash: the two PINs differ\n")
                throw ExitCode(2)
            }
            pin = first
        } else {
            pin = (readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
        }
        guard PINHash.isWellFormed(pin) else {
            StandardOutput.error("kizuna pin-hash: a PIN is 4 to 12 digits\n")
            throw ExitCode(2)
        }
        print(PINHash(pin: pin).text)
    }

    static func askHidden(_ prompt: String) -> String {
        StandardOutput.error(prompt)
        var t = termios()
        tcgetattr(STDIN_FILENO, &t)
        var quiet = t
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        let line = readLine(strippingNewline: true) ?? ""
        tcsetattr(STDIN_FILENO, TCSANOW, &t)
        StandardOutput.error("\n")
        return line.trimmingCharacters(in: .whitespaces)
    }
}
