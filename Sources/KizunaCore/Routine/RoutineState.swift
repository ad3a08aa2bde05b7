/// The learned routine as a flat array of numbers, for the store: survives restarts so a
/// reboot does not throw away weeks of learning. Layout (version 5):
/// `[5, slotMinutes, memoryDays, firstSeconds, wakeMinutes, wakeDays, lastWakeDay, places,
/// utcOffsetSeconds, wake minute × 7 days of the week, mornings × 7, rowDay × memoryDays, longest × (places × memoryDays × slots of the day),
/// absenceDays, absence rowDay × absenceDays, longest × absenceDays, count × absenceDays]`
/// (days: -1 for none; absenceDays 0 when "not back" is off; places 1, or 2 when silences
/// that began in bed are told apart). The slots and days are the flat's local time: a state
/// learned at another UTC offset (the config's timezone corrected) is not taken, or her
/// nights would be judged by her days for weeks. Version 4 is version 5 without the offset
/// and the week (taken as learned at the offset in force, no morning by day of the week); version 3 is version 4 without `places` (one place);
/// a version-2 state (before "not back") is taken with no outings remembered; a version-1
/// state (the per-slot probabilities of the first model) is not taken. A state of one place
/// taken by a model of two fills the silences that began in bed: every silence is then
/// judged as before (by all, with `margin` and `extra`) until those out of bed are learned
/// anew and she is seen up at an hour on `upShare` of the days (the smaller allowance out of
/// bed is not given on silences of unknown kind, which include her nights); one of two taken
/// by a model of one keeps the longer of each.
public struct RoutineState: Sendable, Equatable {
    public var values: [Double]
    public init(values: [Double]) { self.values = values }
    public static let version = 5.0
}

extension RoutineModel {
    static let headerCount = 23

    public var state: RoutineState {
        var v: [Double] = [RoutineState.version, Double(1440 / perDay), Double(memory), Double(firstSeconds), wakeMinutes,
                           Double(wakeDays), lastWakeDay == .min ? -1 : Double(lastWakeDay), Double(places), Double(offset.seconds)]
        v += wakeByWeekday
        v += wakeDaysByWeekday.map(Double.init)
        let a = absences?.rowDay.count ?? 0
        v.reserveCapacity(Self.headerCount + rowDay.count + longest.count + 1 + 3 * a)
        v += rowDay.map { $0 == .min ? -1 : Double($0) }
        v += longest
        v.append(Double(a))
        if let m = absences {
            v += m.rowDay.map { $0 == .min ? -1 : Double($0) }
            v += m.longest
            v += m.count
        }
        return RoutineState(values: v)
    }

    /// Puts back a saved state. A state of another version, slot size, memory or UTC offset
    /// is ignored (the model learns again, with the fixed limits meanwhile): returns whether
    /// it was taken. Outings kept for another absence memory (or none) are not taken; the
    /// routine is. Lengths are bounded as learning bounds them (a silence by `unknownGap`, an
    /// outing by a year, a wake time by the day): a corrupt cell must not trap at every boot.
    @discardableResult
    public mutating func restore(_ s: RoutineState) -> Bool {
        let v = s.values
        // Every number within ±1e15 (days, seconds, minutes, counts are far smaller): the
        // conversions to integers below would trap on a torn or corrupt state, and systemd
        // would restart the runtime into the same trap at every start.
        guard let version = v.first, [2, 3, 4, RoutineState.version].contains(version),
              v.allSatisfy({ $0.isFinite && abs($0) < 1e15 }) else { return false }
        // Versions 2 and 3 have no `places` in their header, nor 2 to 4 the offset.
        let v4 = Self.headerCount - 15
        let header = version == 5 ? Self.headerCount : version == 4 ? v4 : v4 - 1
        guard v.count > header else { return false }
        if version == 5, Int(v[8]) != offset.seconds { return false }
        let saved = version >= 4 ? Int(v[7]) : 1
        let cells = memory * perDay
        let routineCount = header + memory + saved * cells
        guard saved == 1 || saved == 2, v.count >= routineCount, version != 2 || v.count == routineCount,
              Int(v[1]) == 1440 / perDay, Int(v[2]) == memory else { return false }
        firstSeconds = Int64(v[3])
        wakeMinutes = min(max(v[4], 0), 1440)
        for w in 0..<7 {
            wakeByWeekday[w] = version == 5 ? min(max(v[9 + w], 0), 1440) : 0
            wakeDaysByWeekday[w] = version == 5 ? Int(max(v[16 + w], 0)) : 0
        }
        wakeDays = Int(v[5])
        lastWakeDay = v[6] < 0 ? .min : Int64(v[6])
        for r in 0..<memory { rowDay[r] = v[header + r] < 0 ? .min : Int64(v[header + r]) }
        let base = header + memory
        let cap = settings.unknownGap.seconds
        for i in longest.indices { longest[i] = 0 }
        for p in 0..<saved {
            let into = saved < places ? places - 1 : min(p, places - 1)
            for i in 0..<cells { longest[into * cells + i] = min(max(longest[into * cells + i], v[base + p * cells + i], 0), cap) }
        }
        rebuildWindowed()
        if var m = absences, let settings = absences?.settings {
            m = AbsenceMemory(settings: settings)
            let a = m.rowDay.count
            if v.count == routineCount + 1 + 3 * a, Int(v[routineCount]) == a {
                let b = routineCount + 1
                for r in 0..<a {
                    m.rowDay[r] = v[b + r] < 0 ? .min : Int64(v[b + r])
                    m.longest[r] = min(max(0, v[b + a + r]), 366 * 86_400)
                    m.count[r] = max(0, v[b + 2 * a + r])
                }
            }
            absences = m
        }
        return true
    }
}
