/// What the routine knows, in the few numbers the technician and the authority need to trust
/// it: whether it judges yet, and the limits in force now. Nothing about when the resident
/// sleeps or goes out: the limits are what explain an alarm, and all the purpose needs.
public struct RoutineSummary: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// `routine: off`: the fixed limits.
        case off
        /// Not enough history yet: the fixed limits meanwhile.
        case learning
        /// The routine judges.
        case ready
    }
    public var phase: Phase
    /// Days since the first sign of life the routine learned from.
    public var daysLearned: Double
    /// Days of history it needs before it judges.
    public var daysNeeded: Int
    /// A silence beginning now alarms after this (the fixed limits unless ready); out of bed
    /// when silences in bed are told apart (`rest_rooms`).
    public var silenceLimit: Span
    /// A silence beginning now in bed alarms after this (nil: not told apart, or not ready).
    public var inBedLimit: Span?
    /// Outings remembered, and how many "not back" needs (nil: `not_back: off` or no routine).
    public var outings: Int?
    public var outingsNeeded: Int?
    /// An outing beginning now raises `inactivity.not-back` after this (the fallback until
    /// enough outings are remembered; nil: off, or no fallback).
    public var notBackLimit: Span?

    public init(phase: Phase, daysLearned: Double, daysNeeded: Int, silenceLimit: Span, outings: Int? = nil, outingsNeeded: Int? = nil,
                notBackLimit: Span? = nil) {
        self.phase = phase
        self.daysLearned = daysLearned
        self.daysNeeded = daysNeeded
        self.silenceLimit = silenceLimit
        self.outings = outings
        self.outingsNeeded = outingsNeeded
        self.notBackLimit = notBackLimit
    }

    /// One line for the shell's `status`.
    public func describe() -> String {
        let days = (daysLearned * 10).rounded(.down) / 10
        var text: String
        switch phase {
        case .off: text = "routine: off (fixed limits)"
        case .learning: text = "routine: learning, \(days) of \(daysNeeded) days (fixed limits meanwhile)"
        case .ready: text = "routine: learned from \(days) days"
        }
        text += "; a silence from now alarms after \(silenceLimit)"
        if let b = inBedLimit { text += " (\(b) if it begins in bed)" }
        if let n = outings, let needed = outingsNeeded {
            if let l = notBackLimit, n >= needed, phase == .ready {
                text += "; \(n) outings remembered, one from now is \"not back\" after \(l)"
            } else if let l = notBackLimit {
                text += "; \(n) of \(needed) outings remembered (\"not back\" after \(l) meanwhile)"
            } else {
                text += "; \(n) of \(needed) outings remembered (no \"not back\" yet)"
            }
        }
        return text
    }
}

extension WatchEngine {
    /// What the inactivity policy in force knows at `now` (`RoutineSummary`).
    public func routineSummary(at now: WallTime) -> RoutineSummary {
        let policy = inactivity.policy
        let limit = policy.alarmTime(silenceSince: now).limit
        guard let routine = policy as? RoutineSilencePolicy else {
            return RoutineSummary(phase: .off, daysLearned: 0, daysNeeded: 0, silenceLimit: limit)
        }
        let model = routine.model
        let first = model.firstSeconds
        // Days passed, but no more than days learned (`isReady` asks both).
        let days = first == 0 ? 0 : min(max(0, Double(now.nanosecondsSinceEpoch / 1_000_000_000 - first) / 86_400), Double(model.remembered))
        var summary = RoutineSummary(phase: model.isReady(at: now) ? .ready : .learning, daysLearned: days,
                                     daysNeeded: model.settings.minHistoryDays, silenceLimit: limit)
        if model.places > 1, model.isReady(at: now) {
            summary.silenceLimit = model.improbableSilence(since: now, place: 0) - now
            summary.inBedLimit = model.improbableSilence(since: now, place: 1) - now
        }
        if let absences = model.absences {
            summary.outings = absences.remembered(at: now).count
            summary.outingsNeeded = absences.settings.minAbsences
            summary.notBackLimit = routine.notBackTime(awaySince: now)?.limit
        }
        return summary
    }
}
