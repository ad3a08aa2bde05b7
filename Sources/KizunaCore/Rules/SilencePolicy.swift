/// Decides when a silence becomes alarming. The seam where the learned routine plugs in:
/// today `FixedSilenceLimits` (a day and a night limit); a routine model answers the same
/// question from the resident's own history.
public protocol SilencePolicy: Sendable {
    /// The shortest silence this policy will ever alarm on. The engine uses it as a cheap
    /// lower bound on the hot path and asks `alarmTime` only when a timer is due.
    var floor: Span { get }
    /// When a silence that began at `since` becomes alarming, the limit that applies then,
    /// and whether that moment is at night.
    func alarmTime(silenceSince since: WallTime) -> (at: WallTime, limit: Span, atNight: Bool)
}

/// The fixed thresholds of commercial systems, with separate day and night limits.
public struct FixedSilenceLimits: SilencePolicy {
    public var byDay: Span
    public var atNight: Span
    public var night: DailyWindow

    public init(byDay: Span, atNight: Span, night: DailyWindow) {
        self.byDay = byDay
        self.atNight = atNight
        self.night = night
    }

    public var floor: Span { min(byDay, atNight) }

    /// A silence is judged by the most lenient limit of the periods it ran through: one
    /// that began at night keeps the night limit into the morning.
    public func alarmTime(silenceSince since: WallTime) -> (at: WallTime, limit: Span, atNight: Bool) {
        let r = night.firstTimeExceeding(since: since, inside: atNight, outside: byDay, crossing: .mostLenient)
        return (r.at, r.limit, r.inWindow)
    }
}
