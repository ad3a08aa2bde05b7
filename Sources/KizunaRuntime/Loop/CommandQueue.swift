import CKizunaSystem
import Foundation
import KizunaCore

/// Commands from outside the loop (the API's acknowledgements, later the shell), run by
/// the loop itself: the one owner of the engine. An eventfd in the loop's `poll()` wakes it.
public final class CommandQueue: @unchecked Sendable {
    public typealias Command = (inout WatchEngine, Timestamp, inout [Decision]) -> Void
    /// A command about the loop itself (walk test, buzzer test, the sources' levels).
    public typealias LoopCommand = (RuntimeLoop, Timestamp) -> Void
    /// One queued command, run in the order submitted.
    enum Queued {
        case engine(Command)
        case loop(LoopCommand)
        /// A change the authority or the technician asked for (acknowledge, declare, test):
        /// its decisions must be recorded and sent, which only the running loop does. Once
        /// the loop has stopped it is not run: `refuse` answers "stopping" instead.
        case change(Command, refuse: () -> Void)
    }
    let lock = NSLock()
    var pending: [Queued] = []
    public let descriptor: Int32
    /// Once the loop has stopped, commands run at once on the caller's thread, one at a
    /// time, against the stopped loop: a shell session waiting for an answer at shutdown
    /// gets one instead of waiting forever.
    var stoppedLoop: RuntimeLoop?
    let afterStop = NSLock()

    public init() {
        descriptor = kz_eventfd_open()
    }

    deinit { close(descriptor) }

    /// Queues a command and wakes the loop.
    public func submit(_ command: @escaping Command) { enqueue(.engine(command)) }

    /// Queues a command about the loop and wakes it.
    public func submit(loop command: @escaping LoopCommand) { enqueue(.loop(command)) }

    func enqueue(_ q: Queued) {
        lock.lock()
        if let loop = stoppedLoop {
            lock.unlock()
            afterStop.lock()
            loop.runNow(q)
            afterStop.unlock()
            return
        }
        pending.append(q)
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

    /// Runs a change in the loop and waits for its answer; nil when the loop has stopped
    /// (the device is shutting down): not done, and the caller must say so — done against
    /// the stopped engine, an acknowledgement would be answered and never recorded nor sent.
    public func change<T: Sendable>(_ body: @escaping (inout WatchEngine, Timestamp, inout [Decision]) -> T) async -> T? {
        await withCheckedContinuation { continuation in
            enqueue(.change({ engine, now, decisions in continuation.resume(returning: body(&engine, now, &decisions)) },
                            refuse: { continuation.resume(returning: nil) }))
        }
    }

    /// `change`, blocking this (non-loop) thread until it has run or been refused (session threads).
    public func onEngineChange<T>(_ body: @escaping (inout WatchEngine, Timestamp, inout [Decision]) -> T) -> T? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        enqueue(.change({ engine, now, out in box.value = body(&engine, now, &out); done.signal() }, refuse: { done.signal() }))
        done.wait()
        return box.value
    }

    /// Runs a command in the loop and blocks this (non-loop) thread until it has run: for the
    /// shell's session threads. Never call it from the loop's own thread.
    public func onLoop<T>(_ body: @escaping (RuntimeLoop, Timestamp) -> T) -> T {
        waitFor { box, done in .loop { loop, now in box.value = body(loop, now); done.signal() } }
    }

    /// Runs an engine command in the loop and blocks until it has run (session threads).
    public func onEngine<T>(_ body: @escaping (inout WatchEngine, Timestamp, inout [Decision]) -> T) -> T {
        waitFor { box, done in .engine { engine, now, out in box.value = body(&engine, now, &out); done.signal() } }
    }

    func waitFor<T>(_ make: (ResultBox<T>, DispatchSemaphore) -> Queued) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        enqueue(make(box, done))
        done.wait()
        return box.value!
    }

    /// Takes the queued commands (in the loop).
    func take() -> [Queued] {
        var counter: UInt64 = 0
        _ = read(descriptor, &counter, 8)
        lock.lock()
        defer { lock.unlock() }
        let taken = pending
        pending.removeAll()
        return taken
    }
}

extension CommandQueue {
    /// The loop has stopped: runs what is queued, and every later command at once.
    func loopStopped(_ loop: RuntimeLoop) {
        lock.lock()
        stoppedLoop = loop
        let queued = pending
        pending.removeAll()
        lock.unlock()
        afterStop.lock()
        for q in queued { loop.runNow(q) }
        afterStop.unlock()
    }

    /// Forgets the stopped loop (it and this queue refer to each other meanwhile).
    func release() {
        lock.lock()
        stoppedLoop = nil
        lock.unlock()
    }
}

/// A result handed from the loop's thread to a waiting one (the semaphore orders the accesses).
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
