import Testing
@testable import KizunaCore

@Suite("Input filters")
struct FilterTests {
    static let t0 = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(nanosecondsSinceEpoch: 0))

    /// `toggles` raw edges 2 ms apart, starting from closed; returns what settles.
    static func bounce(toggles: Int, settle: Span) -> [(level: Bool, at: Timestamp)] {
        var d = ContactDebouncer(settle: settle)
        d.prime(false)
        var out: [(level: Bool, at: Timestamp)] = []
        var level = false
        for k in 0..<toggles {
            level.toggle()
            let t = t0.advanced(by: .milliseconds(Int64(2 * k)))
            if d.deadline <= t.monotonic, let r = d.expire() { out.append(r) }
            d.input(level, at: t)
        }
        if let r = d.expire() { out.append(r) }
        return out
    }

    @Test("a bouncing contact yields one change, stamped when it came to rest", arguments: [
        (toggles: 11, changes: 1), (toggles: 9, changes: 1), (toggles: 1, changes: 1),
        (toggles: 10, changes: 0), (toggles: 2, changes: 0),  // a knock: back where it began
    ])
    func bounceFiltering(toggles: Int, changes: Int) {
        let out = Self.bounce(toggles: toggles, settle: .milliseconds(30))
        #expect(out.count == changes)
        if let r = out.first {
            #expect(r.level == true)
            #expect(r.at == Self.t0.advanced(by: .milliseconds(Int64(2 * (toggles - 1)))))
        }
    }

    @Test("a bouncing door through the engine is exactly one open event")
    func doorBounceThroughEngine() {
        var flat = TestFlat()
        let t = flat.t("10:00:00")
        for k in 0..<11 { flat.level("door.entrance", k % 2 == 0, at: t.advanced(by: .milliseconds(Int64(2 * k)))) }
        flat.tick(t.advanced(by: .seconds(1)))
        let doorEvents = flat.events.filter { $0.kind == .doorOpened || $0.kind == .doorClosed }
        #expect(doorEvents.map(\.kind) == [.doorOpened])
        #expect(doorEvents.first?.time == t.advanced(by: .milliseconds(20)))
    }

    @Test("PIR retriggers within the hold merge into one episode that ends when motion was last seen")
    func pirHold() {
        var m = MotionFilter(hold: .seconds(10))
        let t = Self.t0
        #expect(m.input(true, at: t) == .started)
        #expect(m.input(false, at: t.advanced(by: .seconds(2))) == .none)
        #expect(m.input(true, at: t.advanced(by: .seconds(8))) == .none)  // retrigger inside hold
        #expect(m.deadline == .never)
        #expect(m.input(false, at: t.advanced(by: .seconds(10))) == .none)
        #expect(m.deadline == t.monotonic + .seconds(20))
        #expect(m.expire() == .ended(at: t.advanced(by: .seconds(10))))
        #expect(m.input(true, at: t.advanced(by: .seconds(40))) == .started)
    }

    @Test("an inverted (normally closed, active-low) button reads pressed when its line goes low")
    func inversion() {
        var flat = TestFlat { s in s.inverted[3] = true }
        flat.engine.prime(flat.id("button.help"), rawLevel: true)  // released: line high
        let t = flat.t("10:00:00")
        flat.level("button.help", false, at: t)  // pressed
        flat.level("button.help", true, at: t.advanced(by: .milliseconds(300)))
        flat.tick(t.advanced(by: .seconds(1)))
        #expect(flat.events.filter { $0.kind == .buttonPressed }.count == 1)
        #expect(flat.events.first { $0.kind == .buttonPressed }?.time == t)
    }
}
