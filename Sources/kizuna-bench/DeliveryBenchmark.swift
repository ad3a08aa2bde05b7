import Foundation
import KizunaCore
import KizunaNet
import KizunaRuntime
import KizunaStore

/// `delivery-latency URL SECRET_FILE RECEIVER_LOG [N]`: N help calls, each from the moment
/// the ladder raises it (the decision leaves the engine) to the moment the webhook receiver
/// at URL has it: recorder → store writer (commit with fsync) → outbox → delivery worker →
/// signed POST over loopback. The receiver (Tests/Delivery/receiver.py) logs its own
/// receive time; both clocks are this machine's CLOCK_REALTIME. Each call is acknowledged
/// (two more steps delivered) before the next, so every measurement starts from a quiet
/// outbox. Run with Tests/Benchmarks/delivery-latency.sh.
func benchmarkDeliveryLatency(url: String, secretFile: String, receiverLog: String, count: Int) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kizuna-bench-delivery-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try FlatStore(path: dir.appendingPathComponent("k.sqlite").path)
    let writer = StoreWriter(store: store, commitEvery: 5)
    writer.deliveryTargets = ["bench"]
    var settings = DeliverySettings()
    let secret = try String(contentsOfFile: secretFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    settings.webhooks = [.init(name: "bench", endpoint: try HTTPEndpoint(parsing: url), secret: Array(secret.utf8))]
    settings.heartbeatEvery = 3600
    settings.backoff = Backoff(first: 0.01, maximum: 1)
    let delivery = try Delivery(settings: settings, store: store, metrics: nil, started: WallTime(secondsSinceEpoch: 0)) {
        HeartbeatInfo(device: "bench", flat: "bench", version: "bench", uptimeSeconds: 0, openAlarms: 0, faults: [], offset: .utc)
    }
    writer.onOutbox = { delivery.wake() }
    writer.start()
    delivery.start()
    let outbox = Outbox(store: store)
    var expected = 0
    /// Waits until the `n` steps just recorded have been delivered (not merely until the
    /// outbox looks empty: it is empty, too, before the writer has committed them).
    func waitDelivered(_ n: Int) {
        expected += n
        while ((try? outbox.delivered(target: "bench")) ?? 0) < expected { usleep(200) }
    }

    let names = ["pir.living", "button.help"]
    let sensors = SensorRegistry(names.map { SensorDescriptor(name: $0)! })
    let button = SensorID(1)
    var now = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000),
                        wall: WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)))
    var engine = WatchEngine(settings: EngineSettings(sensors: sensors), start: now)
    let recorder = FlatRecorder(writer: writer, sensors: sensors, bootID: "bench")
    recorder.identity = ("bench", "bench", .utc)
    var out: [Decision] = []
    var raisedAt: [Int64: Int64] = [:]
    for _ in 0..<count {
        // Press the button; the contact debouncer reports it once it has settled.
        out.removeAll()
        engine.handle(.level(button, high: true, at: now), into: &out)
        now = now.advanced(by: .seconds(1))
        engine.tick(at: now, into: &out)
        guard case .alarm(let step)? = out.first(where: { if case .alarm(let s) = $0, s.step == .alarm { true } else { false } }) else {
            fatalError("the button raised no alarm")
        }
        raisedAt[Int64(step.alarmID)] = Int64(Date().timeIntervalSince1970 * 1e9)
        recorder.apply(out, engine: engine)
        waitDelivered(1)
        out.removeAll()
        engine.handle(.level(button, high: false, at: now), into: &out)
        now = now.advanced(by: .seconds(1))
        engine.tick(at: now, into: &out)
        _ = engine.acknowledge(alarmID: step.alarmID, by: "bench", at: now, into: &out)
        recorder.apply(out, engine: engine)
        waitDelivered(2)  // acknowledge, resolve
        now = now.advanced(by: .seconds(1))
    }
    delivery.stop()
    writer.stop()

    var latencies: [Double] = []
    for line in try String(contentsOfFile: receiverLog, encoding: .utf8).split(separator: "\n") {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              obj["type"] as? String == "alarm", obj["step"] as? String == "alarm",
              let alarm = (obj["alarm"] as? NSNumber)?.int64Value, let received = (obj["received_ns"] as? NSNumber)?.int64Value,
              let t0 = raisedAt[alarm] else { continue }
        latencies.append(Double(received - t0) / 1e6)
    }
    latencies.sort()
    guard !latencies.isEmpty else { fatalError("the receiver logged no alarm") }
    func q(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] }
    print("delivery: \(latencies.count) of \(count) help calls received; rule firing → webhook received: " +
          "p50 \(fixed(q(0.5), 2)) ms, p99 \(fixed(q(0.99), 2)) ms, max \(fixed(latencies.last!, 2)) ms")
}
