import KizunaCore
import Testing
@testable import KizunaRuntime

/// `kizuna evaluate`'s measures, on a recording small enough to check by hand.
@Suite struct EvaluationTests {
    static let t0 = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    static func at(_ minutes: Int64) -> Timestamp { Recording.stamp(t0 + .minutes(minutes)) }

    /// pir.living moves at 0 and 600 min (falling 1 min later); the door shuts at 300;
    /// a temperature reading at 100 (no sign of life).
    static func recording() -> Recording {
        let sensors = SensorRegistry(["pir.living", "door.entrance", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let obs: [Observation] = [
            .level(SensorID(0), high: true, at: at(0)), .level(SensorID(0), high: false, at: at(1)),
            .reading(SensorID(2), value: 21, at: at(100)),
            .level(SensorID(1), high: false, at: at(300)),
            .level(SensorID(0), high: true, at: at(600)), .level(SensorID(0), high: false, at: at(601)),
        ]
        return Recording(format: .kizuna, sensors: sensors, observations: obs, first: t0, last: t0 + .minutes(601))
    }

    @Test("the next sign of life after a cut: motion starting or a door, not a reading nor motion ending")
    func nextSign() {
        let r = Self.recording()
        #expect(Evaluation.nextSign(r, after: Self.t0 + .seconds(30)) == Self.t0 + .minutes(300))
        #expect(Evaluation.nextSign(r, after: Self.t0 + .minutes(300)) == Self.t0 + .minutes(600))
        #expect(Evaluation.nextSign(r, after: Self.t0 + .minutes(600)) == nil)
    }

    @Test("latency past the next sign: the alarm's delay after it, zero when the alarm came first, misses kept")
    func afterSign() {
        var l = Evaluation.Latencies(detected: [], misses: 0)
        let cut = Self.t0 + .hours(1)
        // Cut at 1 h, the resident would have moved at 9 h, alarm at 10 h: 1 h late.
        Evaluation.afterSign(.hours(9), cut: cut, sign: Self.t0 + .hours(9), into: &l)
        // An alarm before the resident would have moved: 0.
        Evaluation.afterSign(.hours(2), cut: cut, sign: Self.t0 + .hours(9), into: &l)
        Evaluation.afterSign(nil, cut: cut, sign: Self.t0 + .hours(9), into: &l)
        #expect(l.detected == [.hours(1), .zero])
        #expect(l.misses == 1)
    }

    @Test("every cut is reported (time, away, next sign, both latencies) and the false alarms are listed")
    func perCutAndFalseAlarms() {
        let r = Self.recording()
        var settings = r.engineSettings(base: nil)
        settings.routine = nil
        let report = Evaluation.run(r, settings: settings, cuts: 5, seed: 3)
        #expect(report.perCut.map(\.at) == report.cutTimes)
        #expect(report.perCut.count == 5)
        #expect(report.perCut.compactMap(\.routine).sorted() == report.routine.detected.sorted())
        #expect(report.perCut.filter { $0.routine == nil }.count == report.routine.misses)
        #expect(report.perCut.compactMap(\.fixed).sorted() == report.fixed.detected.sorted())
        for c in report.perCut {
            #expect(c.nextSign == Evaluation.nextSign(r, after: c.at))
        }
        // Whether the 5 h silence before the door is a false alarm depends on the hour it falls
        // in (day limit 3 h, night 10 h); either way the list holds exactly the counted alarms.
        #expect(report.falseAlarmSteps.count == report.falseAlarms)
        #expect(report.falseAlarmSteps.allSatisfy { $0.step == .alarm && $0.kind.isInactivity })
    }
}
