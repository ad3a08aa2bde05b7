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
        let sensors = SensorRegistry(["pir.living", "door.entrance", "button.help", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let engine = WatchEngine(settings: EngineSettings(sensors: sensors),
                                 start: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600)))
        let metrics = KizunaMetrics()
        let recorder = MetricsRecorder(metrics: metrics, sensors: sensors, writer: nil)
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600))   // 01:00:00Z
        let pir = sensors.id(named: "pir.living")!, door = sensors.id(named: "door.entrance")!, temp = sensors.id(named: "temperature.living")!
        let button = sensors.id(named: "button.help")!
        func at(_ minutes: Int64) -> Timestamp { t0.advanced(by: .minutes(minutes)) }

        engine.ring.push(Event(time: at(5), sensor: pir, kind: .motionStarted))
        engine.ring.push(Event(time: at(5), sensor: temp, kind: .reading, value: 24.5))
        recorder.wokeUp(at: at(5), engine: engine)
        engine.ring.push(Event(time: at(20), sensor: pir, kind: .motionEnded))
        engine.ring.push(Event(time: at(40), sensor: door, kind: .doorOpened))
        engine.ring.push(Event(time: at(41), sensor: button, kind: .buttonPressed))
        engine.ring.push(Event(time: at(42), sensor: button, kind: .buttonReleased))
        recorder.wokeUp(at: at(42), engine: engine)
        #expect(Self.events(metrics, "temperature.living") == 1)
        #expect(Self.events(metrics, "pir.living") == nil)     // not within the hour
        #expect(Self.events(metrics, "door.entrance") == nil)
        #expect(Self.events(metrics, "button.help") == nil)    // nor the button, pressed or let go

        engine.ring.push(Event(time: at(61), sensor: pir, kind: .motionStarted))
        recorder.wokeUp(at: at(61), engine: engine)   // 02:01: the hour of 01:00 is published
        #expect(Self.events(metrics, "pir.living") == 2)
        #expect(Self.events(metrics, "door.entrance") == 1)
        #expect(Self.events(metrics, "button.help") == 2)
        recorder.wokeUp(at: at(119), engine: engine)
        #expect(Self.events(metrics, "pir.living") == 2)      // 02:01's motion waits for 03:00
        recorder.wokeUp(at: at(120), engine: engine)
        #expect(Self.events(metrics, "pir.living") == 3)
    }

    @Test("the time since her last sign of life is published in whole hours: it does not fall to 0 when she moves")
    func silenceInWholeHours() {
        let sensors = SensorRegistry(["pir.living"].map { SensorDescriptor(name: $0)! })
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_782_867_600))
        var engine = WatchEngine(settings: EngineSettings(sensors: sensors), start: t0)
        let metrics = KizunaMetrics()
        let recorder = MetricsRecorder(metrics: metrics, sensors: sensors, writer: nil)
        func gauge() -> Double? {
            let prefix = "kizuna_seconds_since_last_activity "
            return metrics.text().split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Double($0.dropFirst(prefix.count)) }
        }
        var out: [Decision] = []
        let pir = sensors.id(named: "pir.living")!
        engine.handle(.level(pir, high: true, at: t0.advanced(by: .minutes(10))), into: &out)
        engine.handle(.level(pir, high: false, at: t0.advanced(by: .minutes(11))), into: &out)
        var seen: [Double] = []
        for minutes: Int64 in [12, 40, 70, 72, 129, 131, 200] {
            let t = t0.advanced(by: .minutes(minutes))
            engine.tick(at: t, into: &out)
            recorder.wokeUp(at: t, engine: engine)
            seen.append(gauge() ?? -1)
        }
        // Last seen moving at 00:11: under an hour, 0; from 01:11, 3600; from 02:11, 7200.
        #expect(seen == [0, 0, 0, 3600, 3600, 7200, 10800])
    }
}
