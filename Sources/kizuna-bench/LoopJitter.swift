import KizunaCore
import KizunaHardware
import KizunaRuntime

#if canImport(Glibc)
import Glibc
#endif

/// `loop-jitter [SECONDS]`: GPIO edge handling delay while the I2C sensors are polled.
///
/// The real loop (`RuntimeLoop`, system clock) runs with two sources: a pipe that another
/// thread writes "edges" to at random 5–30 ms intervals, each stamped with CLOCK_BOOTTIME
/// as the kernel stamps a GPIO edge, and the environment poller with five chips on a
/// simulated bus every 2 s, each transfer taking as long as on a real 100 kHz bus (90 µs a
/// byte, blocking, as the kernel's ioctl does). The delay of an edge is from its stamp to
/// the moment the loop hands it to the engine.
func benchmarkLoopJitter(seconds: Double) {
    let names = ["pir.living", "temperature.living", "humidity.living", "pressure.living", "co2.living", "voc.living", "light.living",
                 "temperature.bedroom", "humidity.bedroom"]
    let sensors = SensorRegistry(names.map { SensorDescriptor(name: $0)! })
    func id(_ n: String) -> SensorID { sensors.id(named: n)! }
    let bus = SimulatedI2CBus()
    bus.byteTime = .nanoseconds(90_000)
    let clock = SystemClock()
    let start = clock.now()
    let channels = LoopJitterChips.make(bus: bus, id: id)
    let poller = EnvironmentPoller(channels: channels, start: start.monotonic)
    let edges = EdgePipe(sensor: id("pir.living"))
    let loop = RuntimeLoop(engine: WatchEngine(settings: EngineSettings(sensors: sensors), start: start),
                           source: CompositeSource([edges, poller]), outputs: NullOutputs(), clock: clock)
    loop.idleWake = 1.0
    edges.startWriting(for: seconds)
    loop.run(until: start.monotonic + .milliseconds(Int64(seconds * 1000)))
    edges.join()
    var d = edges.delays.sorted()
    guard !d.isEmpty else { print("loop-jitter: no edges"); return }
    func q(_ p: Double) -> Double { Double(d[min(d.count - 1, Int(p * Double(d.count)))]) / 1000 }
    let readings = poller.latest.count
    print("loop-jitter: \(d.count) edges over \(fixed(seconds, 0)) s with \(channels.count) I2C chips every 2 s (\(bus.transfers) transfers, 90 µs/byte); " +
          "edge → engine: p50 \(fixed(q(0.5), 1)) µs, p99 \(fixed(q(0.99), 1)) µs, max \(fixed(Double(d.last!) / 1000, 1)) µs; \(readings) sensors reading")
    d.removeAll()
}

final class NullOutputs: OutputSink {
    func set(_ role: OutputRole, on: Bool, at time: Timestamp) {}
    func allOff() {}
}

/// Edges written to a pipe by another thread, stamped on CLOCK_BOOTTIME.
final class EdgePipe: InputSource, @unchecked Sendable {
    let sensor: SensorID
    var fds: [Int32] = [0, 0]
    var level = false
    var delays: [Int64] = []
    var writer: pthread_t?

    init(sensor: SensorID) {
        self.sensor = sensor
        _ = pipe(&fds)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        delays.reserveCapacity(100_000)
    }

    static func boottime() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    func startWriting(for seconds: Double) {
        let fd = fds[1]
        let end = Self.boottime() + Int64(seconds * 1e9) - 50_000_000
        let box = Unmanaged.passRetained(WriterArgs(fd: fd, end: end))
        var t = pthread_t()
        pthread_create(&t, nil, { arg in
            let args = Unmanaged<WriterArgs>.fromOpaque(arg!).takeRetainedValue()
            var rng = SystemRandomNumberGenerator()
            while EdgePipe.boottime() < args.end {
                var ts = timespec(tv_sec: 0, tv_nsec: Int.random(in: 5_000_000...30_000_000, using: &rng))
                nanosleep(&ts, nil)
                var stamp = EdgePipe.boottime()
                _ = write(args.fd, &stamp, 8)
            }
            return nil
        }, box.toOpaque())
        writer = t
    }

    func join() { if let writer { pthread_join(writer, nil) } }

    var pollDescriptors: [Int32] { [fds[0]] }
    func nextDeadline() -> MonotonicInstant { .never }
    func initialLevels() -> [(SensorID, Bool)] { [(sensor, false)] }

    func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        var stamp: Int64 = 0
        while read(fds[0], &stamp, 8) == 8 {
            delays.append(Self.boottime() - stamp)
            level.toggle()
            observations.append(.level(sensor, high: level, at: Timestamp(monotonic: MonotonicInstant(nanoseconds: stamp), wall: now.wall)))
        }
    }
}

final class WriterArgs {
    let fd: Int32
    let end: Int64
    init(fd: Int32, end: Int64) {
        self.fd = fd
        self.end = end
    }
}
