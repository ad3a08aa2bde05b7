/// How the learned routine judges a silence (issue 8). Defaults chosen on CASAS AL and
/// NEARS 0104 with `kizuna evaluate` (EVALUATION.md).
public struct RoutineSettings: Sendable, Equatable {
    /// Never alarm on a silence shorter than this, however unusual.
    public var floor: Span = .hours(1)
    /// Always alarm by this silence, however usual.
    public var ceiling: Span = .hours(12)
    /// How much longer than the longest silence of the remembered days, at this time of day,
    /// a silence must be to alarm: 0.25 is a quarter longer.
    public var margin: Double = 0.25
    /// And by this much more, whatever the length: a short silence by day needs an absolute
    /// allowance (a long phone call), a long one at night a relative one.
    public var extra: Span = .hours(1)
    /// How far either side of the time of day the remembered silences count: a resident who
    /// wakes an hour later than ever before is not an emergency.
    public var window: Span = .hours(1)
    /// How many days the model remembers (a changed routine is followed within as many
    /// days; a longer silence is taken over at once).
    public var memoryDays: Int = 28
    /// Width of a slot of the day, minutes (must divide 1440).
    public var slotMinutes: Int = 30
    /// A gap longer than this is not learned from (an absence, an outage).
    public var unknownGap: Span = .hours(12)
    /// History needed before the routine replaces the fixed limits.
    public var minHistoryDays: Int = 7
    /// "Not up by the usual time": the morning window in which the first sign of life
    /// counts as getting up, and how late past the usual time the alarm goes.
    public var wakeWindowStart = TimeOfDay(hour: 6)
    public var wakeWindowEnd = TimeOfDay(hour: 12)
    public var notUpMargin: Span = .hours(2)
    /// "Not back": how long an outing may last (`AbsenceMemory`); nil: no such alarm.
    public var notBack: AbsenceSettings? = AbsenceSettings()
    /// Rooms where the resident sleeps (the sensors' `ROOM`: `pir.bedroom`, a PIR over the
    /// bed `pir.bed`). A silence that began with a sign of life there may be as long as any
    /// she had at this hour; one that began anywhere else, at an hour when she is usually up
    /// and about (`upShare`), only as long as those that began elsewhere: a nap in bed says
    /// nothing about a silence after the kitchen. Empty: all silences alike.
    public var restRooms: [String] = ["bedroom", "bed"]
    /// On how large a share of the remembered days a silence that began out of bed must have
    /// been under way in some slot within `window` of this hour (the most days of any such
    /// slot) for those silences to be judged by their own kind; at other hours (she is
    /// usually in bed) all silences judge, unless the silence began at such an hour (it is
    /// then judged by its own kind all the way: she did not go to bed).
    public var upShare: Double = 0.67
    /// The allowance of a silence judged by its own kind, out of bed at an hour she is usually
    /// up and about (`margin` and `extra` judge all others): her days out of bed are regular
    /// enough that 40 minutes longer than she has ever been quiet there at this hour is
    /// already unusual, while her nights and naps vary more. Chosen on NEARS 0104's first
    /// half and checked on its second (EVALUATION.md).
    public var upMargin: Double = 0
    public var upExtra: Span = .minutes(40)
    public init() {}
}
