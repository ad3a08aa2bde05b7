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

    @Test("unplugged: no values, a fault after 3 failures; replugged: recovery after 5 good answers in a row, and values again")
    func unplugAndReplug() {
        let (bus, model, p) = Self.setUp()
        _ = Self.run(p, until: .seconds(1))
        bus.detach(0x76)
        let gone = Self.run(p, until: .seconds(9))
        #expect(!gone.contains { if case .reading = $0 { true } else { false } })
        let faults = gone.filter { if case .fault(_, .noAcknowledge, _) = $0 { true } else { false } }
        #expect(faults.count == 2)  // both sensors of the chip, once
        bus.attach(model, at: 0x76)
        let early = Self.run(p, until: .seconds(17))   // four good answers (every 2 s)
        #expect(early.isEmpty)
        let back = Self.run(p, until: .seconds(19))    // the fifth
        #expect(back.filter { if case .recovered = $0 { true } else { false } }.count == 2)
        #expect(back.contains { if case .reading(SensorID(0), 25.08, _) = $0 { true } else { false } })
    }

    @Test("a bad cable failing every other transfer is one fault that stays open, not a fault opened and closed again and again")
    func flakyCable() {
        let (bus, _, p) = Self.setUp()
        _ = Self.run(p, until: .seconds(1))
        bus.failNext([.timeout, .timeout, .timeout])   // the chip goes faulty
        var out = Self.run(p, until: .seconds(8))
        #expect(out.filter { if case .fault(SensorID(0), _, _) = $0 { true } else { false } }.count == 1)
        // From now on, every other transfer fails (a BME280 poll is two transfers' worth of
        // answers: the failure falls on alternate polls).
        for k in 0..<40 {
            if k % 2 == 0 { bus.failNext([.timeout]) }
            out += Self.run(p, until: .seconds(8 + 2 * Int64(k + 1)))
        }
        #expect(!out.contains { if case .recovered = $0 { true } else { false } })
        #expect(!out.contains { if case .reading = $0 { true } else { false } })
    }

    @Test("a cable failing at random half the time: a few faults a day, not one every half hour (each recovery within the day makes the next need twice the good answers in a row)")
    func randomlyFailingCable() {
        let (bus, _, p) = Self.setUp()
        _ = Self.run(p, until: .seconds(1))
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        var out: [Observation] = []
        // Six hours of 2 s polls, each failing with probability 1/2 (xorshift, a fixed seed).
        for k in 0..<10_800 {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            if rng & 1 == 0 { bus.failNext([.timeout]) }
            out += Self.run(p, until: .seconds(1 + 2 * Int64(k + 1)))
        }
        let faults = out.filter { if case .fault(SensorID(0), _, _) = $0 { true } else { false } }.count
        let recoveries = out.filter { if case .recovered(SensorID(0), _) = $0 { true } else { false } }.count
        // Without damping: about one fault every 76 polls (~140 here). With it, 5, 10, 20 good
        // answers in a row: the third recovery needs 20 (p = 2^-20 a try).
        #expect(faults >= 1 && faults <= 4, "\(faults) faults")
        #expect(recoveries == faults - 1 || recoveries == faults, "\(recoveries) recoveries")
    }

    @Test("flap damping: the second fault within a day needs 10 good answers to recover, not 5; a day after, 5 again")
    func recoveryDamping() {
        let (bus, _, p) = Self.setUp()
        p.stuckAfter = .max   // the simulated chip's value never moves: not the point here
        _ = Self.run(p, until: .seconds(1))
        var now = Span.seconds(1)
        /// Polls (2 s apart) until `more` has passed; the recoveries of sensor 0 seen.
        func poll(_ more: Span) -> Int {
            now = now + more
            return Self.run(p, until: now).filter { if case .recovered(SensorID(0), _) = $0 { true } else { false } }.count
        }
        bus.failNext([.timeout, .timeout, .timeout])
        #expect(poll(.seconds(6)) == 0)
        #expect(poll(.seconds(8)) == 0)    // four good answers
        #expect(poll(.seconds(2)) == 1)    // the fifth: recovered
        bus.failNext([.timeout, .timeout, .timeout])
        #expect(poll(.seconds(6)) == 0)
        #expect(poll(.seconds(18)) == 0)   // nine good answers: not yet
        #expect(poll(.seconds(2)) == 1)    // the tenth
        #expect(poll(.hours(25)) == 0)     // a day of good answers
        bus.failNext([.timeout, .timeout, .timeout])
        #expect(poll(.seconds(6)) == 0)
        // Five again (within 7 answers; 20 if the day's recoveries were still counted). The
        // conversions (10 ms each) have shifted the polls by 15 min over the day: a window.
        #expect(poll(.seconds(14)) == 1)
    }

    @Test("pollSoon reads a chip at once rather than at its next interval (calibration against a value of now), and the interval goes on from that reading")
    func pollSoon() {
        let (_, model, p) = Self.setUp()
        p.channels[0].interval = .minutes(10)
        _ = Self.run(p, until: .seconds(1))
        #expect(p.latest[SensorID(0)]?.at == Self.t0.advanced(by: .milliseconds(10)))
        #expect(p.nextDeadline() == Self.t0.monotonic + .milliseconds(10) + .minutes(10))
        model.adcTemperature = 530_000   // the room warmed since
        p.pollSoon(SensorID(0), at: Self.t0.monotonic + .minutes(4))
        #expect(p.nextDeadline() == Self.t0.monotonic + .minutes(4))
        _ = Self.run(p, until: .minutes(4) + .seconds(1))
        let fresh = p.latest[SensorID(0)]
        #expect(fresh?.at == Self.t0.advanced(by: .minutes(4) + .milliseconds(10)))
        #expect((fresh?.raw ?? 0) > 25.08)
        #expect(p.nextDeadline() == Self.t0.monotonic + .minutes(14) + .milliseconds(10))
        // Asked for later than the next poll: the next poll stands.
        p.pollSoon(SensorID(0), at: Self.t0.monotonic + .minutes(20))
        #expect(p.nextDeadline() == Self.t0.monotonic + .minutes(14) + .milliseconds(10))
    }

    @Test("a light sensor at 0 lx all night is no stuck sensor; a temperature that never moves is")
    func darkIsNotStuck() {
        let (_, _, p) = Self.setUp()
        p.stuckAfter = 5
        p.stuckKinds = [.temperature]   // humidity, here, is taken as light would be
        let out = Self.run(p, until: .seconds(30))
        #expect(out.contains { if case .fault(SensorID(0), .stuckValue, _) = $0 { true } else { false } })
        #expect(!out.contains { if case .fault(SensorID(1), _, _) = $0 { true } else { false } })
        #expect(out.filter { if case .reading(SensorID(1), _, _) = $0 { true } else { false } }.count == 15)
        #expect(EnvironmentPoller(channels: [], start: Self.t0.monotonic).stuckKinds.contains(.light) == false)
    }

    @Test("a stuck sensor whose chip also stops answering, then answers with the same frozen value: still stuck, no recovery, no reading")
    func stuckThroughATransferFault() {
        let (bus, model, p) = Self.setUp()
        p.stuckAfter = 5
        p.stuckKinds = [.temperature]
        var out = Self.run(p, until: .seconds(14))
        #expect(out.contains { if case .fault(SensorID(0), .stuckValue, _) = $0 { true } else { false } })
        bus.detach(0x76)
        out = Self.run(p, until: .seconds(22))
        #expect(out.contains { if case .fault(SensorID(0), .noAcknowledge, _) = $0 { true } else { false } })
        bus.attach(model, at: 0x76)
        out = Self.run(p, until: .seconds(40))
        #expect(!out.contains { if case .recovered(SensorID(0), _) = $0 { true } else { false } })
        #expect(!out.contains { if case .reading(SensorID(0), _, _) = $0 { true } else { false } })
        #expect(out.contains { if case .recovered(SensorID(1), _) = $0 { true } else { false } })   // humidity answered
        model.adcTemperature = 519_950   // it moves: recovered, and its readings again
        out = Self.run(p, until: .seconds(43))
        #expect(out.contains { if case .recovered(SensorID(0), _) = $0 { true } else { false } })
        #expect(out.contains { if case .reading(SensorID(0), _, _) = $0 { true } else { false } })
    }

    @Test("a sensor whose stuck fault was open at the restart: its frozen value is no reading until it moves")
    func presumedStuckAfterRestart() {
        let (_, model, p) = Self.setUp()
        p.presumeStuck(SensorID(0))
        var out = Self.run(p, until: .seconds(10))
        #expect(!out.contains { if case .reading(SensorID(0), _, _) = $0 { true } else { false } })
        #expect(!out.contains { if case .recovered = $0 { true } else { false } })
        #expect(out.contains { if case .reading(SensorID(1), _, _) = $0 { true } else { false } })
        model.adcTemperature = 519_950
        out = Self.run(p, until: .seconds(13))
        #expect(out.contains { if case .recovered(SensorID(0), _) = $0 { true } else { false } })
        #expect(out.contains { if case .reading(SensorID(0), _, _) = $0 { true } else { false } })
    }

    @Test("a chip whose transfer fault was open at the restart recovers after good answers in a row, not the first")
    func presumedFaultyAfterRestart() {
        let (bus, model, p) = Self.setUp()
        p.presumeFaulty(SensorID(1))   // the restored alarm named the humidity; the chip is one
        // The cable is still bad: every other poll fails. Nothing recovers, nothing is read.
        var out: [Observation] = []
        for k in 0..<20 {
            if k % 2 == 0 { bus.failNext([.timeout]) }
            out += Self.run(p, until: .seconds(2 * Int64(k + 1)))
        }
        #expect(!out.contains { if case .recovered = $0 { true } else { false } })
        #expect(!out.contains { if case .reading = $0 { true } else { false } })
        #expect(!out.contains { if case .fault = $0 { true } else { false } })   // the restored alarm stands; none on top
        bus.failNext([.timeout])   // the last poll of the bad cable fails
        out = Self.run(p, until: .seconds(41))
        #expect(out.isEmpty)
        // Mended: recovered at the fifth good answer, and read again from it.
        let before = model.conversions
        var seconds: Int64 = 41
        while !out.contains(where: { if case .recovered = $0 { true } else { false } }), seconds < 80 {
            seconds += 1
            out += Self.run(p, until: .seconds(seconds))
        }
        #expect(model.conversions - before == 5)
        #expect(out.contains { if case .recovered(SensorID(1), _) = $0 { true } else { false } })
        #expect(out.contains { if case .reading(SensorID(1), _, _) = $0 { true } else { false } })
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

@Suite("Linux I2C bus")
struct LinuxI2CBusTests {
    @Test("a bus that cannot be opened at start is no dead end: its transfers fail as a chip that does not answer, until it can be opened")
    func uncheckedBus() {
        #expect(throws: I2CError.self) { try LinuxI2CBus(number: 250) }   // no /dev/i2c-250 here
        let bus = LinuxI2CBus(unchecked: 250)
        #expect(throws: I2CError.noAcknowledge) { try bus.read(0x76, count: 1) }
    }
}
