import Foundation
import KizunaCore

/// The loop's source of time and its way of waiting. Real and virtual time share the loop.
public protocol RuntimeClock: AnyObject {
    func now() -> Timestamp
    /// Waits until `deadline`, until one of `descriptors` is readable, or for at most
    /// `maxRealWait` seconds of real time, whichever comes first.
    func wait(until deadline: MonotonicInstant, descriptors: [Int32], maxRealWait: Double)
}

/// The device's clocks: `CLOCK_BOOTTIME` for durations (it keeps counting in suspend and
/// never jumps), `CLOCK_REALTIME` for stamps. Waits in `poll()`.
public final class SystemClock: RuntimeClock {
    public init() {}

    public func now() -> Timestamp {
        var mono = timespec()
        var wall = timespec()
        clock_gettime(CLOCK_BOOTTIME, &mono)
        clock_gettime(CLOCK_REALTIME, &wall)
        return Timestamp(monotonic: MonotonicInstant(nanoseconds: Int64(mono.tv_sec) * 1_000_000_000 + Int64(mono.tv_nsec)),
                         wall: WallTime(nanosecondsSinceEpoch: Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec)))
    }

    public func wait(until deadline: MonotonicInstant, descriptors: [Int32], maxRealWait: Double) {
        let remaining = deadline == .never ? Double.infinity : (deadline - now().monotonic).seconds
        let seconds = max(0, min(remaining, maxRealWait))
        // Round up so that the loop wakes at or after the deadline, not just before it.
        let ms = Int32(min((seconds * 1000).rounded(.up), Double(Int32.max)))
        var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN | POLLPRI), revents: 0) }
        _ = poll(&fds, nfds_t(fds.count), ms)
    }
}

/// Simulated time, for the demo and tests: it starts at a given moment and runs `speed`
/// times faster than real time, or (speed nil) jumps straight to each deadline.
public final class VirtualClock: RuntimeClock {
    var current: Timestamp
    public let speed: Double?

    public init(start: Timestamp, speed: Double?) {
        self.current = start
        self.speed = speed
    }

    public func now() -> Timestamp { current }

    public func wait(until deadline: MonotonicInstant, descriptors: [Int32], maxRealWait: Double) {
        guard deadline > current.monotonic else { return }
        guard let speed else {
            if deadline != .never { current = current.advanced(to: deadline) }
            return
        }
        let needed = deadline == .never ? maxRealWait : min((deadline - current.monotonic).seconds / speed, maxRealWait)
        let before = DispatchTime.now().uptimeNanoseconds
        if needed > 0 { usleep(UInt32(needed * 1_000_000)) }
        let sleptVirtual = Double(DispatchTime.now().uptimeNanoseconds - before) * speed
        let target = current.monotonic + Span(nanoseconds: Int64(min(sleptVirtual, 9.0e18)))
        current = current.advanced(to: min(target, deadline))
    }
}
