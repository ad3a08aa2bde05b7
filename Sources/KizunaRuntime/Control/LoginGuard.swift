import Foundation

/// Counts wrong PINs for the whole device, not per connection: a new `kizuna shell` (or a
/// replugged adapter) does not get five fresh tries. After `limit` wrong PINs in a row the
/// console is locked for `lockout`; a right PIN during the lock is refused too, so guessing
/// gains nothing. Time is the monotonic clock, passed in (tests drive it).
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

    public init(limit: Int, lockoutSeconds: Double) {
        self.limit = limit
        self.lockout = lockoutSeconds
    }

    /// Judges one attempt at time `now` (seconds on a monotonic clock); `correct` is computed
    /// by the caller only when not locked (so a locked console costs no hashing).
    public func attempt(at now: Double, correct: () -> Bool) -> Verdict {
        lock.lock()
        defer { lock.unlock() }
        if let until = lockedUntil {
            if now < until { return .locked(seconds: Int((until - now).rounded(.up))) }
            lockedUntil = nil
            failures = 0
        }
        if correct() {
            failures = 0
            return .accepted
        }
        failures += 1
        if failures >= limit {
            lockedUntil = now + lockout
            return .wrongAndLocked(seconds: Int(lockout.rounded(.up)))
        }
        return .wrong(triesLeft: limit - failures)
    }

    /// Monotonic seconds now.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
