import Foundation
import KizunaCore
import KizunaHardware

/// Sees what the loop decides and how it is doing (the demo's printer, later the store
/// and the alarm outbox).
public protocol RuntimeObserver: AnyObject {
    /// The decisions of one wake-up, in order.
    func apply(_ decisions: [Decision], engine: WatchEngine)
    /// Called after every wake-up (the status line redraws itself at its own pace).
    func wokeUp(at now: Timestamp, engine: WatchEngine)
    /// The raw observations of one wake-up, before the filters (for tracing).
    func observed(_ observations: [Observation], engine: WatchEngine)
}

extension RuntimeObserver {
    public func observed(_ observations: [Observation], engine: WatchEngine) {}
}

/// The one loop that owns all mutable state (DESIGN.md): it waits for input or the next
/// deadline, feeds observations to the engine, lets time pass, and applies the decisions
/// (observers, buzzer and LED patterns). The same code runs in real and virtual time; only
/// the clock differs.
public final class RuntimeLoop {
    public private(set) var engine: WatchEngine
    let source: InputSource
    let outputs: OutputSink
    let clock: RuntimeClock
    var observers: [RuntimeObserver] = []
    var buzzer = PatternPlayer()
    var led = PatternPlayer()
    var ledPattern = OutputPattern.off
    var observations: [Observation] = []
    var decisions: [Decision] = []
    /// How often the loop wakes at most in real time with nothing to do (status redraws).
    public var idleWake = 0.1
    public private(set) var wakeUps = 0
    var stopRequested = false
    /// Descriptors that stop the loop when readable (a `SignalWatcher`'s).
    public var stopDescriptors: [Int32] = []
    /// Commands from the API and the shell, run inside the loop.
    public let commands = CommandQueue()
    /// The inputs (GPIO, I2C), for the shell's `gpio` (read on the loop's thread).
    public var inputs: InputSource { source }
    /// The level each output was last set to (for the shell's `gpio`).
    public private(set) var outputLevels: [OutputRole: Bool] = [:]
    /// Called with the duration of each wake-up's work (for the loop-time histogram).
    public var onIteration: ((Duration) -> Void)?
    /// systemd's watchdog and status, fed from the loop itself.
    public var notifier: ServiceNotifier?
    /// Test hook: after this much real time, the loop blocks for `stall.duration` (to
    /// prove that the watchdog then stops being fed).
    public var stall: (after: Duration, duration: Duration)?
    let startedAt = ContinuousClock.now

    /// Walk test: the buzzer follows every PIR and door contact at once, so the technician
    /// hears each trigger; the alarms' buzzer patterns are held back meanwhile.
    public var walkTest = false
    /// Edge-to-buzzer latencies (ns) measured during a walk test: from the edge's kernel
    /// timestamp to the moment the buzzer line was set.
    public private(set) var walkTestLatencies: [Int64] = []
    /// Stop after this many walk-test edges (benchmarks).
    public var walkTestEdgeLimit = Int.max
    /// A walk test started from the shell ends by itself at this instant, so it cannot be
    /// left on and keep the alarms' buzzer quiet.
    public var walkTestUntil: MonotonicInstant?
    /// Told of each walk-test trigger (sensor, active, when), on the loop's thread.
    public var onWalkTestTrigger: ((SensorID, Bool, Timestamp) -> Void)?
    /// Told when a walk test ends, and why (its time limit, or stopped by another session).
    public var onWalkTestEnd: ((String) -> Void)?

    public init(engine: WatchEngine, source: InputSource, outputs: OutputSink, clock: RuntimeClock) {
        self.engine = engine
        self.source = source
        self.outputs = outputs
        self.clock = clock
        observations.reserveCapacity(256)
        decisions.reserveCapacity(256)
    }

    public func add(_ observer: RuntimeObserver) { observers.append(observer) }

    public func stop() { stopRequested = true }

    /// Runs until `end` (monotonic) or `stop()`. Outputs are off when it returns.
    public func run(until end: MonotonicInstant = .never) {
        commands.release()
        let start = clock.now()
        outputs.allOff()
        updateLED(at: start.monotonic)
        if engine.buzzer != .off, !walkTest {
            // Restored with an alarm sounding: the buzzer goes on where it was.
            setOutput(.buzzer, on: buzzer.start(.forBuzzer(engine.buzzer), at: start.monotonic), at: start)
        }
        while !stopRequested {
            let now = clock.now()
            step(at: now)
            if now.monotonic >= end { break }
            let deadline = min(engine.nextDeadline(), source.nextDeadline(), buzzer.deadline, led.deadline, walkTestUntil ?? .never, end)
            clock.wait(until: deadline, descriptors: source.pollDescriptors + stopDescriptors + [commands.descriptor], maxRealWait: idleWake)
            if !stopDescriptors.isEmpty, Self.anyReadable(stopDescriptors) { stopRequested = true }
            if let s = stall, ContinuousClock.now - startedAt >= s.after {
                stall = nil
                Thread.sleep(forTimeInterval: Double(s.duration.components.seconds) + Double(s.duration.components.attoseconds) / 1e18)
            }
        }
        notifier?.stopping()
        outputs.allOff()
        commands.loopStopped(self)
    }

    /// A command after the loop has stopped (from `CommandQueue`, one at a time): a query
    /// is answered (its decisions, if any, go nowhere), a change is refused, the outputs
    /// stay off.
    func runNow(_ command: CommandQueue.Queued) {
        switch command {
        case .engine(let c):
            var out: [Decision] = []
            c(&engine, clock.now(), &out)
        case .change(_, let refuse):
            refuse()
        case .loop(let c):
            walkTest = false
            walkTestUntil = nil
            c(self, clock.now())
            outputs.allOff()  // a buzzer test at shutdown must not leave the buzzer on
        }
    }

    /// The sources give each line's edges in order, but line after line (and the readings
    /// after them): a batch spanning seconds (a stalled loop, the clock wait at the start)
    /// is put in time order, stably, so that a door is handled between the PIR edges around
    /// it (a rise after the door shut says she stayed in; handled before it, she went out).
    static func putInTimeOrder(_ observations: inout [Observation]) {
        guard observations.count > 1 else { return }
        var ordered = true
        for k in 1..<observations.count where observations[k].time.monotonic < observations[k - 1].time.monotonic {
            ordered = false
            break
        }
        guard !ordered else { return }
        observations = observations.enumerated()
            .sorted { ($0.element.time.monotonic, $0.offset) < ($1.element.time.monotonic, $1.offset) }
            .map(\.element)
    }

    /// One wake-up: inputs, timers, decisions, outputs.
    func step(at now: Timestamp) {
        let began = ContinuousClock.now
        defer { onIteration?(ContinuousClock.now - began) }
        wakeUps += 1
        for command in commands.take() {
            switch command {
            case .engine(let c), .change(let c, _): c(&engine, now, &decisions)
            case .loop(let c): c(self, now)
            }
        }
        if let until = walkTestUntil, now.monotonic >= until {
            stopWalkTest(at: now, reason: "time limit")
        }
        source.collect(upTo: now, into: &observations)
        Self.putInTimeOrder(&observations)
        if walkTest { followInputs() }
        if !observations.isEmpty { for o in observers { o.observed(observations, engine: engine) } }
        for o in observations { engine.handle(o, into: &decisions) }
        observations.removeAll(keepingCapacity: true)
        engine.tick(at: now, into: &decisions)
        if !decisions.isEmpty {
            for d in decisions {
                if case .buzzer(let p, let at) = d, !walkTest {
                    setOutput(.buzzer, on: buzzer.start(.forBuzzer(p), at: at.monotonic), at: at)
                }
            }
            updateLED(at: now.monotonic)
            for o in observers { o.apply(decisions, engine: engine) }
            decisions.removeAll(keepingCapacity: true)
        }
        if let level = buzzer.advance(to: now.monotonic) { setOutput(.buzzer, on: level, at: now) }
        if let level = led.advance(to: now.monotonic) { setOutput(.statusLED, on: level, at: now) }
        for o in observers { o.wokeUp(at: now, engine: engine) }
        notifier?.loopAlive(status: self.statusLine())
    }

    /// One line for `systemctl status`.
    func statusLine() -> String {
        let silence = engine.inactivity.silence(at: clock.now().monotonic)
        let alarms = engine.openAlarms
        return "\(engine.state.rawValue), last sign of life \(silence == .zero ? "now" : "\(silence) ago"), " +
            (alarms.isEmpty ? "no alarms" : alarms.map { "\($0.kind.rawValue) \($0.phase.rawValue)" }.joined(separator: ", "))
    }

    /// Walk test: the buzzer follows each PIR, door contact and button. The help button's
    /// presses go no further (the technician tests it; the authority is not called), and
    /// are left out of what the engine sees.
    func followInputs() {
        let sensors = engine.settings.sensors
        var buttons = false
        for o in observations {
            guard case .level(let s, let high, let at) = o else { continue }
            let kind = sensors[s].kind
            guard kind == .pir || kind == .door || kind == .button else { continue }
            buttons = buttons || kind == .button
            let active = high != engine.settings.inverted[Int(s.index)]
            setOutput(.buzzer, on: active, at: at)
            onWalkTestTrigger?(s, active, at)
            walkTestLatencies.append(clock.now().monotonic.nanoseconds - at.monotonic.nanoseconds)
            if walkTestLatencies.count >= walkTestEdgeLimit { stopRequested = true }
        }
        if buttons {
            observations.removeAll { o in
                if case .level(let s, _, _) = o { return sensors[s].kind == .button }
                return false
            }
        }
    }

    func setOutput(_ role: OutputRole, on: Bool, at time: Timestamp) {
        outputLevels[role] = on
        outputs.set(role, on: on, at: time)
    }

    /// Starts a walk test that ends by itself after `limit` (the shell's `walk-test start`).
    public func startWalkTest(for limit: Span, at now: Timestamp) {
        walkTest = true
        walkTestUntil = now.monotonic + limit
        buzzer = PatternPlayer()
        setOutput(.buzzer, on: false, at: now)
    }

    /// Ends a walk test: the buzzer goes back to what the alarms want.
    public func stopWalkTest(at now: Timestamp, reason: String = "stopped") {
        let tell = onWalkTestEnd
        walkTest = false
        walkTestUntil = nil
        onWalkTestTrigger = nil
        onWalkTestEnd = nil
        tell?(reason)
        setOutput(.buzzer, on: buzzer.start(.forBuzzer(engine.buzzer), at: now.monotonic), at: now)
    }

    /// Takes new engine settings over (the shell's `config set`), keeping the engine's state;
    /// a shortened limit fires at the next step.
    public func reconfigure(_ settings: EngineSettings) {
        engine.reconfigure(settings)
    }

    /// Three short beeps, so the technician hears the buzzer works (the shell's `buzzer test`).
    /// An alarm's pattern takes the buzzer back at its next step.
    public func testBuzzer(at now: Timestamp) {
        setOutput(.buzzer, on: buzzer.start(.buzzerTest, at: now.monotonic), at: now)
    }

    static func anyReadable(_ fds: [Int32]) -> Bool {
        var p = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        return poll(&p, nfds_t(p.count), 0) > 0
    }

    /// The status LED shows the worst open condition: alarm, fault, or all well.
    func updateLED(at now: MonotonicInstant) {
        let alarms = engine.openAlarms
        let wanted: OutputPattern
        if alarms.contains(where: { $0.kind.severity >= .warning }) { wanted = .alarmBlink }
        else if !alarms.isEmpty { wanted = .faultBlink }
        else { wanted = .heartbeat }
        guard wanted != ledPattern else { return }
        ledPattern = wanted
        setOutput(.statusLED, on: led.start(wanted, at: now), at: clock.now())
    }


}
