import Foundation
import KizunaCore
import KizunaHardware

/// `kizuna run`: the runtime on the board's real GPIO, in real time, until SIGTERM.
public final class DeviceRun {
    public let installation: Installation
    public let loop: RuntimeLoop
    public let gpio: LinuxGPIO
    let reporter: TimelineReporter
    let signals = SignalWatcher()

    /// Requests the lines and builds the loop. A missing chip or a busy line throws.
    public init(installation: Installation, style: TimelineReporter.Style, trace: Bool, walkTest: Bool,
                walkTestEdges: Int? = nil, log: @escaping (String) -> Void) throws(GPIOError) {
        self.installation = installation
        gpio = try LinuxGPIO(wiring: installation.wiring, consumer: "kizuna", log: log)
        let clock = SystemClock()
        var engine = WatchEngine(settings: installation.settings, start: clock.now())
        for (sensor, level) in gpio.initialLevels() { engine.prime(sensor, rawLevel: level) }
        loop = RuntimeLoop(engine: engine, source: gpio, outputs: gpio, clock: clock)
        loop.idleWake = 1.0
        loop.walkTest = walkTest
        if let walkTestEdges { loop.walkTestEdgeLimit = walkTestEdges }
        loop.stopDescriptors = [signals.descriptor]
        reporter = TimelineReporter(style: trace ? .json : style, sensors: installation.sensors,
                                    offset: installation.settings.utcOffset, statusLine: false)
        reporter.includeEvents = trace
        loop.add(reporter)
    }

    /// Runs until SIGINT or SIGTERM (or `until`, for tests); outputs are off on return.
    public func run(until end: MonotonicInstant = .never) {
        loop.run(until: end)
    }

    /// p50 and p99 of the walk test's edge-to-buzzer latencies, in microseconds.
    public var walkTestLatency: (p50: Double, p99: Double, count: Int)? {
        let samples = loop.walkTestLatencies.sorted()
        guard !samples.isEmpty else { return nil }
        func q(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(p * Double(samples.count)))]) / 1000 }
        return (q(0.5), q(0.99), samples.count)
    }
}
