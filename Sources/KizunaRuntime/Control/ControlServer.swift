import Foundation

/// The runtime's control socket: `kizuna shell` connects here, on the same machine, with no
/// network needed. The socket is mode 0660 in the runtime directory (`/run/kizuna`, the
/// runtime's group): only the runtime's user and group reach it, and the PIN is still asked.
/// Each connection gets a thread; a handful at most (a console or two).
public final class ControlServer: @unchecked Sendable {
    public let path: String
    let listener: Int32
    let lock = NSLock()
    var stopping = false
    var open: [ControlConnection] = []
    let maxConnections = 4
    let serve: @Sendable (ControlConnection) -> Void
    var acceptThread: Thread?
    let acceptEnded = DispatchSemaphore(value: 0)

    /// Binds and listens (a stale socket file from a crash is replaced).
    public init(path: String, serve: @escaping @Sendable (ControlConnection) -> Void) throws(ControlError) {
        self.path = path
        self.serve = serve
        let directory = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o750])
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFSOCK else { throw ControlError("\(path) exists and is not a socket; not replacing it") }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlError("cannot make a socket: \(String(cString: strerror(errno)))") }
        var address = try UnixAddress(path)
        // Created 0660 from the start (no window in which others could connect).
        let old = umask(0o117)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        umask(old)
        guard bound == 0, listen(fd, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ControlError("cannot listen on \(path): \(reason)")
        }
        chmod(path, 0o660)
        listener = fd
    }

    public func start() {
        let t = Thread { [self] in acceptLoop() }
        t.name = "kizuna-control"
        acceptThread = t
        t.start()
    }

    func acceptLoop() {
        defer { acceptEnded.signal() }
        while true {
            lock.lock()
            let stop = stopping
            lock.unlock()
            if stop { return }
            var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 200) > 0 else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let connection = ControlConnection(descriptor: fd)
            lock.lock()
            let full = open.count >= maxConnections
            if !full { open.append(connection) }
            lock.unlock()
            if full {
                connection.send(.init(bye: "too many shells are connected (\(maxConnections)); try again later"))
                continue
            }
            let serve = self.serve
            let t = Thread { [self] in
                serve(connection)
                lock.lock()
                open.removeAll { $0 === connection }
                lock.unlock()
            }
            t.name = "kizuna-shell-session"
            t.start()
        }
    }

    /// Stops accepting, tells connected shells, removes the socket.
    public func stop() {
        lock.lock()
        stopping = true
        let connections = open
        lock.unlock()
        for c in connections {
            c.send(.init(bye: "the runtime is stopping"))
            c.shutdown()
        }
        // The accept thread notices within its 200 ms poll; only then is the descriptor closed
        // (closing it under a poll could hand the number to another file meanwhile).
        if acceptThread != nil { acceptEnded.wait() }
        close(listener)
        unlink(path)
    }
}
