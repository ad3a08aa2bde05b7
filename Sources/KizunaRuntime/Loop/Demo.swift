import Foundation
import KizunaCore
import KizunaHardware
import KizunaNet
import KizunaStore

/// `kizuna demo`: the whole runtime on the simulated board, playing a scenario.
public struct Demo {
    public var installation: Installation
    public var scenario: Scenario
    /// Virtual seconds per real second; nil: as fast as possible.
    public var speed: Double?
    public var style: TimelineReporter.Style
    public var statusLine: Bool
    /// Keep the flat's record in this SQLite file, and resume from it if it has one.
    public var storePath: String?
    /// With a store to resume from: how long the simulated device was down.
    public var downtime: Span = .minutes(1)
    /// Real seconds between commits (the device's default is 5 s; a fast demo needs less).
    public var commitEvery: Double = 0.2
    /// Test hook for the watchdog: block the loop after a while (see `RuntimeLoop.stall`).
    public var stall: (after: Duration, duration: Duration)?
    /// Test hook for restart recovery: at this simulated moment, once the store has caught
    /// up, the process kills itself with SIGKILL (a crash at a chosen moment, not a shutdown).
    public var killAt: WallTime?

    public init(installation: Installation, scenario: Scenario, speed: Double?, style: TimelineReporter.Style, statusLine: Bool) {
        self.installation = installation
        self.scenario = scenario
        self.speed = speed
        self.style = style
        self.statusLine = statusLine
    }

    /// Loads the config (default: the simulated flat's) and the scenario by name.
    public static func load(config: String?, scenario: String, boards: String?, shortTimers: Bool = false) throws(ConfigError) -> (Installation, Scenario) {
        guard let dir = BoardsDirectory.locate(explicit: boards) else {
            throw ConfigError(file: boards ?? "boards", line: nil, key: "", message: "no boards/ folder found; run from the source checkout, give --boards DIR or set KIZUNA_BOARDS")
        }
        let installation = try ConfigLoader.load(file: config ?? "\(dir)/sim/kizuna.yaml", boardsDirectory: dir, shortTimers: shortTimers)
        guard installation.board.isSimulated else {
            throw ConfigError(file: installation.configFile, line: nil, key: "board",
                              message: "the demo runs on a simulated board; '\(installation.board.name)' is real hardware")
        }
        let s = try ScenarioLoader.load(scenario, boards: dir, installation: installation)
        return (installation, s)
    }

    public struct Result {
        public var engine: WatchEngine
        public var statistics: RunStatistics
        public var flat: SimulatedFlat
        public var wakeUps: Int
    }

    /// Plays the scenario to its end (from where a previous run stopped, with a store).
    public func run(write: @escaping (String) -> Void = StandardOutput.write) throws -> Result {
        var store: FlatStore?
        var writer: StoreWriter?
        var startWall = scenario.start
        if let storePath {
            let s = try FlatStore(path: storePath)
            store = s
            if let last = try Recovery.lastTrace(store: s) { startWall = last + downtime }
            try RuntimeServices.handOverDelivery(store: s, installation: installation, at: startWall, log: SystemLog.write)
            let w = RuntimeServices.makeWriter(store: s, installation: installation, commitEvery: commitEvery)
            w.start()
            writer = w
        }
        // Each run is a new boot of the simulated device: its monotonic clock starts afresh.
        let origin = Timestamp(monotonic: MonotonicInstant(nanoseconds: 5_000_000_000), wall: startWall)
        let bootID = "sim-\(UUID().uuidString)"
        let flat = SimulatedFlat(scenario: scenario, board: installation.board, sensors: installation.sensors,
                                 inverted: installation.settings.inverted, wiring: installation.wiring, origin: origin)
        var engine = WatchEngine(settings: installation.settings, start: origin)
        for (sensor, level) in flat.initialLevels() { engine.prime(sensor, rawLevel: level) }
        if let store, let r = try Recovery.recollect(store: store, settings: installation.settings, now: origin, bootID: bootID) {
            engine.restore(r)
        }
        if let store { try Recovery.restoreRoutine(store: store, engine: &engine) }
        let clock = VirtualClock(start: origin, speed: speed)
        // I2C chips on the simulated board: their device models, polled like real ones.
        let chips = EnvironmentSetup.make(for: installation, start: origin.monotonic, log: SystemLog.write)
        flat.readsFromChips(Set(installation.environment.map(\.sensor)))
        let source: InputSource = chips.poller.map { CompositeSource([flat, $0]) } ?? flat
        let loop = RuntimeLoop(engine: engine, source: source, outputs: flat, clock: clock)
        var services: RuntimeServices?
        var shell: ControlServer?
        // With a store (or a shell, which reads the status): the device's services.
        if writer != nil || installation.shell != nil {
            let metrics = KizunaMetrics()
            let status = StatusBoard(installation: installation, version: KizunaVersion.current, started: origin, writer: writer)
            status.environment = chips.poller
            RuntimeServices.attach(to: loop, installation: installation, writer: writer, metrics: metrics, status: status, bootID: bootID)
            if writer != nil {
                let s = RuntimeServices(installation: installation, loop: loop, store: store, writer: writer, metrics: metrics, status: status)
                s.startAPI(port: PortBox(), log: SystemLog.write)
                try s.startDelivery(log: SystemLog.write)
                services = s
            }
            shell = ShellHost.start(installation: installation, loop: loop, status: status, writer: writer,
                                    environment: chips.poller, buses: chips.buses, log: SystemLog.write)
        }
        let reporter = TimelineReporter(style: style, sensors: installation.sensors, offset: installation.settings.utcOffset,
                                        statusLine: statusLine, write: write)
        loop.add(reporter)
        let signals = SignalWatcher()
        loop.stopDescriptors = [signals.descriptor]
        let notifier = ServiceNotifier()
        loop.notifier = notifier
        loop.stall = stall
        notifier.ready(status: "demo '\(scenario.name)'")
        if style == .text { write(header()) }
        if style == .text, startWall != scenario.start {
            write(" resumed from \(storePath ?? "") at \(CivilTime.iso8601(startWall, offset: installation.settings.utcOffset)) " +
                  "(state \(engine.state.rawValue), \(engine.openAlarms.count) open alarms)\n")
        }
        if let killAt, killAt > startWall, killAt < scenario.end {
            loop.run(until: origin.monotonic + (killAt - startWall))
            writer?.flush()
            kill(getpid(), SIGKILL)
        }
        loop.run(until: origin.monotonic + (scenario.end - startWall))
        reporter.finish()
        shell?.stop()
        if let writer, !loop.engine.routineState.values.isEmpty {
            writer.enqueue(routine: StoredRoutine(loop.engine.routineState, saved: loop.engine.now.wall))
        }
        services?.stop()
        let result = Result(engine: loop.engine, statistics: reporter.stats, flat: flat, wakeUps: loop.wakeUps)
        if style == .text { write(summary(result)) }
        return result
    }

    func header() -> String {
        let s = installation.settings
        let r = s.rules
        var lines = ["Kizuna demo — scenario '\(scenario.name)' on board '\(installation.board.name)' (\(installation.configFile))"]
        if !scenario.description.isEmpty { lines.append("  \(scenario.description)") }
        lines.append("  \(CivilTime.iso8601(scenario.start, offset: s.utcOffset)) for \(scenario.duration), " +
                     (speed.map { "\(Int($0))× real time" } ?? "as fast as possible"))
        lines.append("  inactivity limit \(r.inactivityByDay) by day, \(r.inactivityAtNight) at night (\(s.night)); " +
                     "pre-alarm grace \(s.ladder.preAlarmGrace); repeat every \(s.ladder.repeatEvery)")
        lines.append("  sensors: " + s.sensors.sensors.map(\.name).joined(separator: ", "))
        lines.append("")
        return lines.joined(separator: "\n") + "\n"
    }

    func summary(_ r: Result) -> String {
        let st = r.statistics
        let offset = installation.settings.utcOffset
        func clock(_ t: Timestamp) -> String { String(CivilTime.iso8601(t.wall, offset: offset).split(separator: "T")[1].prefix(8)) }
        var lines = ["", "Summary of '\(scenario.name)'"]
        let ev = st.events
        lines.append("  events: \(ev[.motionStarted, default: 0]) motion episodes, \(ev[.doorOpened, default: 0]) door openings, " +
                     "\(ev[.buttonPressed, default: 0]) button presses, \(ev[.reading, default: 0]) readings" +
                     (st.droppedFromRing > 0 ? " (\(st.droppedFromRing) not counted: ring overwritten)" : ""))
        let order: [OccupancyState] = [.home, .resting, .away, .unknown]
        lines.append("  time: " + order.compactMap { s in st.timeIn[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", "))
        let alarmsOut = st.steps.filter { $0.step == .alarm }
        let byKind = Dictionary(grouping: st.steps, by: \.kind)
        if byKind.isEmpty {
            lines.append("  alarms: none")
        } else {
            for (kind, steps) in byKind.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let counts = Dictionary(grouping: steps, by: \.step).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
                lines.append("  \(kind.rawValue): " + counts.joined(separator: ", "))
            }
        }
        if let collapse = scenario.collapseTime {
            let collapseStamp = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: collapse)
            if let first = alarmsOut.first(where: { $0.kind == .inactivity }) {
                let delay = first.at.wall - collapse
                lines.append("  collapse at \(clock(collapseStamp)) → network alarm at \(clock(first.at)) (\(delay) later)")
            } else {
                lines.append("  collapse at \(clock(collapseStamp)) → NO network alarm within the scenario")
            }
        }
        if !r.engine.openAlarms.isEmpty {
            lines.append("  still open at the end: " + r.engine.openAlarms.map { "\($0.kind.rawValue) #\($0.id) (\($0.phase.rawValue))" }.joined(separator: ", "))
        }
        lines.append("  loop wake-ups: \(r.wakeUps)")
        return lines.joined(separator: "\n") + "\n"
    }
}
