// Benchmarks. Run: swift run -c release kizuna-bench [engine [events]]
//   engine [N]              events per second through the engine and allocations per event
//   store-append [N] [B]    events appended per second through the store writer, batches of B
//   store-fill PATH N       a store with N synthetic events (for the HTTP export benchmark)
//   casas-bytes FILE        a CASAS recording through engine and store: bytes written per day
//   loop-jitter [SECONDS]   GPIO edge handling delay with five I2C chips polled every 2 s
//   delivery-latency URL SECRET LOG [N]   rule firing → webhook received (Tests/Benchmarks/delivery-latency.sh)
//   replay-speed FILE... --format F   parse + replay, and replay alone, in events/s (default ../shared/data/nears-0104)
//   uci-occupancy [FILE...] light+CO2 presence vs the UCI office's ground truth (default ../shared/data/uci-occupancy/*.txt)
import CAllocCounter
import KizunaCore

#if canImport(Glibc)
import Glibc
#endif

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    let whole = Int(scaled / scale)
    var frac = String(Int(abs(scaled) - abs(Double(whole)) * scale))
    while frac.count < digits { frac = "0" + frac }
    return digits == 0 ? "\(whole)" : "\(whole).\(frac)"
}

let names = ["pir.living", "pir.kitchen", "pir.bedroom", "pir.bathroom", "door.entrance", "button.help"]
let registry = SensorRegistry(names.map { SensorDescriptor(name: $0)! })
let start = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                      wall: CivilTime.parseISO8601("2026-07-01T07:00:00", defaultOffset: .japan)!)

/// An input mix made up front, so that making it is not measured: PIRs retriggering in
/// turn every 200 ms of virtual time, a quiet minute every 64 edges (episodes end, resting
/// timers run), and the door used every 500 edges.
func makeObservations(_ n: Int) -> [Observation] {
    var out: [Observation] = []
    out.reserveCapacity(n)
    var t = start
    var level = [Bool](repeating: false, count: names.count)
    var k = 0
    while out.count < n {
        t = t.advanced(by: k % 64 == 63 ? .seconds(60) : .milliseconds(200))
        let s = k % 500 == 499 ? 4 : k % 4
        level[s].toggle()
        out.append(.level(SensorID(s), high: level[s], at: t))
        k += 1
    }
    return out
}

/// Feeds `count` observations through one engine; the loop's work between wake-ups
/// (applying decisions) is reduced to clearing the buffer every 256 events.
func benchmarkEngine(count: Int) {
    let observations = makeObservations(1 << 20)
    var engine = WatchEngine(settings: EngineSettings(sensors: registry), start: start)
    var decisions: [Decision] = []
    decisions.reserveCapacity(1024)
    for o in observations.prefix(10_000) { engine.handle(o, into: &decisions) }  // warm-up
    decisions.removeAll(keepingCapacity: true)

    // The observations repeat; each pass is shifted forward in time.
    let passSpan = observations.last!.time.monotonic - observations.first!.time.monotonic + .milliseconds(200)
    var offset = Span.zero
    var handled = 0
    let allocationsBefore = kz_allocation_count()
    let t0 = monotonicNow()
    while handled < count {
        var n = 0
        for o in observations {
            guard case .level(let s, let high, let at) = o else { continue }
            engine.handle(.level(s, high: high, at: at.advanced(by: offset)), into: &decisions)
            n &+= 1
            if n & 255 == 0 { decisions.removeAll(keepingCapacity: true) }
        }
        handled += observations.count
        offset = offset + passSpan
    }
    let elapsed = monotonicNow() - t0
    let allocations = kz_allocation_count() - allocationsBefore
    print("engine: \(handled) events in \(fixed(elapsed, 3)) s = \(fixed(Double(handled) / elapsed / 1e6, 1)) M events/s")
    print("engine: \(allocations) heap allocations = \(fixed(Double(allocations) / Double(handled), 6)) per event")
    print("engine: ring capacity \(engine.ring.capacity), pushed \(engine.ring.pushed), overwritten \(engine.ring.overwritten); state \(engine.state.rawValue)")
}

func benchmarkRing(count: Int) {
    let ring = EventRing<Event>(capacity: 4096)
    let e = Event(time: start, sensor: SensorID(0), kind: .motionStarted)
    let before = kz_allocation_count()
    let t0 = monotonicNow()
    for i in 0..<count {
        var ev = e
        ev.value = Double(i)
        ring.push(ev)
    }
    let elapsed = monotonicNow() - t0
    let allocations = kz_allocation_count() - before
    print("ring: \(fixed(Double(count) / elapsed / 1e6, 1)) M pushes/s, \(allocations) heap allocations, overwritten \(ring.overwritten)")
}

let args = Array(CommandLine.arguments.dropFirst())
func arg(_ i: Int) -> String? { i < args.count ? args[i] : nil }
do {
    switch args.first {
    case "store-append":
        try benchmarkStoreAppend(count: arg(1).flatMap { Int($0) } ?? 1_000_000, batch: arg(2).flatMap { Int($0) } ?? 1000)
    case "store-fill":
        guard let path = arg(1), let n = arg(2).flatMap({ Int($0) }) else { fatalError("usage: store-fill PATH N") }
        try storeFill(path: path, count: n)
    case "loop-jitter":
        benchmarkLoopJitter(seconds: arg(1).flatMap { Double($0) } ?? 60)
    case "delivery-latency":
        guard let url = arg(1), let secret = arg(2), let log = arg(3) else { fatalError("usage: delivery-latency URL SECRET_FILE RECEIVER_LOG [N]") }
        try benchmarkDeliveryLatency(url: url, secretFile: secret, receiverLog: log, count: arg(4).flatMap { Int($0) } ?? 1000)
    case "casas-bytes":
        try benchmarkCASASBytes(file: arg(1) ?? "../shared/data/casas-al/data")
    case "replay-speed":
        try benchmarkReplaySpeed(arguments: Array(args.dropFirst()))
    case "uci-occupancy":
        try benchmarkUCIOccupancy(files: args.count > 1 ? Array(args.dropFirst()) : uciOccupancyFiles(in: "../shared/data/uci-occupancy"))
    default:
        let count = (args.first == "engine" ? arg(1) : args.first).flatMap { Int($0) } ?? 50_000_000
        benchmarkEngine(count: count)
        benchmarkRing(count: count)
    }
} catch {
    print("kizuna-bench: \(error)")
    exit(1)
}
