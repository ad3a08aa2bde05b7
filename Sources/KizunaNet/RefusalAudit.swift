import Foundation

/// What the audit trail keeps of requests refused for want of a valid token: one row a
/// minute at most, saying how many went unrecorded since, and never more than
/// `detailLimit` characters of their query. Anyone who can reach the port can send
/// them, and a row for each would let a stranger fill the SD card (then the store fails
/// and the resident's events are no longer kept); the staff still see that someone tried.
final class RefusalAudit: @unchecked Sendable {   // its state under `lock`
    static let every: Double = 60
    static let detailLimit = 200

    private let lock = NSLock()
    private var lastRecorded: Double = -.infinity
    private var unrecorded = 0

    /// The detail to record for a refusal now (`uptime` on the monotonic clock), or nil
    /// when one was recorded less than a minute ago (this one is counted instead).
    func detail(for detail: String, uptime: Double) -> String? {
        lock.withLock {
            guard uptime - lastRecorded >= Self.every else {
                unrecorded += 1
                return nil
            }
            let before = unrecorded
            lastRecorded = uptime
            unrecorded = 0
            let text = Self.clipped(detail)
            return before == 0 ? text : "\(text) (\(before) more refused since the last one recorded)"
        }
    }

    /// The refusals counted but not yet recorded, if a minute has passed since the last row
    /// (or `force`, at shutdown); they are then taken as recorded. Without it, a burst that
    /// stopped would leave its count in memory until the next refusal, and a restart lose it.
    func unrecordedSummary(uptime: Double, force: Bool = false) -> String? {
        lock.withLock {
            guard unrecorded > 0, force || uptime - lastRecorded >= Self.every else { return nil }
            let text = "401 \(unrecorded) more refused since the last one recorded"
            lastRecorded = uptime
            unrecorded = 0
            return text
        }
    }

    /// At most `detailLimit` characters, marked when cut.
    static func clipped(_ text: String) -> String {
        text.count <= detailLimit ? text : String(text.prefix(detailLimit)) + "…"
    }

    static func uptime() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
