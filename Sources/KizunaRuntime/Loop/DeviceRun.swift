import Foundation
import KizunaCore
import KizunaHardware
import KizunaNet
import KizunaStore

/// `kizuna run`: the runtime on the board's real GPIO, in real time, until SIGTERM, with
/// the flat's record and the authority's API when the config asks for them.
public final class DeviceRun {
    public let installation: Installation
    public let loop: RuntimeLoop
    public let gpio: LinuxGPIO
    /// The I2C sensors, when the config has any.
    public let environment: EnvironmentPoller?
    let buses: [Int: I2CBus]
    public let store: FlatStore?
    public let writer: StoreWriter?
    public let metrics = KizunaMetrics()
    public let status: StatusBoard
    let reporter: TimelineReporter
    let signals = SignalWatcher()
    /// The API's port once it listens (0 until then).
    public let apiPort = PortBox()

    /// How long a start waits for the clock to be set when it is behind the store.
    static let clockWait: Double = 30

    /// Requests the lines, opens the store, restores what it remembers, and builds the loop.
    /// A missing chip or a busy line throws a `GPIOError`. The store never stops the device
    /// from watching: a damaged file is set aside and a fresh one started; one that cannot
    /// be opened at all, or read back, is logged as an error and the run goes on without it
    /// (or without what it remembers): a restart loop would leave her watched by nothing.
    public init(installation: Installation, style: TimelineReporter.Style, trace: Bool, walkTest: Bool,
                walkTestEdges: Int? = nil, version: String = KizunaVersion.current, log: @escaping (String) -> Void) throws {
        self.installation = installation
        gpio = try LinuxGPIO(wiring: installation.wiring, consumer: "kizuna", log: log)
        let clock = SystemClock()
        var opened: FlatStore?
        if let st = installation.store {
            do {
                opened = try DamagedStore.open(st.path, at: clock.now().wall, log: log)
            } catch {
                log("error: store \(st.path) cannot be opened (\(error)): watching without a record or delivery")
            }
        }
        if let s = opened {
            // Within systemd's 60 s start timeout, with half of it left for the rest of the
            // start. The lines are requested already: a press meanwhile waits in the kernel.
            do {
                _ = try Recovery.awaitClock(store: s, bootID: BootID.current, timeout: Self.clockWait, wall: { clock.now().wall },
                                            sleep: { usleep(UInt32($0 * 1e6)) }, log: log)
            } catch {
                log("warning: store \(s.path): the last trace cannot be read (\(error)); not waiting for the clock")
            }
        }
        let start = clock.now()
        var engine = WatchEngine(settings: installation.settings, start: start)
        for (sensor, level) in gpio.initialLevels() { engine.prime(sensor, rawLevel: level) }
        /// After `error` reading the store back: a damaged file is replaced by a fresh store;
        /// nil when it could not be (the run goes on without one, never with a closed one).
        func afterFailure(_ s: FlatStore, _ error: Error, _ what: String) -> FlatStore? {
            do {
                if let fresh = try DamagedStore.replaceIfDamaged(s, after: error, at: start.wall, log: log) { return fresh }
                log("error: store \(s.path): \(what) (\(error)): watching on from now")
                return s
            } catch {
                log("error: store \(s.path) is damaged and could not be replaced (\(error)): watching without a record or delivery")
                return nil
            }
        }
        if let s = opened {
            do {
                if let r = try Recovery.recollect(store: s, settings: installation.settings, now: start, bootID: BootID.current) {
                    engine.restore(r)
                    if try Recovery.restoreRoutine(store: s, engine: &engine) { log("info: learned routine restored") }
                    log("info: restored from \(s.path): \(r.occupancy.rawValue), last sign of life " +
                        (r.lastSign.map { "\((start.monotonic - $0.monotonic)) ago" } ?? "unknown") + ", \(r.openAlarms.count) open alarms")
                }
            } catch {
                opened = afterFailure(s, error, "what it remembers cannot be read back")
            }
        }
        if let s = opened {
            // Before any new step is queued.
            do {
                try RuntimeServices.handOverDelivery(store: s, installation: installation, at: start.wall, log: log)
            } catch {
                opened = afterFailure(s, error, "its outbox cannot be read")
            }
        }
        if let st = installation.store, let s = opened {
            let w = RuntimeServices.makeWriter(store: s, installation: installation, commitEvery: st.commitEvery.seconds)
            w.start()
            store = s
            writer = w
        } else {
            store = nil
            writer = nil
        }
        let chips = EnvironmentSetup.make(for: installation, start: start.monotonic, log: log)
        let poller = chips.poller
        for s in Recovery.stuckSensors(engine.openAlarms) { poller?.presumeStuck(s) }
        for s in Recovery.faultySensors(engine.openAlarms) { poller?.presumeFaulty(s) }
        environment = poller
        buses = chips.buses
        let gpioSource: InputSource = gpio
        let source: InputSource = poller.map { CompositeSource([gpioSource, $0]) } ?? gpioSource
        loop = RuntimeLoop(engine: engine, source: source, outputs: gpio, clock: clock)
        loop.idleWake = 1.0
        loop.walkTest = walkTest
        if let walkTestEdges { loop.walkTestEdgeLimit = walkTestEdges }
        loop.stopDescriptors = [signals.descriptor]
        reporter = TimelineReporter(style: trace ? .json : style, sensors: installation.sensors,
                                    offset: installation.settings.utcOffset, statusLine: false)
        reporter.includeEvents = trace
        status = StatusBoard(installation: installation, version: version, started: start, writer: writer)
        status.environment = poller
        loop.add(reporter)
        RuntimeServices.attach(to: loop, installation: installation, writer: writer, metrics: metrics, status: status, bootID: BootID.current)
    }

    /// Starts the API (if configured), runs the loop until SIGINT or SIGTERM (or `until`,
    /// for tests); outputs are off and the store flushed on return.
    public func run(until end: MonotonicInstant = .never, log: @escaping @Sendable (String) -> Void = { _ in }) {
        let services = RuntimeServices(installation: installation, loop: loop, store: store, writer: writer, metrics: metrics, status: status)
        services.startAPI(port: apiPort, log: log)
        do {
            try services.startDelivery(log: log)
        } catch {
            log("error: alarm delivery cannot start (\(error)); alarms stay in the outbox until it can")
        }
        let shell = ShellHost.start(installation: installation, loop: loop, status: status, writer: writer,
                                    environment: environment, buses: buses, log: log)
        let notifier = ServiceNotifier()
        loop.notifier = notifier
        // Hardware requested and store open: ready.
        notifier.ready(status: "watching: \(installation.sensors.count) sensors on \(installation.board.name)")
        loop.run(until: end)
        shell?.stop()
        if let writer, !loop.engine.routineState.values.isEmpty {
            writer.enqueue(routine: StoredRoutine(loop.engine.routineState, saved: loop.engine.now.wall))
        }
        services.stop()
    }

    /// p50 and p99 of the walk test's edge-to-buzzer latencies, in microseconds.
    public var walkTestLatency: (p50: Double, p99: Double, count: Int)? {
        let samples = loop.walkTestLatencies.sorted()
        guard !samples.isEmpty else { return nil }
        func q(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(p * Double(samples.count)))]) / 1000 }
        return (q(0.5), q(0.99), samples.count)
    }
}

/// A value set from one thread and read from another (the API's port).
public final class PortBox: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
    public func set(_ v: Int) { lock.lock(); value = v; lock.unlock() }
    public var port: Int { lock.lock(); defer { lock.unlock() }; return value }
}

public enum KizunaVersion {
    public static let current = "0.1.0"
}
