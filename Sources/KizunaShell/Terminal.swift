import Foundation

/// The technician's terminal: a serial port opened raw at 8N1 (no modem control, no flow
/// control: a three-wire USB adapter), or the current terminal in raw mode. Restores the
/// previous settings when done.
public final class Terminal {
    public let descriptor: Int32
    let owned: Bool
    var saved: termios?
    public let name: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    static let speeds: [Int: speed_t] = [
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600),
        115200: speed_t(B115200), 230400: speed_t(B230400), 460800: speed_t(B460800), 921600: speed_t(B921600),
    ]

    public static var supportedBauds: [Int] { speeds.keys.sorted() }

    /// Opens a serial port raw, 8N1, at `baud`.
    public init(device: String, baud: Int) throws(Failure) {
        guard let speed = Self.speeds[baud] else {
            throw Failure(description: "--baud \(baud): expected one of \(Self.supportedBauds.map(String.init).joined(separator: ", "))")
        }
        let fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(description: "cannot open \(device): \(String(cString: strerror(errno)))") }
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "\(device) is not a terminal: \(reason)")
        }
        saved = t
        cfmakeraw(&t)
        t.c_cflag &= ~(tcflag_t(CSIZE) | tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CRTSCTS))
        t.c_cflag |= tcflag_t(CS8) | tcflag_t(CLOCAL) | tcflag_t(CREAD)
        t.c_iflag &= ~(tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(IXANY))
        cfsetispeed(&t, speed)
        cfsetospeed(&t, speed)
        Self.setMinimum(&t)
        guard tcsetattr(fd, TCSANOW, &t) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "cannot set \(device) to \(baud) 8N1: \(reason)")
        }
        tcflush(fd, TCIFLUSH)
        descriptor = fd
        owned = true
        name = device
    }

    /// The current terminal (standard input and output), raw while the shell runs.
    public init() {
        descriptor = STDIN_FILENO
        owned = false
        name = "console"
        var t = termios()
        if isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &t) == 0 {
            saved = t
            cfmakeraw(&t)
            Self.setMinimum(&t)
            tcsetattr(STDIN_FILENO, TCSANOW, &t)
        }
    }

    static func setMinimum(_ t: inout termios) {
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
    }

    deinit { restore() }

    /// A `kill` (SIGTERM, SIGHUP, SIGINT) puts the terminal back before the process ends:
    /// the technician's laptop terminal is not left in raw mode.
    public func restoreOnSignals() {
        guard let t = saved else { return }
        TerminalSignals.saved = (descriptor, t)
        for s in [SIGTERM, SIGHUP, SIGINT] {
            signal(s) { number in
                if let saved = TerminalSignals.saved {
                    var t = saved.1
                    tcsetattr(saved.0, TCSANOW, &t)
                }
                _exit(128 + number)
            }
        }
    }

    /// Puts the terminal back as it was (and closes a port this opened).
    public func restore() {
        if var t = saved {
            tcsetattr(descriptor, TCSADRAIN, &t)
            saved = nil
        }
        if owned { close(descriptor) }
    }

    var outputDescriptor: Int32 { owned ? descriptor : STDOUT_FILENO }

    public func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.write(outputDescriptor, $0.baseAddress, $0.count) }
            if n > 0 { sent += n } else if n < 0, errno == EINTR { continue } else { return }
        }
    }

    /// Text with "\n" as the terminal wants it in raw mode ("\r\n").
    public func write(text: String) {
        var out: [UInt8] = []
        var previous: UInt8 = 0
        for b in text.utf8 {
            if b == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(b)
            previous = b
        }
        write(out)
    }

    /// Bytes typed; empty when none came in time; nil at end of input (hang-up, closed).
    public func read() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[..<n]) }
            if n < 0, errno == EINTR || errno == EAGAIN { return [] }
            return nil
        }
    }
}

/// What a signal handler restores (set once, before the handlers are installed).
enum TerminalSignals {
    nonisolated(unsafe) static var saved: (Int32, termios)?
}
