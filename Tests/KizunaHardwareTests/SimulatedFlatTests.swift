import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("Simulated flat")
struct SimulatedFlatTests {
    static let offset = UTCOffset.japan
    static let start = CivilTime.parseISO8601("2026-07-01T00:00:00", defaultOffset: offset)!

    static func flat(_ steps: [ScenarioStep]) -> SimulatedFlat {
        let sensors = SensorRegistry(["pir.living", "door.entrance", "temperature.living"].map { SensorDescriptor(name: $0)! })
        let board = BoardProfile(name: "sim", chips: [ChipProfile(label: "sim", lineCount: 4)], isSimulated: true)
        let wiring = Wiring(inputs: [InputWire(sensor: SensorID(0), line: .address(LineAddress(chipLabel: "sim", offset: 0))),
                                     InputWire(sensor: SensorID(1), line: .address(LineAddress(chipLabel: "sim", offset: 1)))],
                            outputs: [OutputWire(role: .buzzer, line: .address(LineAddress(chipLabel: "sim", offset: 3)))])
        let scenario = Scenario(name: "t", description: "", start: start, duration: .hours(1), utcOffset: offset, steps: steps)
        let origin = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: start)
        return SimulatedFlat(scenario: scenario, board: board, sensors: sensors, inverted: [false, true, false], wiring: wiring, origin: origin)
    }

    static func at(_ seconds: Int64) -> WallTime { start + .seconds(seconds) }

    @Test("a motion raises the PIR line for its pulse; a retrigger extends it")
    func pirPulse() {
        let f = Self.flat([ScenarioStep(at: Self.at(10), action: .motion(room: "living")),
                           ScenarioStep(at: Self.at(11), action: .motion(room: "living"))])
        var obs: [Observation] = []
        f.collect(upTo: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: Self.start).advanced(by: .seconds(20)), into: &obs)
        let edges = obs.compactMap { o -> (Bool, Int64)? in
            if case .level(SensorID(0), let high, let t) = o { (high, t.monotonic.nanoseconds) } else { nil }
        }
        #expect(edges.map(\.0) == [true, false])
        #expect(edges.map(\.1) == [10_000_000_000, 13_500_000_000])
    }

    @Test("a door opening bounces on its (inverted) line and ends open")
    func doorBounce() {
        let f = Self.flat([ScenarioStep(at: Self.at(5), action: .doorOpen(sensor: nil))])
        #expect(f.initialLevels().first { $0.0 == SensorID(1) }?.1 == true)  // NC contact at rest: line high
        var obs: [Observation] = []
        f.collect(upTo: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: Self.start).advanced(by: .seconds(6)), into: &obs)
        let levels = obs.compactMap { o -> Bool? in if case .level(SensorID(1), let high, _) = o { high } else { nil } }
        #expect(levels.count == 5)
        #expect(levels.last == false)  // open: the inverted line is low
    }

    @Test("environmental sensors report every interval with the scenario's value")
    func readings() {
        let f = Self.flat([ScenarioStep(at: Self.at(90), action: .environment(.temperature, value: 31.5, room: nil))])
        var obs: [Observation] = []
        f.collect(upTo: Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: Self.start).advanced(by: .seconds(130)), into: &obs)
        let values = obs.compactMap { o -> Double? in if case .reading(_, let v, _) = o { v } else { nil } }
        #expect(values == [24, 24, 31.5])  // at 0 s, 60 s, 120 s
    }

    @Test("after a collapse the resident does nothing more")
    func collapse() {
        let steps = [ScenarioStep(at: Self.at(0), action: .motion(room: "living"), every: .seconds(60), until: Self.at(600)),
                     ScenarioStep(at: Self.at(300), action: .collapse)]
        let s = Self.flat(steps).scenario
        #expect(s.timeline().map(\.at) == (0..<5).map { Self.at(Int64($0) * 60) })
    }

    @Test("outputs are recorded and switched off")
    func outputs() {
        let f = Self.flat([])
        let t = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: Self.start)
        f.set(.buzzer, on: true, at: t)
        #expect(f.isOn(.buzzer))
        f.allOff()
        #expect(!f.isOn(.buzzer))
        #expect(f.chips["sim"]!.outputLog.map(\.on) == [true, false])
    }
}
