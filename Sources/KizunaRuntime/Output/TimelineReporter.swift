import Foundation
import KizunaCore

/// Prints what the runtime decides: a timeline of state changes and alarm steps for a
/// person (with a live status line on a terminal), or one JSON object per line for a
/// program (`--json`: state changes and alarm steps only, nothing else on stdout).
public final class TimelineReporter: RuntimeObserver {
    public enum Style { case text, json }

    let style: Style
    let sensors: SensorRegistry
    let offset: UTCOffset
    let statusLine: Bool
    var lastStatusDraw: UInt64 = 0
    var statusShown = false
    var write: (String) -> Void
    /// Everything seen, for the summary.
    public private(set) var stats = RunStatistics()
    var lastSequence: UInt64 = 0
    /// Also print every event that passed the filters (`kizuna run --trace`), with its
    /// monotonic stamp and when the loop read it.
    public var includeEvents = false

    public init(style: Style, sensors: SensorRegistry, offset: UTCOffset, statusLine: Bool, write: @escaping (String) -> Void = { s in
        StandardOutput.write(s)
    }) {
        self.style = style
        self.sensors = sensors
        self.offset = offset
        self.statusLine = statusLine && style == .text
        self.write = write
    }

    /// Print dates in the text timeline too (a replay spans days).
    public var showDates = false

    func time(_ t: Timestamp) -> String {
        let iso = CivilTime.iso8601(t.wall, offset: offset)
        if showDates { return String(iso.prefix(10)) + " " + String(iso.dropFirst(11).prefix(8)) }
        let clock = iso.split(separator: "T")[1].prefix(8)
        return String(clock)
    }

    func iso(_ t: Timestamp) -> String { CivilTime.iso8601(t.wall, offset: offset, fractionDigits: 3) }

    func emit(_ line: String) {
        if statusShown {
            write("\r\u{1B}[K")
            statusShown = false
        }
        write(line + "\n")
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {
        for d in decisions { report(d) }
    }

    /// Prints one line of free text (text style) or one JSON object (json style) in line
    /// with the timeline.
    public func line(_ text: String) { emit(text) }

    /// Prints one decision (and counts it for the summary).
    public func report(_ d: Decision) {
        stats.record(d)
        switch d {
        case .occupancy(let t):
            let reason = t.reason.describe(sensors)
            if style == .json {
                var j = JSONLine()
                j.add("type", "state")
                j.add("kind", "occupancy")
                j.add("at", iso(t.at))
                j.add("from", t.from.rawValue)
                j.add("to", t.to.rawValue)
                j.add("reason", reason)
                emit(j.text)
            } else {
                emit(" \(time(t.at))  \(Self.pad("state", 9))\(Self.pad("\(t.from.rawValue) → \(t.to.rawValue)", 22))\(reason)")
            }
        case .alarm(let s):
            let reason = s.reason.describe(sensors)
            if style == .json {
                var j = JSONLine()
                j.add("type", s.step.rawValue)
                j.add("kind", s.kind.rawValue)
                j.add("at", iso(s.at))
                j.add("reason", reason)
                j.add("alarm", s.alarmID)
                j.add("severity", s.severity.rawValue)
                if s.sensor != .none { j.add("sensor", sensors.name(s.sensor)) }
                emit(j.text)
            } else {
                emit(" \(time(s.at))  \(Self.pad(s.step.rawValue, 9))\(Self.pad("\(s.kind.rawValue) #\(s.alarmID)", 22))\(reason)")
            }
        case .buzzer(let p, let at):
            if style == .text {
                let what = switch p {
                case .off: "silent"
                case .preAlarm: "pre-alarm beeps (move or press the button to cancel)"
                case .alarm: "alarm pulses"
                case .chirp: "chirp"
                }
                emit(" \(time(at))  \(Self.pad("buzzer", 9))\(what)")
            }
        }
    }

    public func observed(_ observations: [Observation], engine: WatchEngine) {
        guard includeEvents, style == .json else { return }
        for o in observations {
            guard case .level(let s, let high, let t) = o else { continue }
            var j = JSONLine()
            j.add("type", "edge")
            j.add("sensor", sensors.name(s))
            j.add("high", high)
            j.add("monotonic_ns", Int(t.monotonic.nanoseconds))
            emit(j.text)
        }
    }

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        let first = engine.ring.pushed - UInt64(engine.ring.count)
        if includeEvents, style == .json, lastSequence < engine.ring.pushed {
            for seq in max(lastSequence, first)..<engine.ring.pushed {
                let e = engine.ring[oldestFirst: Int(seq - first)]
                var j = JSONLine()
                j.add("type", "event")
                j.add("kind", e.kind.name)
                j.add("sensor", sensors.name(e.sensor))
                j.add("at", iso(e.time))
                if e.kind.hasValue { j.add("value", e.value) }
                j.add("monotonic_ns", Int(e.time.monotonic.nanoseconds))
                j.add("read_ns", Int(now.monotonic.nanoseconds))
                emit(j.text)
            }
        }
        stats.observe(engine.ring, since: &lastSequence, now: now, state: engine.state)
        guard statusLine else { return }
        let real = DispatchTime.now().uptimeNanoseconds
        guard real - lastStatusDraw > 100_000_000 else { return }
        lastStatusDraw = real
        write("\r\u{1B}[K" + statusText(now: now, engine: engine))
        statusShown = true
    }

    func statusText(now: Timestamp, engine: WatchEngine) -> String {
        let silence = engine.inactivity.silence(at: now.monotonic)
        let last = engine.inactivity.lastSignSensor
        let lastText = silence == .zero ? "moving now" : "last sign of life \(silence) ago" + (last == .none ? "" : " (\(sensors.name(last)))")
        let alarms = engine.openAlarms
        let alarmText = alarms.isEmpty ? "no alarms" : alarms.map { "\($0.kind.rawValue) \($0.phase.rawValue)" }.joined(separator: ", ")
        let readings = stats.latestReadings.sorted { $0.key < $1.key }.map { s, v in
            let value = (v * 10).rounded() / 10
            return "\(value)\(sensors[s].kind.unit)"
        }.joined(separator: " ")
        let buzzer = engine.buzzer == .off ? "" : "  ·  buzzer: \(engine.buzzer.rawValue)"
        return " ⏱ \(time(now))  \(engine.state.rawValue)  \(lastText)  ·  \(alarmText)\(buzzer)" + (readings.isEmpty ? "" : "  ·  \(readings)")
    }

    /// Clears the status line (before the summary).
    public func finish() {
        if statusShown { write("\r\u{1B}[K"); statusShown = false }
    }
}

/// Counts for the summary at the end of a run.
public struct RunStatistics {
    public var events: [EventKind: Int] = [:]
    public var droppedFromRing: UInt64 = 0
    public var timeIn: [OccupancyState: Span] = [:]
    var stateSince: Timestamp?
    var state: OccupancyState = .unknown
    public var steps: [AlarmStep] = []
    public var transitions: [OccupancyTransition] = []
    /// The latest environmental reading of each sensor.
    public var latestReadings: [SensorID: Double] = [:]

    mutating func record(_ d: Decision) {
        switch d {
        case .occupancy(let t): transitions.append(t)
        case .alarm(let s): steps.append(s)
        case .buzzer: break
        }
    }

    mutating func observe(_ ring: EventRing<Event>, since last: inout UInt64, now: Timestamp, state newState: OccupancyState) {
        let first = ring.pushed - UInt64(ring.count)
        if last < first { droppedFromRing += first - last; last = first }
        while last < ring.pushed {
            let e = ring[oldestFirst: Int(last - first)]
            events[e.kind, default: 0] += 1
            if e.kind == .reading { latestReadings[e.sensor] = e.value }
            last += 1
        }
        if let since = stateSince { timeIn[state, default: .zero] = timeIn[state, default: .zero] + (now.monotonic - since.monotonic) }
        stateSince = now
        state = newState
    }
}
