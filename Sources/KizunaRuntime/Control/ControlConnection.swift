import Foundation
import KizunaShell

/// One end of the control socket: JSON lines in, JSON lines out, with timeouts, for the
/// runtime's sessions and for `kizuna shell` alike.
public final class ControlConnection: @unchecked Sendable {
    public enum Received: Equatable {
        case message(ControlMessage)
        case timeout
        case closed
    }

    public let descriptor: Int32
    var buffer: [UInt8] = []
    var closed = false
    /// One message at a time on the wire (a session and the server's stop may both send).
    let sending = NSLock()

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Connects to a runtime's socket.
    public static func connect(to path: String) throws(ControlError) -> ControlConnection {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ControlError("cannot make a socket: \(String(cString: strerror(errno)))") }
        var address = try UnixAddress(path)
        let r = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        guard r == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ControlError("cannot reach the runtime at \(path): \(reason) (is kizuna running, with a shell: section in its config?)")
        }
        return ControlConnection(descriptor: fd)
    }

    deinit { close(descriptor) }

    public func send(_ message: ControlMessage) {
        let bytes = message.encoded()
        sending.lock()
        defer { sending.unlock() }
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a shell that went away is an error here, not a SIGPIPE for the runtime.
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            closed = true
            return
        }
    }

    /// The next message, waiting at most `timeout` seconds (nil: forever). Lines that are
    /// not messages are skipped.
    public func receive(timeout: Double?) -> Received {
        let deadline = timeout.map { LoginGuard.now() + $0 }
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                defer { buffer.removeSubrange(...newline) }
                if let m = ControlMessage.decode(line) { return .message(m) }
                continue
            }
            if closed { return .closed }
            var wait: Int32 = -1
            if let deadline {
                // Timeout 0 still looks once at what has arrived.
                let left = max(0, deadline - LoginGuard.now())
                wait = Int32(min(left * 1000, 3_600_000).rounded(.up))
            }
            var p = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, wait)
            if r < 0 {
                if errno == EINTR { continue }
                closed = true
                continue
            }
            if r == 0 { return .timeout }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n <= 0 {
                if n < 0, errno == EINTR { continue }
                closed = true
                continue
            }
            buffer.append(contentsOf: chunk[..<n])
            if buffer.count > 1 << 20 { closed = true }  // a line this long is not a message
        }
    }

    /// Whether a message is waiting (without blocking).
    public var hasInput: Bool {
        if buffer.contains(0x0A) { return true }
        var p = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }

    public func shutdown() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }
}

public struct ControlError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A `sockaddr_un` for a path.
struct UnixAddress {
    var storage = sockaddr_un()

    init(_ path: String) throws(ControlError) {
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        guard bytes.count < capacity else { throw ControlError("socket path too long (\(bytes.count) bytes, at most \(capacity - 1)): \(path)") }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
    }

    mutating func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
