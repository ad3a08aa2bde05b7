/// What the engine decided; the loop applies these (print, log, buzzer, deliver).
public enum Decision: Sendable, Equatable {
    case occupancy(OccupancyTransition)
    case alarm(AlarmStep)
    case buzzer(BuzzerPattern, at: Timestamp)
}
