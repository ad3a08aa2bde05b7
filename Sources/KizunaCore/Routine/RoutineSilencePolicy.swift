/// The silence policy of the learned routine: alarms when a silence is improbable for this
/// resident at this hour (`RoutineModel.improbableSilence`), and when the resident is not up
/// by the usual time, and when she is not back from an outing later than her outings allow
/// (`AbsenceMemory`). Until `minHistoryDays` of history exist it answers with the fixed
/// limits (and, on outings, the fixed not-back fallback).
public struct RoutineSilencePolicy: SilencePolicy {
    public var model: RoutineModel
    public var fallback: FixedSilenceLimits

    public init(model: RoutineModel, fallback: FixedSilenceLimits) {
        self.model = model
        self.fallback = fallback
    }

    public var floor: Span { min(model.settings.floor, fallback.floor) }

    public func alarmTime(silenceSince since: WallTime) -> (at: WallTime, limit: Span, atNight: Bool) {
        guard model.isReady(at: since) else { return fallback.alarmTime(silenceSince: since) }
        let at = model.improbableSilence(since: since)
        return (at, at - since, fallback.night.contains(at))
    }

    public func notUpTime(silenceSince since: WallTime) -> WallTime? {
        model.isReady(at: since) ? model.notUpTime(silenceSince: since) : nil
    }

    public func notBackTime(awaySince since: WallTime) -> (at: WallTime, limit: Span)? {
        guard let n = model.notBackTime(awaySince: since) else { return nil }
        return n.at < since + floor ? (since + floor, floor) : n
    }

    public mutating func learnAbsence(from start: WallTime, to end: WallTime) {
        model.learnAbsence(from: start, to: end)
    }

    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime) -> WallTime {
        model.learn(signOfLifeAt: t, previous: previous)
        return model.slotEnd(t)
    }

    public var routineState: RoutineState? { model.state }
    public mutating func restoreRoutine(_ s: RoutineState) -> Bool { model.restore(s) }
}
