import KizunaCore

/// Something the simulated resident (or the weather) does.
public enum ScenarioAction: Sendable, Equatable {
    /// The resident moves in a room (every PIR of that room triggers).
    case motion(room: String)
    case doorOpen(sensor: String?)
    case doorClose(sensor: String?)
    case buttonPress(sensor: String?)
    /// The environment changes (°C, %RH, ppm, ...), in a room or everywhere.
    case environment(SensorKind, value: Double, room: String?)
    /// The resident stops: no motion, door or button from now on.
    case collapse

    /// Whether it is something the resident does (and so stops after a collapse).
    public var isResident: Bool {
        switch self {
        case .motion, .doorOpen, .doorClose, .buttonPress: true
        case .environment, .collapse: false
        }
    }
}

/// A step of a scenario: an action at a time, optionally repeated `every` until `until`.
public struct ScenarioStep: Sendable, Equatable {
    public var at: WallTime
    public var action: ScenarioAction
    public var every: Span?
    public var until: WallTime?
    /// Line in the scenario file, for error messages.
    public var line: Int

    public init(at: WallTime, action: ScenarioAction, every: Span? = nil, until: WallTime? = nil, line: Int = 0) {
        self.at = at
        self.action = action
        self.every = every
        self.until = until
        self.line = line
    }
}

/// A simulated day (or days) in a flat: timed actions of a resident and of the weather.
public struct Scenario: Sendable {
    public var name: String
    public var description: String
    public var start: WallTime
    public var duration: Span
    public var utcOffset: UTCOffset
    public var steps: [ScenarioStep]

    public init(name: String, description: String, start: WallTime, duration: Span, utcOffset: UTCOffset, steps: [ScenarioStep]) {
        self.name = name
        self.description = description
        self.start = start
        self.duration = duration
        self.utcOffset = utcOffset
        self.steps = steps
    }

    public var end: WallTime { start + duration }

    /// When the resident collapses, if they do.
    public var collapseTime: WallTime? {
        steps.filter { $0.action == .collapse }.map(\.at).min()
    }

    /// Every action in time order, repeats expanded, the resident's actions after a
    /// collapse removed, and nothing outside the scenario's span.
    public func timeline() -> [(at: WallTime, action: ScenarioAction)] {
        let collapse = collapseTime
        var out: [(at: WallTime, action: ScenarioAction)] = []
        for step in steps {
            var t = step.at
            let last = step.until ?? step.at
            repeat {
                let stopped = collapse.map { t >= $0 } ?? false
                if t >= start, t <= end, !(step.action.isResident && stopped), step.action != .collapse {
                    out.append((t, step.action))
                }
                guard let every = step.every, every > .zero else { break }
                t = t + every
            } while t <= last
        }
        // Stable: steps at the same time keep file order.
        return out.enumerated().sorted { a, b in
            a.element.at != b.element.at ? a.element.at < b.element.at : a.offset < b.offset
        }.map(\.element)
    }
}
