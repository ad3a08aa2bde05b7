import Testing
@testable import KizunaCore

/// "Away until": the authority declares the resident away (a hospital stay, a trip).
@Suite("Declared absence")
struct DeclaredAbsenceTests {
    /// The routine on (ready after a day), two outings needed before "not back" judges by
    /// them: until then the 24 h fallback.
    static func flat() -> TestFlat { NotBackTests.flat() }

    /// Her last sign at 09:00, declared away at 09:30 until `until`.
    static func declared(_ f: inout TestFlat, until: String = "+5 12:00:00") {
        f.motion(at: f.t("09:00:00"))
        f.engine.declareAbsence(until: f.t(until), by: "authority:ops", at: f.t("09:30:00"), into: &f.decisions)
    }

    /// Someone comes in: the door opens at `at` and shuts 5 s later, motion 30 s after it opened.
    static func comesIn(_ f: inout TestFlat, at: String = "+2 15:00:00") {
        let t = f.t(at)
        f.door(open: true, at: t)
        f.door(open: false, at: t.advanced(by: .seconds(5)))
        f.motion(at: t.advanced(by: .seconds(30)))
    }

    /// The visit's length changed in the running engine (`config set occupancy.visit`).
    static func setVisit(_ f: inout TestFlat, _ visit: Span) {
        var s = f.engine.settings
        s.occupancy.visit = visit
        f.engine.reconfigure(s)
    }

    @Test("declared while the flat read home: away at once, no silence alarm for days, and not back 24 h after the declared return")
    func declaredThenNotBack() {
        var f = Self.flat()
        Self.declared(&f, until: "+2 18:00:00")
        #expect(f.engine.state == .away)
        #expect(f.transitions.last?.reason == .declaredAway(until: f.t("+2 18:00:00").wall, by: "authority:ops"))
        #expect(f.engine.declaredAbsence?.by == "authority:ops")
        f.tick(f.t("+3 17:59:59"))
        #expect(f.steps.filter { $0.kind.isInactivity }.isEmpty)
        f.tick(f.t("+3 18:00:00"))
        let notBack = f.steps(.inactivityNotBack)
        #expect(notBack.map(\.step) == [.preAlarm])
        #expect(notBack.first?.at == f.t("+3 18:00:00"))
        #expect(notBack.first?.reason.describe(f.engine.settings.sensors) ==
                "not back: out for 3d 08h since pir.living, declared back 1d 00h ago (limit after the declared return: 1d 00h)")
    }

    @Test("her return ends it once she has been home for the visit's length, and the trip is not learned as an outing")
    func returnEndsIt() {
        var f = Self.flat()
        Self.declared(&f)
        Self.comesIn(&f)
        #expect(f.engine.state == .home)
        // Home for less than 3 h (`occupancy.visit`): it may be a visit, the declaration holds.
        #expect(f.engine.declaredAbsence?.visitSince == f.t("+2 15:00:30"))
        for at in ["+2 16:00:00", "+2 17:00:00", "+2 18:00:00"] { f.motion(at: f.t(at)) }   // she moves about
        f.tick(f.t("+2 18:00:29"))
        #expect(f.engine.declaredAbsence != nil)
        f.tick(f.t("+2 18:00:30"))
        #expect(f.engine.declaredAbsence == nil)
        #expect(f.engine.routineSummary(at: f.t("+2 18:00:30").wall).outings == 0)
        #expect(f.steps.filter { $0.kind.isInactivity }.isEmpty)
        // Home again, the silence rules watch her as before.
        f.tick(f.t("+3 15:00:00"))
        #expect(!f.steps(.inactivity).isEmpty)
    }

    @Test("a visitor who leaves again: the flat is away under the declaration, not back still counts from the declared return")
    func visitorLeaves() {
        var f = Self.flat()
        let until = f.t("+5 12:00:00")
        Self.declared(&f)
        Self.comesIn(&f)
        f.motion(at: f.t("+2 15:40:00"))
        #expect(f.engine.state == .home)
        // The silence rules watch whoever is home meanwhile (her, back early, perhaps).
        #expect(f.engine.inactivity.notBackStart == nil)
        f.door(open: true, at: f.t("+2 15:45:00"))
        f.door(open: false, at: f.t("+2 15:45:05"))
        f.tick(f.t("+2 16:00:05"))                        // no motion for 15 min after the door
        #expect(f.engine.state == .away)
        #expect(f.engine.declaredAbsence?.until == until && f.engine.declaredAbsence?.by == "authority:ops")
        #expect(f.engine.declaredAbsence?.visitSince == nil)
        #expect(f.engine.inactivity.notBackStart == until)
        f.tick(f.t("+6 11:59:59"))
        #expect(f.steps.filter { $0.kind.isInactivity }.isEmpty)
        f.tick(f.t("+6 12:00:00"))                        // the 24 h fallback after the declared return
        #expect(f.steps(.inactivityNotBack).map(\.step) == [.preAlarm])
        #expect(f.steps(.inactivityNotBack).first?.at == f.t("+6 12:00:00"))
        // Out since she left on the first day (her last sign 09:00:02), not since the visitor.
        #expect(f.steps(.inactivityNotBack).first?.reason.describe(f.engine.settings.sensors) ==
                "not back: out for 6d 02h since pir.living, declared back 1d 00h ago (limit after the declared return: 1d 00h)")
        #expect(f.engine.routineSummary(at: f.t("+6 12:00:00").wall).outings == 0)
    }

    @Test("declared while she is still packing: her moving about is a visit, and once she has left the declaration holds")
    func declaredBeforeSheLeft() {
        var f = Self.flat()
        let until = f.t("+3 12:00:00")
        Self.declared(&f, until: "+3 12:00:00")
        #expect(f.engine.state == .away)
        f.motion("pir.bedroom", at: f.t("09:40:00"))       // one PIR alone is held back while away
        f.motion("pir.living", at: f.t("09:41:00"))        // another corroborates: someone is home
        #expect(f.engine.state == .home)
        #expect(f.engine.declaredAbsence?.visitSince != nil)
        f.door(open: true, at: f.t("10:00:00"))
        f.door(open: false, at: f.t("10:00:05"))
        f.tick(f.t("10:15:05"))
        #expect(f.engine.state == .away)
        #expect(f.engine.declaredAbsence?.until == until && f.engine.declaredAbsence?.by == "authority:ops")
        #expect(f.engine.declaredAbsence?.visitSince == nil)
        #expect(f.engine.inactivity.notBackStart == until)
    }

    @Test("a visitor leaving a few minutes before the visit's length is still a visitor: the departure being confirmed decides first")
    func visitorLeavesJustBeforeTheLength() {
        var f = Self.flat()
        let until = f.t("+5 12:00:00")
        Self.declared(&f)
        Self.comesIn(&f)
        for at in ["+2 16:30:00", "+2 17:45:00"] { f.motion(at: f.t(at)) }
        f.door(open: true, at: f.t("+2 17:50:00"))        // 10 min before the visit's 3 h
        f.door(open: false, at: f.t("+2 17:50:05"))
        f.tick(f.t("+2 18:00:30"))
        #expect(f.engine.declaredAbsence?.visitSince != nil)   // held until the departure is decided
        #expect(f.engine.declaredVisitEnds == f.t("+2 18:05:05"))   // 15 min after the door closed
        f.tick(f.t("+2 18:05:06"))
        #expect(f.engine.state == .away)
        #expect(f.engine.declaredAbsence?.until == until && f.engine.declaredAbsence?.visitSince == nil)
        #expect(f.engine.inactivity.notBackStart == until)
    }

    @Test("a visitor who moves after using the door stays: the visit's end comes as soon as the departure is called off")
    func visitorStaysAfterTheDoor() {
        var f = Self.flat()
        Self.declared(&f)
        Self.comesIn(&f)
        // Moving about (two rooms: it ends the silence alarm her quiet hour may have raised;
        // the door alone would not).
        for at in ["+2 16:30:00", "+2 17:45:00"] { f.motion("pir.bedroom", at: f.t(at).advanced(by: .seconds(-30))); f.motion(at: f.t(at)) }
        f.door(open: true, at: f.t("+2 17:50:00"))        // the door (taking the bin out), then back in
        f.door(open: false, at: f.t("+2 17:50:05"))
        f.motion(at: f.t("+2 18:01:00"))                  // after the visit's 3 h: she is back
        #expect(f.engine.state == .home)
        f.tick(f.t("+2 18:01:01"))
        #expect(f.engine.declaredAbsence == nil)
    }

    @Test("a visit teaches the routine nothing; withdrawn during it, her signs are learned again")
    func visitNotLearnedAndWithdrawn() {
        var f = Self.flat()
        Self.declared(&f)
        Self.comesIn(&f)
        #expect(f.engine.inactivity.nextLearn == WallTime(nanosecondsSinceEpoch: .max))
        #expect(f.engine.endDeclaredAbsence(at: f.t("+2 15:30:00"), into: &f.decisions))
        #expect(f.engine.declaredAbsence == nil && f.engine.state == .home)
        #expect(f.engine.inactivity.nextLearn < f.t("+2 15:31:00").wall)   // the next sign is learned
        f.motion(at: f.t("+2 15:31:00"))
        #expect(f.engine.inactivity.nextLearn > f.t("+2 15:31:00").wall)   // it was: the routine answered
    }

    @Test("the visit's length set to 0 during a visit: her return at once")
    func visitLengthReconfigured() {
        var f = Self.flat()
        Self.declared(&f)
        Self.comesIn(&f)
        Self.setVisit(&f, .zero)
        f.tick(f.t("+2 15:01:00"))
        #expect(f.engine.declaredAbsence == nil)
    }

    @Test("someone home when the declared return comes: she is back, the declaration ends then")
    func homeAtTheDeclaredReturn() {
        var f = Self.flat()
        Self.declared(&f, until: "+1 18:00:00")
        Self.comesIn(&f, at: "+1 17:00:00")
        f.tick(f.t("+1 17:59:59"))
        #expect(f.engine.declaredAbsence?.visitSince == f.t("+1 17:00:30"))
        f.tick(f.t("+1 18:00:00"))
        #expect(f.engine.declaredAbsence == nil)
    }

    @Test("with no visit length (occupancy.visit: 0) any presence is her return")
    func noVisits() {
        var f = Self.flat()
        Self.setVisit(&f, .zero)
        Self.declared(&f)
        Self.comesIn(&f)
        #expect(f.engine.state == .home)
        #expect(f.engine.declaredAbsence == nil)
    }

    @Test("a declaration resolves the silence alarm in progress")
    func resolvesOpenAlarm() {
        var f = Self.flat()
        f.motion(at: f.t("09:00:00"))
        f.tick(f.t("12:10:00"))                           // the fixed 3 h day limit meanwhile
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm, .alarm])
        f.engine.declareAbsence(until: f.t("+3 12:00:00"), by: "authority:ops", at: f.t("12:20:00"), into: &f.decisions)
        let last = f.steps(.inactivity).last
        #expect(last?.step == .resolve && last?.reason == .declaredAway(by: "authority:ops"))
        #expect(f.engine.openAlarms.isEmpty)
    }

    @Test("withdrawn, not back counts from her departure again")
    func withdrawn() {
        var f = Self.flat()
        Self.declared(&f)
        #expect(f.engine.endDeclaredAbsence(at: f.t("+1 08:00:00"), into: &f.decisions))
        #expect(!f.engine.endDeclaredAbsence(at: f.t("+1 08:00:01"), into: &f.decisions))
        #expect(f.engine.state == .away)
        f.tick(f.t("+1 09:00:03"))
        // Her last sign was the motion of 09:00 (it ended 2 s later, with the PIR's hold).
        #expect(f.steps(.inactivityNotBack).first?.step == .preAlarm)
        #expect(f.steps(.inactivityNotBack).first.map { $0.at.wall >= f.t("+1 09:00:00").wall } == true)
    }

    @Test("a restart keeps the declaration while the flat is away, and while someone is home takes them for a visit counted from the restart")
    func restart() {
        let until = Self.flat().t("+2 18:00:00")
        let declared = DeclaredAbsence(until: until, by: "authority:ops")
        for state in [OccupancyState.away, .home] {
            var f = Self.flat()
            // Home: someone moving in the living room (the door then nothing would be a departure).
            let last = state == .home ? f.id("pir.living") : f.id("door.entrance")
            f.engine.restore(WatchEngine.Recollection(occupancy: state, lastSign: f.t("09:00:00"), lastSignSensor: last,
                                                      lastMotion: state == .home ? [last: f.t("09:00:00")] : [:], openAlarms: [],
                                                      nextAlarmID: 1, declaredAbsence: declared))
            #expect(f.engine.declaredAbsence?.until == until)
            #expect(f.engine.declaredAbsence?.visitSince == (state == .home ? f.engine.now : nil))
            #expect(f.engine.inactivity.notBackStart == (state == .away ? until : nil))
            if state == .home {
                f.tick(f.engine.now.advanced(by: .hours(3)))
                #expect(f.engine.declaredAbsence == nil)
            }
        }
    }
}
