#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KizunaCore

/// How a driver waits out a command's execution time between writing the command and
/// reading its answer.
///
/// A Sensirion chip does not acknowledge a read header that comes before its command has
/// executed, so on real hardware this wait cannot be skipped. Only short waits are taken
/// this way: 1 ms between a command and its answer (the SCD4x's data-ready and
/// read-measurement, serial numbers in `prepare()`), and the 400 ms of a technician's
/// forced recalibration. Everything longer that happens on the steady path — a conversion,
/// the SCD4x's 500 ms after stopping — is returned from `trigger()` and served by the
/// loop's timers, so the loop never sleeps on a sensor for long.
///
/// Simulated device models answer at once: their tests use `.noWait`, or a recorder built
/// with `init(_:)` to check what the driver waited.
public struct CommandPause {
    let body: (Span) -> Void

    public init(_ body: @escaping (Span) -> Void) { self.body = body }

    public func callAsFunction(_ span: Span) { body(span) }

    /// Blocks the calling thread for the span (nanosleep, resumed after signals).
    public static var sleep: CommandPause {
        CommandPause { span in
            guard span.nanoseconds > 0 else { return }
            var request = timespec()
            request.tv_sec = .init(span.nanoseconds / 1_000_000_000)
            request.tv_nsec = .init(span.nanoseconds % 1_000_000_000)
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0, errno == EINTR { request = remaining }
        }
    }

    /// Does not wait: for simulated buses.
    public static var noWait: CommandPause { CommandPause { _ in } }
}
