import KizunaCore

/// The last line of `kizuna replay`: what a recording amounted to.
public enum ReplaySummary {
    static func rounded(_ v: Double, _ digits: Double = 100) -> Double { (v * digits).rounded() / digits }
    static func hours(_ s: Span) -> Double { rounded(Double(s.nanoseconds) / 3_600e9) }

    /// `{"type":"summary","events":…,"days":…,"alarms":{"inactivity":N,…},"prealarms":{…},
    /// "hours":{"home":…,"away":…,"resting":…,"unknown":…},"gaps":N,"gap_hours":…,"skipped":N}`.
    /// `alarms` counts network alarms, `prealarms` every alarm raised (cancelled ones too).
    public static func json(_ o: ReplayOutcome, recording: Recording) -> String {
        func counts(_ c: [AlarmKind: Int]) -> String {
            var j = JSONLine()
            for kind in AlarmKind.allCases { j.add(kind.rawValue, c[kind] ?? 0) }
            return j.text
        }
        var h = JSONLine()
        for state in [OccupancyState.home, .away, .resting, .unknown] { h.add(state.rawValue, hours(o.timeIn[state] ?? .zero)) }
        var j = JSONLine()
        j.add("type", "summary")
        j.add("events", recording.recordedEvents(inFirst: o.events))
        j.add("days", rounded(o.days, 1000))
        j.addRaw("alarms", counts(o.alarmCount()))
        j.addRaw("prealarms", counts(o.alarmCount(reachingNetwork: false)))
        j.addRaw("hours", h.text)
        j.add("gaps", o.gaps.count)
        j.add("gap_hours", hours(o.gapTime))
        j.add("skipped", recording.skipped)
        return j.text
    }

    /// The same, for a person.
    public static func text(_ o: ReplayOutcome, recording: Recording) -> String {
        let from = CivilTime.iso8601(o.first, offset: recording.clock), to = CivilTime.iso8601(o.last, offset: recording.clock)
        var lines = ["", "Replay: \(recording.recordedEvents(inFirst: o.events)) events from \(recording.sensors.count) sensors, \(from) … \(to) (\(rounded(o.days, 10)) days)"]
        let alarms = o.alarmCount(), raised = o.alarmCount(reachingNetwork: false)
        let kinds = AlarmKind.allCases.filter { (raised[$0] ?? 0) > 0 }
        lines.append(kinds.isEmpty ? "Alarms: none"
                     : "Alarms: " + kinds.map { "\($0.rawValue) \(alarms[$0] ?? 0) sent (\(raised[$0] ?? 0) raised)" }.joined(separator: ", "))
        lines.append("Hours: " + [OccupancyState.home, .resting, .away, .unknown].map { "\($0.rawValue) \(hours(o.timeIn[$0] ?? .zero))" }.joined(separator: ", "))
        lines.append("System offline: \(o.gaps.count) gaps, \(hours(o.gapTime)) h")
        if recording.skipped > 0 { lines.append("Skipped lines: \(recording.skipped)") }
        return lines.joined(separator: "\n")
    }
}
