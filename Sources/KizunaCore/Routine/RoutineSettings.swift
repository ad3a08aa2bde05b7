/// How the learned routine judges a silence (issue 8). Defaults chosen on CASAS AL with the
/// Python prototype described in EVALUATION.md.
public struct RoutineSettings: Sendable, Equatable {
    /// Never alarm on a silence shorter than this, however unusual.
    public var floor: Span = .hours(1)
    /// Always alarm by this silence, however usual.
    public var ceiling: Span = .hours(12)
    /// Alarm when the learned probability that this silence goes on this long drops below this.
    public var threshold: Double = 0.003
    /// Width of a slot of the week, minutes (must divide 1440).
    public var slotMinutes: Int = 30
    /// Weight of each new day's observation of a slot-of-the-day (exponential decay: 0.15
    /// follows a changed routine in about a week).
    public var dailyDecay: Double = 0.15
    /// The same for the slot of the week (seen once a week, so faster).
    public var weeklyDecay: Double = 0.3
    /// How much the weekday-specific estimate counts against the every-day one (0 ... 1).
    public var weekWeight: Double = 0.0
    /// A silence counts as "already long" at a slot's start after this: the model learns
    /// how often such a silence goes on through each slot.
    public var conditioning: Span = .minutes(20)
    /// A gap longer than this is not learned from (an absence, an outage).
    public var unknownGap: Span = .hours(12)
    /// History needed before the routine replaces the fixed limits.
    public var minHistoryDays: Int = 7
    /// "Not up by the usual time": the morning window in which the first sign of life
    /// counts as getting up, and how late past the usual time the alarm goes.
    public var wakeWindowStart = TimeOfDay(hour: 6)
    public var wakeWindowEnd = TimeOfDay(hour: 12)
    public var notUpMargin: Span = .hours(2)
    public init() {}
}
