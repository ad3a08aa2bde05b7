/// Evidence, besides the silence itself, that something is wrong: a sustained VOC rise (a
/// pot burning on a stove, what a body gives off) while nobody moves. While it lasts the
/// inactivity limit in force — whatever `SilencePolicy` set it — is shortened, and the
/// inactivity alarm says why.
///
/// It sits in `InactivityRule` rather than in a `SilencePolicy` wrapper so that a learned
/// routine plugged in later is aggravated the same way, and because it changes while a
/// silence runs (a policy is a fixed answer for a silence's start).
public struct SilenceAggravation: Sendable, Equatable {
    /// The VOC sensor that saw the rise.
    public var sensor: SensorID
    /// The rise over its baseline, in percent, as of the last reading.
    public var risePercent: Int
    /// When the rise was confirmed (held for `vocRiseFor`).
    public var since: Timestamp
    /// The limit is multiplied by this…
    public var factor: Double
    /// …but never shortened below this.
    public var minimum: Span

    public init(sensor: SensorID, risePercent: Int, since: Timestamp, factor: Double, minimum: Span) {
        self.sensor = sensor
        self.risePercent = risePercent
        self.since = since
        self.factor = factor
        self.minimum = minimum
    }

    /// The shortened limit: `limit × factor` (factor taken in 0…1), at least `minimum`,
    /// never more than `limit`.
    public func shortened(_ limit: Span) -> Span {
        let scaled = Span(nanoseconds: Int64((Double(limit.nanoseconds) * max(0, min(1, factor))).rounded()))
        return min(limit, max(scaled, minimum))
    }

    /// Whether `other` is the same rise (so that a silence's deadline stays as computed).
    func isSameRise(as other: SilenceAggravation?) -> Bool {
        guard let other else { return false }
        return sensor == other.sensor && since == other.since && factor == other.factor && minimum == other.minimum
    }
}
