import KizunaCore
import KizunaNet
import Testing
@testable import KizunaRuntime

@Suite("Metrics from the loop")
struct MetricsRecorderTests {
    /// The value of `kizuna_events_total{sensor="…"}` in the exposition text, nil if absent.
    static func events(_ metrics: KizunaMetrics, _ sensor: String) -> Int? {
        let prefix = "kizuna_events_total{sensor=\"\(sensor)\"} "
        return metrics.text().split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) }
    }

    @Test("her movements reach /metrics only by the whole hour; readings at once")
    func signsByTheHour() {
        let sensors = SensorRegistry(["pir.living", "door.entrance", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let engine = WatchEngine(settings: EngineSettings(sensors: sensors),
                                 start: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600)))
        let metrics = KizunaMetrics()
        let recorder = MetricsRecorder(metrics: metrics, sensors: sensors, writer: nil)
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600))   // 01:00:00Z
        let pir = sensors.id(named: "pir.living")!, door = sensors.id(named: "door.entrance")!, temp = sensors.id(named: "temperature.living")!
        func at(_ minutes: Int64) -> Timestamp { t0.advanced(by: .minutes(minutes)) }

        engine.ring.push(Event(time: at(5), sensor: pir, kind: .motionStarted))
        engine.ring.push(Event(time: at(5), sensor: temp, kind: .reading, value: 24.5))
        recorder.wokeUp(at: at(5), engine: engine)
        engine.ring.push(Event(time: at(20), sensor: pir, kind: .motionEnded))
        engine.ring.push(Event(time: at(40), sensor: door, kind: .doorOpened))
        recorder.wokeUp(at: at(40), engine: engine)
        #expect(Self.events(metrics, "temperature.living") == 1)
        #expect(Self.events(metrics, "pir.living") == nil)     // not within the hour
        #expect(Self.events(metrics, "door.entrance") == nil)

        engine.ring.push(Event(time: at(61), sensor: pir, kind: .motionStarted))
        recorder.wokeUp(at: at(61), engine: engine)   // 02:01: the hour of 01:00 is published
        #expect(Self.events(metrics, "pir.living") == 2)
        #expect(Self.events(metrics, "door.entrance") == 1)
        recorder.wokeUp(at: at(119), engine: engine)
        #expect(Self.events(metrics, "pir.living") == 2)      // 02:01's motion waits for 03:00
        recorder.wokeUp(at: at(120), engine: engine)
        #expect(Self.events(metrics, "pir.living") == 3)
    }
}
