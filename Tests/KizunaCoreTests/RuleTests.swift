import Testing
@testable import KizunaCore

/// Each rule one second before and one second after its threshold, by day and at night.
@Suite("Rules at their thresholds")
struct RuleTests {
    /// Runs `setup`, ticks to `check` and returns the alarm steps of `kind` so far.
    static func steps(_ kind: AlarmKind, at check: String, start: String = "09:00:00", configure: (inout EngineSettings) -> Void = { _ in },
                      _ setup: (inout TestFlat) -> Void) -> [AlarmStep] {
        var flat = TestFlat(start: start, configure)
        setup(&flat)
        flat.tick(flat.t(check))
        return flat.steps(kind)
    }

    @Test("inactivity by day: 3 h after the last motion was seen")
    func inactivityByDay() {
        // Motion at 10:00:00, seen until the PIR output fell at 10:00:02.
        let setup: (inout TestFlat) -> Void = { f in f.motion(at: f.t("10:00:00")) }
        #expect(Self.steps(.inactivity, at: "13:00:01", setup).isEmpty)
        let after = Self.steps(.inactivity, at: "13:00:03", setup)
        #expect(after.map(\.step) == [.preAlarm])
        var f = TestFlat()
        #expect(after.first?.at.monotonic == f.t("13:00:02").monotonic)
        f.motion(at: f.t("10:00:00"))
        f.tick(f.t("13:00:03"))
        #expect(f.steps(.inactivity).first?.reason.describe(f.engine.settings.sensors) ==
                "no sign of life for 3h 00m since pir.living (day limit 3h 00m)")
    }

    @Test("inactivity at night: the night limit applies")
    func inactivityAtNight() {
        let configure: (inout EngineSettings) -> Void = { s in s.rules.inactivityAtNight = .hours(6) }
        let setup: (inout TestFlat) -> Void = { f in f.motion(at: f.t("22:59:58")) }
        // Last seen 23:00:00; the night limit of 6 h runs to 05:00:00.
        #expect(Self.steps(.inactivity, at: "+1 04:59:59", start: "22:00:00", configure: configure, setup).isEmpty)
        let s = Self.steps(.inactivity, at: "+1 05:00:01", start: "22:00:00", configure: configure, setup)
        #expect(s.map(\.step) == [.preAlarm])
        if case .silence(_, let limit, let atNight, _) = s.first?.reason {
            #expect(limit == .hours(6) && atNight)
        } else {
            Issue.record("expected a silence reason")
        }
    }

    @Test("a silence that began at night keeps the night limit into the morning (no call for sleeping in)")
    func nightSilenceCrossesIntoDay() {
        let setup: (inout TestFlat) -> Void = { f in f.motion(at: f.t("22:59:58")) }
        // Night limit 10 h from 23:00:00 → 09:00:00, not 07:00 when the day limit of 3 h starts.
        #expect(Self.steps(.inactivity, at: "+1 08:59:59", start: "22:00:00", setup).isEmpty)
        #expect(Self.steps(.inactivity, at: "+1 09:00:01", start: "22:00:00", setup).map(\.step) == [.preAlarm])
    }

    @Test("a day silence begun in bed running into the night takes the night limit; begun out of bed, it keeps the day's")
    func daySilenceIntoNight() {
        let inBed: (inout TestFlat) -> Void = { f in f.motion("pir.bedroom", at: f.t("20:59:58")) }
        // Seen until 21:00:00: by 22:00 the night limit (10 h) applies → 07:00:00.
        #expect(Self.steps(.inactivity, at: "+1 06:59:59", start: "20:00:00", inBed).isEmpty)
        #expect(Self.steps(.inactivity, at: "+1 07:00:01", start: "20:00:00", inBed).map(\.step) == [.preAlarm])
        // In the living room at 19:05 (a collapse in the evening): 3 h, 22:05, not 05:05.
        let living: (inout TestFlat) -> Void = { f in f.motion("pir.living", at: f.t("19:04:58")) }
        #expect(Self.steps(.inactivity, at: "22:04:59", start: "19:00:00", living).isEmpty)
        let s = Self.steps(.inactivity, at: "22:05:01", start: "19:00:00", living)
        #expect(s.map(\.step) == [.preAlarm])
        #expect(s.first?.reason.describe(TestFlat().engine.settings.sensors).contains("day limit") == true)
        // A flat with no bedroom sensor cannot tell an early night: the night limit, as before.
        var f = TestFlat(start: "19:00:00") { $0 = EngineSettings(sensors: SensorRegistry(["pir.living", "door.entrance", "button.help"].map { SensorDescriptor(name: $0)! })) }
        f.motion("pir.living", at: f.t("19:04:58"))
        f.tick(f.t("+1 04:00:00"))
        #expect(f.steps(.inactivity).isEmpty)
    }

    @Test("no inactivity alarm while away")
    func notWhileAway() {
        let s = Self.steps(.inactivity, at: "+1 09:00:00") { f in
            f.motion(at: f.t("09:00:00"))
            f.door(open: true, at: f.t("09:01:00"))
            f.door(open: false, at: f.t("09:01:10"))
        }
        #expect(s.isEmpty)
    }

    @Test("door open by day: 30 min")
    func doorOpenByDay() {
        let setup: (inout TestFlat) -> Void = { f in
            f.motion(at: f.t("09:59:00"))
            f.door(open: true, at: f.t("10:00:00"))
        }
        #expect(Self.steps(.doorOpen, at: "10:29:59", setup).isEmpty)
        let s = Self.steps(.doorOpen, at: "10:30:01", setup)
        #expect(s.map(\.step) == [.preAlarm])
    }

    @Test("door open at night: stricter, 5 min")
    func doorOpenAtNight() {
        let setup: (inout TestFlat) -> Void = { f in
            f.motion(at: f.t("22:59:00"))
            f.door(open: true, at: f.t("23:00:00"))
        }
        #expect(Self.steps(.doorOpen, at: "23:04:59", start: "22:30:00", setup).isEmpty)
        #expect(Self.steps(.doorOpen, at: "23:05:01", start: "22:30:00", setup).map(\.step) == [.preAlarm])
    }

    @Test("a door opened by day is judged by the night limit once night comes")
    func doorOpenIntoNight() {
        let setup: (inout TestFlat) -> Void = { f in f.door(open: true, at: f.t("21:50:00")) }
        #expect(Self.steps(.doorOpen, at: "21:59:59", start: "21:00:00", setup).isEmpty)
        #expect(Self.steps(.doorOpen, at: "22:00:01", start: "21:00:00", setup).map(\.step) == [.preAlarm])
    }

    @Test("PIR stuck: output high without a break for 2 h")
    func pirStuck() {
        let setup: (inout TestFlat) -> Void = { f in f.level("pir.living", true, at: f.t("10:00:00")) }
        #expect(Self.steps(.pirStuck, at: "11:59:59", setup).isEmpty)
        let s = Self.steps(.pirStuck, at: "12:00:01", setup)
        #expect(s.map(\.step) == [.alarm])  // a fault: no pre-alarm for the resident, no repeats
        #expect(s.first?.sensor == TestFlat().id("pir.living"))
    }

    @Test("PIR stuck is judged per PIR: another PIR's brief trigger before does not bring it forward")
    func pirStuckAmongOthers() {
        // pir.bedroom's 2 s trigger at 10:00 was the earliest stuck check (12:00) until its
        // output fell; pir.living stays high from 10:30: its verdict at 12:30, no sooner.
        let setup: (inout TestFlat) -> Void = { f in
            f.motion("pir.bedroom", at: f.t("10:00:00"))
            f.level("pir.living", true, at: f.t("10:30:00"))
        }
        #expect(Self.steps(.pirStuck, at: "12:29:59", setup).isEmpty)
        let s = Self.steps(.pirStuck, at: "12:30:01", setup)
        #expect(s.map(\.sensor) == [TestFlat().id("pir.living")])
        #expect(s.first?.at == TestFlat().t("12:30:00"))
    }

    @Test("a PIR whose line is lost while high (its expander unplugged): its motion ends then, so her silence is timed from it, not held open until the stuck rule or the line's return")
    func pirLostWhileHigh() {
        var f = TestFlat()
        f.motion("pir.bedroom", at: f.t("09:00:00"))
        f.level("pir.living", true, at: f.t("10:00:00"))
        f.engine.handle(.fault(f.id("pir.living"), .offline, at: f.t("10:00:01")), into: &f.decisions)
        // The day limit (3 h) from 10:00:01, when it was last seen moving.
        f.tick(f.t("13:00:00"))
        #expect(f.steps(.inactivity).isEmpty)
        f.tick(f.t("13:00:02"))
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm])
        #expect(f.steps(.pirStuck).isEmpty, "not stuck: lost")
        // Back at 14:00, found low: no sign of life is made of its return.
        f.engine.handle(.recovered(f.id("pir.living"), at: f.t("14:00:00")), into: &f.decisions)
        f.level("pir.living", false, at: f.t("14:00:00"))
        f.tick(f.t("14:05:00"))
        #expect(!f.steps(.inactivity).contains { $0.step == .cancel || $0.step == .resolve })
    }

    @Test("a PIR found stuck whose line is then lost keeps its stuck alarm (a lost line is no sign it is well again)")
    func stuckPIRLost() {
        var f = TestFlat()
        f.motion("pir.bedroom", at: f.t("09:59:00"))
        f.level("pir.living", true, at: f.t("10:00:00"))
        f.tick(f.t("12:00:01"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm])
        f.engine.handle(.fault(f.id("pir.living"), .offline, at: f.t("12:30:00")), into: &f.decisions)
        f.tick(f.t("13:00:00"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm])
    }

    @Test("a stuck PIR no longer hides a silence: inactivity counts from its stuck verdict")
    func stuckPIRDoesNotMaskCollapse() {
        var f = TestFlat()
        f.motion("pir.bedroom", at: f.t("09:59:00"))
        f.level("pir.living", true, at: f.t("10:00:00"))  // stuck high from now on
        f.tick(f.t("+1 00:00:00"))
        #expect(f.steps(.pirStuck).count == 1)
        #expect(!f.steps(.inactivity).isEmpty)
    }

    /// `sensor` retriggering from `from` until `until`: high 3 s, low 5 s (never the 10 s
    /// hold), with a pause of `pause` every `every` cycles (none with `every` 0).
    static func chatter(_ f: inout TestFlat, _ sensor: String = "pir.living", from: String, until: String,
                        pause: Span = .zero, every: Int = 0) {
        var t = f.t(from)
        let end = f.t(until).monotonic
        var n = 0
        while t.monotonic < end {
            f.level(sensor, true, at: t)
            f.level(sensor, false, at: t.advanced(by: .seconds(3)))
            n += 1
            t = t.advanced(by: .seconds(8) + (every > 0 && n % every == 0 ? pause : .zero))
        }
    }

    @Test("a PIR retriggering without a pause for 2 h is stuck too: a fault, and the silence behind it alarms")
    func retriggeringPIR() {
        var f = TestFlat()
        f.motion("pir.bedroom", at: f.t("09:59:00"))
        Self.chatter(&f, from: "10:00:00", until: "+1 00:00:00")
        let stuck = f.steps(.pirStuck)
        #expect(stuck.map(\.step) == [.alarm])
        #expect(stuck.first?.at.monotonic == f.t("12:00:00").monotonic)
        #expect(stuck.first?.reason.describe(f.engine.settings.sensors) ==
                "pir.living retriggering without a pause for 2h 00m, never quiet for 10s")
        // Before: one endless episode, no silence at all. Now the silence counts (from the
        // episode's start) and alarms, and the chatter cancels nothing.
        let silence = f.steps(.inactivity)
        #expect(silence.map(\.step).prefix(2) == [.preAlarm, .alarm])
        #expect(!silence.contains { $0.step == .cancel || $0.step == .resolve })
    }

    @Test("a retriggering PIR is trusted again only after 10 min quiet: its short pauses start no new sign of life")
    func retriggeringPIRRecovers() {
        var f = TestFlat()
        f.motion("pir.bedroom", at: f.t("09:59:00"))
        Self.chatter(&f, from: "10:00:00", until: "12:30:00")
        #expect(f.steps(.pirStuck).count == 1)
        // Then a pause of 5 min every 20 min of chatter: each pause ends an episode, and
        // the next one would have been a sign of life.
        Self.chatter(&f, from: "12:30:00", until: "20:00:00", pause: .minutes(5), every: 150)
        f.tick(f.t("20:00:00"))
        #expect(f.steps(.pirStuck).count == 1)
        #expect(!f.steps(.inactivity).isEmpty)   // the episodes after the verdict were not her
        #expect(!f.steps(.inactivity).contains { $0.step == .cancel || $0.step == .resolve })
        // It stops: its last burst 19:35:00–19:54:55. Quiet for 10 min: trusted again, said so.
        f.tick(f.t("20:04:54"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm])
        f.tick(f.t("20:04:56"))
        let steps = f.steps(.pirStuck)
        #expect(steps.map(\.step) == [.alarm, .resolve])
        #expect(steps.last?.reason.describe(f.engine.settings.sensors) == "pir.living quiet again for 10m 00s")
        // Its next motion is a sign of life again: with another PIR's (an alarm went out:
        // one PIR alone is not enough, `strayTrigger`), the silence alarm resolves.
        f.motion("pir.living", at: f.t("20:30:00"))
        f.motion("pir.bedroom", at: f.t("20:31:00"))
        #expect(f.steps(.inactivity).last?.step == .resolve)
    }

    @Test("a retriggering PIR that falls silent just before its verdict is trusted again 10 min after its last fall")
    func retriggeringStopsAtVerdict() {
        var f = TestFlat()
        Self.chatter(&f, from: "10:00:00", until: "12:00:00")   // last burst 11:59:52–11:59:55
        f.tick(f.t("12:09:54"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm])
        f.tick(f.t("12:09:56"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm, .resolve])
    }

    @Test("a person moving in view with pauses of the hold time is not a stuck PIR")
    func movingWithPausesNotStuck() {
        var f = TestFlat()
        // 15 min of retriggering, then 15 s still, for 6 h.
        Self.chatter(&f, from: "10:00:00", until: "16:00:00", pause: .seconds(15), every: 112)
        f.tick(f.t("16:00:00"))
        #expect(f.steps(.pirStuck).isEmpty)
        #expect(f.steps(.inactivity).isEmpty)
    }

    @Test("with a long hold time (5 min), two hours of real comings and goings are not a retriggering PIR; chatter still is")
    func longHoldNotRetriggering() {
        var f = TestFlat { $0.pirHold = .minutes(5) }
        // 4 h in and out of view: 3 s high, then 40 s to 4 min out of view (never the
        // 5 min hold: one endless episode).
        var t = f.t("10:00:00")
        var n = 0
        while t.monotonic < f.t("14:00:00").monotonic {
            f.level("pir.living", true, at: t)
            f.level("pir.living", false, at: t.advanced(by: .seconds(3)))
            n += 1
            t = t.advanced(by: .seconds(43 + Int64(n * 37 % 200)))
        }
        f.tick(f.t("14:30:00"))
        #expect(f.steps(.pirStuck).isEmpty)
        #expect(f.steps(.inactivity).isEmpty)
        // A failing sensor (3 s high, 5 s low) is still found, 2 h after its chatter began.
        Self.chatter(&f, from: "15:00:00", until: "18:00:00")
        let stuck = f.steps(.pirStuck)
        #expect(stuck.map(\.step) == [.alarm])
        #expect(stuck.first?.at.monotonic == f.t("17:00:00").monotonic)
        #expect(stuck.first?.reason.describe(f.engine.settings.sensors) ==
                "pir.living retriggering without a pause for 2h 00m, never quiet for 10s")
    }

    /// The bedroom PIR last rises at 00:00:00 on day 0; the living-room PIR sees the
    /// resident every morning, and the door is used `doorUses` times.
    static func silentBedroom(doorUses: Int) -> (inout TestFlat) -> Void {
        { f in
            f.motion("pir.bedroom", at: f.t("00:00:00"))
            for day in 0..<3 {
                f.motion("pir.living", at: f.t("+\(day) 08:00:00"))
                if day < doorUses {
                    f.door(open: true, at: f.t("+\(day) 09:00:00"))
                    f.door(open: false, at: f.t("+\(day) 09:00:05"))
                }
            }
        }
    }

    @Test("PIR silent for 3 days while the door is used: suspected dead, at 3 days ± 1 s")
    func pirSilent() {
        let bedroom = TestFlat().id("pir.bedroom")
        #expect(Self.steps(.pirSilent, at: "+2 23:59:59", start: "00:00:00", Self.silentBedroom(doorUses: 3)).isEmpty)
        let s = Self.steps(.pirSilent, at: "+3 00:00:01", start: "00:00:00", Self.silentBedroom(doorUses: 3))
        #expect(s.map(\.sensor) == [bedroom])  // the living-room PIR saw motion: not suspected
        #expect(s.first?.step == .alarm)
        #expect(s.first?.at.monotonic == TestFlat().t("+3 00:00:00").monotonic)
    }

    @Test("PIR silent while the door is not used enough: no verdict until the door is used again")
    func pirSilentNeedsDoorUse() {
        let bedroom = TestFlat().id("pir.bedroom")
        #expect(Self.steps(.pirSilent, at: "+3 12:00:00", start: "00:00:00", Self.silentBedroom(doorUses: 1)).isEmpty)
        let s = Self.steps(.pirSilent, at: "+3 12:00:00", start: "00:00:00") { f in
            Self.silentBedroom(doorUses: 1)(&f)
            f.door(open: true, at: f.t("+3 10:00:00"))
        }
        #expect(s.map(\.sensor) == [bedroom])
        #expect(s.first?.at.monotonic == TestFlat().t("+3 10:00:00").monotonic)
    }
}
