import CKizunaSystem
import Foundation

/// Turns SIGINT and SIGTERM into a readable descriptor (signalfd), so that the loop notices
/// them in its own `poll()` and stops cleanly: outputs off, then exit.
public final class SignalWatcher {
    public let descriptor: Int32

    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        descriptor = kz_signalfd_open(signals, Int32(signals.count))
    }

    /// Blocks SIGINT and SIGTERM before any other thread exists (call first thing in main).
    public static func blockInThisProcess() { _ = kz_block_stop_signals() }

    deinit { if descriptor >= 0 { close(descriptor) } }
}
