import CKizunaSystem
import Foundation
import KizunaCore

/// Commands from outside the loop (the API's acknowledgements, later the shell), run by
/// the loop itself: the one owner of the engine. An eventfd in the loop's `poll()` wakes it.
public final class CommandQueue: @unchecked Sendable {
    public typealias Command = (inout WatchEngine, Timestamp, inout [Decision]) -> Void
    let lock = NSLock()
    var pending: [Command] = []
    public let descriptor: Int32

    public init() {
        descriptor = kz_eventfd_open()
    }

    deinit { close(descriptor) }

    /// Queues a command and wakes the loop.
    public func submit(_ command: @escaping Command) {
        lock.lock()
        pending.append(command)
        lock.unlock()
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    /// Runs a command in the loop and waits for its answer.
    public func perform<T: Sendable>(_ body: @escaping (inout WatchEngine, Timestamp, inout [Decision]) -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { engine, now, decisions in continuation.resume(returning: body(&engine, now, &decisions)) }
        }
    }

    /// Takes the queued commands (in the loop).
    func take() -> [Command] {
        var counter: UInt64 = 0
        _ = read(descriptor, &counter, 8)
        lock.lock()
        defer { lock.unlock() }
        let taken = pending
        pending.removeAll()
        return taken
    }
}
