import Foundation

/// Counts wrong PINs for the whole device, not per connection: a new `kizuna shell` (or a
/// replugged adapter) does not get five fresh tries, and with a state file neither does a
/// restart or a power cut. After `limit` wrong PINs in a row the console is locked for
/// `lockout`; a right PIN during the lock is refused too, so guessing gains nothing. Time is
/// wall-clock seconds, passed in (tests drive it); a lock never lasts longer than `lockout`
/// from now, whatever the clock did meanwhile.
public final class LoginGuard: @unchecked Sendable {
    public enum Verdict: Equatable, Sendable {
        case accepted
        case wrong(triesLeft: Int)
        /// The wrong PIN that used the last try: locked from now for `seconds`.
        case wrongAndLocked(seconds: Int)
        /// Locked: seconds until the next try is allowed.
        case locked(seconds: Int)
    }

    let lock = NSLock()
    let limit: Int
    let lockout: Double
    var failures = 0
    var lockedUntil: Double?
    /// Where the count survives restarts (`failures lockedUntil`), if anywhere.
    let stateFile: String?

    public init(limit: Int, lockoutSeconds: Double, stateFile: String? = nil) {
        self.limit = limit
        self.lockout = lockoutSeconds
        self.stateFile = stateFile
        if let stateFile, let text = try? String(contentsOfFile: stateFile, encoding: .utf8) {
            // Written as `Int Double`; anything else (a torn write) is ignored, never a trap.
            let parts = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if parts.count == 2, let f = Int(parts[0]), let until = Double(parts[1]), until.isFinite {
                failures = max(0, min(limit, f))
                lockedUntil = until > 0 ? until : nil
            }
        }
    }

    func persist() {
        guard let stateFile else { return }
        let text = "\(failures) \(lockedUntil ?? 0)\n"
        let temporary = stateFile + ".tmp"
        if FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) {
            _ = rename(temporary, stateFile)
        }
    }

    /// Judges one attempt at time `now` (seconds on a monotonic clock); `correct` is computed
    /// by the caller only when not locked (so a locked console costs no hashing).
    public func attempt(at now: Double, correct: () -> Bool) -> Verdict {
        lock.lock()
        defer { lock.unlock() }
        if let until = lockedUntil {
            if now < until {
                lockedUntil = min(until, now + lockout)  // a clock set back does not lengthen it
                return .locked(seconds: Int((lockedUntil! - now).rounded(.up)))
            }
            lockedUntil = nil
            failures = 0
            persist()
        }
        if correct() {
            if failures > 0 {
                failures = 0
                persist()
            }
            return .accepted
        }
        failures += 1
        defer { persist() }
        if failures >= limit {
            lockedUntil = now + lockout
            return .wrongAndLocked(seconds: Int(lockout.rounded(.up)))
        }
        return .wrong(triesLeft: limit - failures)
    }

    /// Monotonic seconds now (for timeouts).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Wall-clock seconds now (for the lock, which must outlive a restart).
    public static func wallNow() -> Double { Date().timeIntervalSince1970 }
}
