import KizunaCore

/// A flat in memory: a scenario's resident and weather acting on simulated sensors wired
/// to simulated GPIO chips, as the real ones would be.
///
/// The physical models are simple but honest, so the filters have real work to do: a
/// PIR raises its output for `pirPulse` per trigger (retriggers extend it), a reed contact
/// bounces a few times within 5 ms, a button bounces and is released after 300 ms.
/// Environmental sensors report every `readingInterval`.
public final class SimulatedFlat: InputSource, OutputSink, @unchecked Sendable {
    public let scenario: Scenario
    public let sensors: SensorRegistry
    public let chips: [String: SimulatedGPIOChip]
    let wiring: Wiring
    let inverted: [Bool]
    let origin: Timestamp
    public var pirPulse: Span = .milliseconds(2500)
    public var readingInterval: Span = .seconds(60)

    let timeline: [(at: WallTime, action: ScenarioAction)]
    var nextAction = 0
    /// Pending line changes, kept sorted by time.
    var physical: [(at: MonotonicInstant, line: LineAddress, high: Bool)] = []
    /// When each PIR's output falls (for retriggers).
    var pirFall: [SensorID: MonotonicInstant] = [:]
    var environment: [String: Double] = [:]
    var nextReading: MonotonicInstant
    /// Each configured environmental sensor and its room.
    var environmentSensors: [(id: SensorID, kind: SensorKind, room: String)]
    var lineToSensor: [LineAddress: SensorID] = [:]

    /// - Parameter origin: the timestamp of the scenario's start (the virtual clock's start).
    public init(scenario: Scenario, board: BoardProfile, sensors: SensorRegistry, inverted: [Bool], wiring: Wiring, origin: Timestamp) {
        self.scenario = scenario
        self.sensors = sensors
        self.inverted = inverted
        self.wiring = wiring
        self.origin = origin
        var chips: [String: SimulatedGPIOChip] = [:]
        for c in board.chips { chips[c.label] = SimulatedGPIOChip(label: c.label, lineCount: c.lineCount) }
        self.chips = chips
        self.timeline = scenario.timeline()
        self.nextReading = origin.monotonic
        environmentSensors = sensors.sensors.indices.compactMap { i in
            let d = sensors.sensors[i]
            return d.kind.isBinary ? nil : (SensorID(i), d.kind, d.room)
        }
        for wire in wiring.inputs {
            guard let line = wire.line.address else { continue }
            lineToSensor[line] = wire.sensor
            // Contacts rest inactive: a closed door, a released button.
            chips[line.chipLabel]?.drive(line.offset, high: inverted[Int(wire.sensor.index)], at: origin)
        }
        for c in chips.values { _ = c.drainEdges() }
        environment = ["temperature": 24, "humidity": 50, "co2": 600, "voc": 100, "light": 200, "pressure": 1013]
        // Resuming mid-scenario (after a simulated restart): what happened before the
        // origin is history; only the weather it left carries over.
        while nextAction < timeline.count, timeline[nextAction].at < origin.wall {
            if case .environment = timeline[nextAction].action { apply(timeline[nextAction].action, at: origin.monotonic) }
            nextAction += 1
        }
    }

    /// These sensors are read from (simulated) I2C chips, not made up by the scenario.
    public func readsFromChips(_ ids: Set<SensorID>) {
        environmentSensors.removeAll { ids.contains($0.id) }
    }

    /// The raw level of each contact at start, for `WatchEngine.prime`.
    public func initialLevels() -> [(SensorID, Bool)] {
        wiring.inputs.compactMap { wire in
            wire.line.address.flatMap { line in chips[line.chipLabel].map { (wire.sensor, $0.levels[line.offset]) } }
        }
    }

    func instant(_ wall: WallTime) -> MonotonicInstant { origin.monotonic + (wall - origin.wall) }
    func stamp(_ m: MonotonicInstant) -> Timestamp { origin.advanced(to: m) }

    public var pollDescriptors: [Int32] { [] }

    public func nextDeadline() -> MonotonicInstant {
        var d = environmentSensors.isEmpty ? MonotonicInstant.never : nextReading
        if nextAction < timeline.count { d = min(d, instant(timeline[nextAction].at)) }
        if let p = physical.first { d = min(d, p.at) }
        return d
    }

    /// Whether the scenario has played out (no action or line change left).
    public var isFinished: Bool { nextAction >= timeline.count && physical.isEmpty }

    public func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        let limit = now.monotonic
        var readings: [Observation] = []
        while true {
            let actionAt = nextAction < timeline.count ? instant(timeline[nextAction].at) : .never
            let physicalAt = physical.first?.at ?? .never
            let readingAt = environmentSensors.isEmpty ? MonotonicInstant.never : nextReading
            let t = min(actionAt, physicalAt, readingAt)
            guard t <= limit else { break }
            if t == physicalAt {
                let p = physical.removeFirst()
                chips[p.line.chipLabel]?.drive(p.line.offset, high: p.high, at: stamp(p.at))
            } else if t == actionAt {
                apply(timeline[nextAction].action, at: t)
                nextAction += 1
            } else {
                for e in environmentSensors {
                    if let v = environment["\(e.kind.rawValue).\(e.room)"] ?? environment[e.kind.rawValue] {
                        readings.append(.reading(e.id, value: v, at: stamp(t)))
                    }
                }
                nextReading = t + readingInterval
            }
        }
        var edges: [Observation] = []
        for (label, chip) in chips.sorted(by: { $0.key < $1.key }) {
            for e in chip.drainEdges() {
                if let s = lineToSensor[LineAddress(chipLabel: label, offset: e.offset)] {
                    edges.append(.level(s, high: e.high, at: e.at))
                }
            }
        }
        let merged = (edges + readings).enumerated().sorted { a, b in
            let ta = a.element.time.monotonic, tb = b.element.time.monotonic
            return ta != tb ? ta < tb : a.offset < b.offset
        }
        observations.append(contentsOf: merged.map(\.element))
    }

    func schedule(_ line: LineAddress, high: Bool, at t: MonotonicInstant) {
        let i = physical.firstIndex { $0.at > t } ?? physical.endIndex
        physical.insert((t, line, high), at: i)
    }

    /// Drives a contact to `active` with a few bounces, ending at the level.
    func bounce(_ s: SensorID, to active: Bool, at t: MonotonicInstant) {
        guard let line = wiring.line(of: s)?.address else { return }
        let raw = active != inverted[Int(s.index)]
        let offsets: [Int64] = [0, 1, 2, 3, 5]  // ms; ends where it started toggling to
        for (k, ms) in offsets.enumerated() {
            schedule(line, high: k % 2 == 0 ? raw : !raw, at: t + .milliseconds(ms))
        }
    }

    func sensorsFor(_ kind: SensorKind, named name: String?) -> [SensorID] {
        if let name, let id = sensors.id(named: name) { return [id] }
        return sensors.ids(of: kind)
    }

    func apply(_ action: ScenarioAction, at t: MonotonicInstant) {
        switch action {
        case .motion(let room):
            for s in sensors.ids(of: .pir) where sensors[s].room == room {
                guard let line = wiring.line(of: s)?.address else { continue }
                let raw = !inverted[Int(s.index)]
                let fall = t + pirPulse
                if let pending = pirFall[s], pending > t {
                    // Retrigger: the output stays high; move its fall later.
                    physical.removeAll { $0.line == line && $0.at == pending }
                } else {
                    schedule(line, high: raw, at: t)
                }
                schedule(line, high: !raw, at: fall)
                pirFall[s] = fall
            }
        case .doorOpen(let name):
            for s in sensorsFor(.door, named: name) { bounce(s, to: true, at: t) }
        case .doorClose(let name):
            for s in sensorsFor(.door, named: name) { bounce(s, to: false, at: t) }
        case .buttonPress(let name):
            for s in sensorsFor(.button, named: name) {
                bounce(s, to: true, at: t)
                bounce(s, to: false, at: t + .milliseconds(300))
            }
        case .environment(let kind, let value, let room):
            if let room { environment["\(kind.rawValue).\(room)"] = value } else {
                environment = environment.filter { !$0.key.hasPrefix(kind.rawValue + ".") }
                environment[kind.rawValue] = value
            }
        case .collapse:
            break
        }
    }

    // MARK: - Outputs

    public func set(_ role: OutputRole, on: Bool, at time: Timestamp) {
        guard let line = wiring.line(of: role)?.address else { return }
        chips[line.chipLabel]?.setOutput(line.offset, on: on, at: time)
    }

    public func allOff() {
        for role in OutputRole.allCases { set(role, on: false, at: origin) }
    }

    public func isOn(_ role: OutputRole) -> Bool {
        guard let line = wiring.line(of: role)?.address, let chip = chips[line.chipLabel] else { return false }
        return chip.levels[line.offset]
    }
}
