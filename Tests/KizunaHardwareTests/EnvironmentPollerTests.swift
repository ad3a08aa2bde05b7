import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("Environment poller")
struct EnvironmentPollerTests {
    static let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: WallTime(secondsSinceEpoch: 1_782_867_600))

    /// A BME280 on a simulated bus feeding sensors 0 (temperature) and 1 (humidity).
    static func setUp(calibration: Calibration = .none) -> (SimulatedI2CBus, BME280Model, EnvironmentPoller) {
        let bus = SimulatedI2CBus()
        let model = BME280Model(calibration: BME280Tests.datasheet)
        model.adcTemperature = 519_888
        model.adcPressure = 415_148
        model.adcHumidity = 30_000
        bus.attach(model, at: 0x76)
        let channel = EnvironmentChannel(driver: BME280(bus: bus), sensors: [.temperature: SensorID(0), .humidity: SensorID(1)],
                                         interval: .seconds(2), calibration: [SensorID(0): calibration], location: "sim 0x76")
        return (bus, model, EnvironmentPoller(channels: [channel], start: t0.monotonic))
    }

    /// Runs the poller's timers up to `until`, as the loop would.
    static func run(_ p: EnvironmentPoller, until: Span) -> [Observation] {
        var out: [Observation] = []
        let end = t0.monotonic + until
        while p.nextDeadline() <= end {
            let at = t0.advanced(to: p.nextDeadline())
            p.collect(upTo: at, into: &out)
        }
        return out
    }

    @Test("a conversion is started, then read when its wait is over, on the loop's timers")
    func conversionOnTimers() {
        let (_, model, p) = Self.setUp()
        var out: [Observation] = []
        p.collect(upTo: Self.t0, into: &out)
        #expect(out.isEmpty && model.conversions == 1)
        #expect(p.nextDeadline() == Self.t0.monotonic + .milliseconds(10))  // the BME280's conversion time
        p.collect(upTo: Self.t0.advanced(by: .milliseconds(10)), into: &out)
        #expect(out.count == 2)
        #expect(out.first == .reading(SensorID(0), value: 25.08, at: Self.t0.advanced(by: .milliseconds(10))))
        if case .reading(let s, let v, _)? = out.last { #expect(s == SensorID(1) && abs(v - 56.75) < 0.05) } else { Issue.record("no humidity") }
        #expect(p.nextDeadline() == Self.t0.monotonic + .milliseconds(10) + .seconds(2))
    }

    @Test("the calibration offset is applied; the raw value is kept beside it")
    func calibration() {
        let (_, _, p) = Self.setUp(calibration: .offset(-0.58))
        _ = Self.run(p, until: .milliseconds(20))
        let v = p.latest[SensorID(0)]
        #expect(v?.raw == 25.08)
        #expect(abs((v?.calibrated ?? 0) - 24.5) < 1e-9)
        #expect(Calibration.twoPoint(raw1: 20, reference1: 21, raw2: 30, reference2: 32).apply(25) == 26.5)
    }

    @Test("unplugged: no values, a fault after 3 failures; replugged: recovery and values again")
    func unplugAndReplug() {
        let (bus, model, p) = Self.setUp()
        _ = Self.run(p, until: .seconds(1))
        bus.detach(0x76)
        let gone = Self.run(p, until: .seconds(9))
        #expect(!gone.contains { if case .reading = $0 { true } else { false } })
        let faults = gone.filter { if case .fault(_, .noAcknowledge, _) = $0 { true } else { false } }
        #expect(faults.count == 2)  // both sensors of the chip, once
        bus.attach(model, at: 0x76)
        let back = Self.run(p, until: .seconds(13))
        #expect(back.filter { if case .recovered = $0 { true } else { false } }.count == 2)
        #expect(back.contains { if case .reading(SensorID(0), 25.08, _) = $0 { true } else { false } })
    }

    @Test("a brief glitch (one failed transfer) is no fault")
    func glitch() {
        let (bus, _, p) = Self.setUp()
        _ = Self.run(p, until: .seconds(1))
        bus.failNext([.arbitrationLost])
        let out = Self.run(p, until: .seconds(10))
        #expect(!out.contains { if case .fault = $0 { true } else { false } })
        #expect(out.contains { if case .reading = $0 { true } else { false } })
    }

    @Test("a value that never changes is a stuck sensor, not a reading; it recovers when it moves")
    func stuck() {
        let (_, model, p) = Self.setUp()
        p.stuckAfter = 5
        let out = Self.run(p, until: .seconds(20))
        let firstFault = out.firstIndex { if case .fault(SensorID(0), .stuckValue, _) = $0 { true } else { false } }
        #expect(firstFault != nil)
        let after = out[(firstFault ?? 0)...]
        #expect(!after.contains { if case .reading(SensorID(0), _, _) = $0 { true } else { false } })
        model.adcTemperature = 519_950
        let moved = Self.run(p, until: .seconds(23))
        #expect(moved.contains { if case .recovered(SensorID(0), _) = $0 { true } else { false } })
    }
}
