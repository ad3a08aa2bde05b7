/// The silence policy of the learned routine: alarms when a silence is improbable for this
/// resident at this hour (`RoutineModel.improbableSilence`), and when the resident is not up
/// by the usual time, and when she is not back from an outing later than her outings allow
/// (`AbsenceMemory`). Until `minHistoryDays` of history exist it answers with the fixed
/// limits (and, on outings, the fixed not-back fallback).
public struct RoutineSilencePolicy: SilencePolicy {
    public var model: RoutineModel
    public var fallback: FixedSilenceLimits
    /// By sensor index: whether a silence that began with a sign from it began at rest.
    public var atRest: [Bool]

    public init(model: RoutineModel, fallback: FixedSilenceLimits, atRest: [Bool] = []) {
        self.model = model
        self.fallback = fallback
        self.atRest = model.places > 1 ? atRest : []
    }

    /// Which kind of silence one that began with a sign from `sensor` is (`RoutineModel.places`).
    /// A silence whose first sign is unknown (since the start, or since the hub came back
    /// after an outage) is judged by all silences, as one in bed is.
    @inline(__always) func place(_ sensor: SensorID) -> Int {
        guard model.places > 1 else { return 0 }
        if sensor == .none { return 1 }
        let i = Int(sensor.index)
        return i < atRest.count && atRest[i] ? 1 : 0
    }

    public var floor: Span { min(model.settings.floor, fallback.floor) }

    public func alarmTime(silenceSince since: WallTime, from sensor: SensorID) -> (at: WallTime, limit: Span, atNight: Bool) {
        guard model.isReady(at: since) else { return fallback.alarmTime(silenceSince: since, from: sensor) }
        let at = model.improbableSilence(since: since, place: place(sensor))
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

    public mutating func learn(signOfLifeAt t: WallTime, previous: WallTime, from sensor: SensorID) -> WallTime {
        model.learn(signOfLifeAt: t, previous: previous, place: place(sensor))
        return model.slotEnd(t)
    }

    public mutating func clockSetBack(to now: WallTime) { model.clockSetBack(to: now) }

    public mutating func forgetLearned(from: WallTime, through: WallTime) { model.forgetDays(from: from, through: through) }

    public var routineState: RoutineState? { model.state }
    public mutating func restoreRoutine(_ s: RoutineState) -> Bool { model.restore(s) }
}
