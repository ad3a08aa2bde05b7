/// When to try again after consecutive failures: doubling from `first` up to `maximum`,
/// each wait shortened by a random part of up to `jitter` so that many devices cut off by
/// the same outage do not all come back in the same second. A wait is never longer than
/// `maximum`, so once the receiver is back every pending step goes out within one
/// `maximum` (10 min by default).
public struct Backoff: Sendable, Equatable {
    public var first: Double
    public var maximum: Double
    public var jitter: Double

    public init(first: Double = 1, maximum: Double = 600, jitter: Double = 0.2) {
        self.first = first
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait before the next attempt after `failures` (≥ 1) consecutive failures, for
    /// `random` in 0..<1.
    public func delay(afterFailures failures: Int, random: Double) -> Double {
        let exponent = Double(min(max(failures, 1) - 1, 60))
        let base = min(maximum, first * pow2(exponent))
        return base * (1 - jitter * random)
    }

    func pow2(_ e: Double) -> Double {
        var r = 1.0
        var i = 0.0
        while i < e && r < 1e12 { r *= 2; i += 1 }
        return r
    }
}
