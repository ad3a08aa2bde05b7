import Testing
@testable import KizunaCore

@Suite("Channel timers")
struct ChannelTimersTests {
    static func at(_ s: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: s * 1_000_000_000) }

    /// One pass as the engine makes it: every word, the due channels in order.
    static func pass(_ timers: inout ChannelTimers, at t: MonotonicInstant) -> [Int] {
        var due: [Int] = []
        var next = MonotonicInstant.never
        timers.beginPass()
        for w in 0..<timers.words {
            var bits = timers.takeDue(word: w, at: t, next: &next)
            while bits != 0 {
                due.append(w << 6 | bits.trailingZeroBitCount)
                bits &= bits &- 1
            }
        }
        timers.endPass(next: next)
        return due
    }

    @Test("what is due fires in channel order across words, is cleared, and the bound becomes the next deadline")
    func dueInOrder() {
        var timers = ChannelTimers(count: 130)
        #expect(timers.words == 3)
        #expect(timers.bound == .never)
        timers.set(129, Self.at(10))
        timers.set(70, Self.at(10))
        timers.set(3, Self.at(10))
        timers.set(64, Self.at(25))
        timers.set(0, Self.at(40))
        #expect(timers.bound == Self.at(10))
        #expect(Self.pass(&timers, at: Self.at(9)).isEmpty)
        #expect(Self.pass(&timers, at: Self.at(10)) == [3, 70, 129])
        #expect(timers.deadline[3] == .never && timers.deadline[70] == .never && timers.deadline[129] == .never)
        #expect(timers.bound == Self.at(25))
        #expect(Self.pass(&timers, at: Self.at(30)) == [64])
        #expect(timers.bound == Self.at(40))
        #expect(Self.pass(&timers, at: Self.at(40)) == [0])
        #expect(timers.bound == .never)
    }

    @Test("a cleared or later deadline leaves the bound early; a pass at it fires nothing and makes it exact")
    func boundIsLower() {
        var timers = ChannelTimers(count: 8)
        timers.set(2, Self.at(10))
        timers.set(5, Self.at(20))
        timers.set(2, .never)        // the PIR rose again before its hold ran out
        #expect(timers.bound == Self.at(10))
        #expect(Self.pass(&timers, at: Self.at(10)).isEmpty)
        #expect(timers.bound == Self.at(20))
        timers.set(5, Self.at(50))   // moved later (a new hold)
        #expect(Self.pass(&timers, at: Self.at(20)).isEmpty)
        #expect(timers.bound == Self.at(50))
        timers.set(7, Self.at(30))   // an earlier one lowers it at once
        #expect(timers.bound == Self.at(30))
        #expect(Self.pass(&timers, at: Self.at(60)) == [5, 7])
    }

    @Test("a flat with 70 PIRs: the episode of the 66th ends when its hold runs out, not before")
    func manyChannels() {
        let names = (0..<70).map { "pir.room\($0)" }
        var settings = EngineSettings(sensors: SensorRegistry(names.map { SensorDescriptor(name: $0)! }))
        settings.pirHold = .seconds(10)
        let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: WallTime(nanosecondsSinceEpoch: 1_782_831_600_000_000_000))
        var engine = WatchEngine(settings: settings, start: t0)
        var out: [Decision] = []
        let pir = settings.sensors.id(named: "pir.room66")!
        let other = settings.sensors.id(named: "pir.room2")!
        engine.handle(.level(pir, high: true, at: t0.advanced(by: .seconds(5))), into: &out)
        engine.handle(.level(pir, high: false, at: t0.advanced(by: .seconds(7))), into: &out)
        engine.handle(.level(other, high: true, at: t0.advanced(by: .seconds(6))), into: &out)
        engine.handle(.level(other, high: false, at: t0.advanced(by: .seconds(7))), into: &out)
        engine.tick(at: t0.advanced(by: .milliseconds(16_999)), into: &out)
        #expect(!engine.ring.oldestFirst.contains { $0.kind == .motionEnded })
        #expect(engine.nextDeadline() == t0.advanced(by: .seconds(17)).monotonic)
        engine.tick(at: t0.advanced(by: .seconds(17)), into: &out)
        let ended = engine.ring.oldestFirst.filter { $0.kind == .motionEnded }
        #expect(ended.map(\.sensor) == [other, pir])   // in channel order
        #expect(ended.allSatisfy { $0.time.monotonic == t0.advanced(by: .seconds(7)).monotonic })
    }
}
