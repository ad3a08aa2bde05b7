import Testing
@testable import KizunaCore

/// A restart after the device was off while a limit passed.
struct RestoreOverdueTests {
    @Test("a silence whose limit passed while the device was off: the pre-alarm sounds at the boot, the network alarm after its whole grace")
    func overdueAtBoot() {
        let f = TestFlat()   // fixed limits: 3 h by day, 3 min of grace
        var g = f
        g.engine = WatchEngine(settings: f.engine.settings, start: f.t("14:00:00"))
        g.engine.restore(.init(occupancy: .home, lastSign: f.t("09:00:00"), lastSignSensor: f.id("pir.living"),
                               lastMotion: [:], openAlarms: [], nextAlarmID: 1))
        g.tick(g.t("14:00:00"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm])
        #expect(g.steps(.inactivity).first?.at == g.t("14:00:00"))
        g.tick(g.t("14:02:59"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm])
        g.tick(g.t("14:03:00"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm, .alarm])
        #expect(g.steps(.inactivity).last?.at == g.t("14:03:00"))
    }

    @Test("a limit still ahead at the boot comes at its own time, as if the device had never stopped")
    func aheadAtBoot() {
        let f = TestFlat()
        var g = f
        g.engine = WatchEngine(settings: f.engine.settings, start: f.t("10:00:00"))
        g.engine.restore(.init(occupancy: .home, lastSign: f.t("09:00:00"), lastSignSensor: f.id("pir.living"),
                               lastMotion: [:], openAlarms: [], nextAlarmID: 1))
        g.tick(g.t("12:00:00"))
        #expect(g.steps(.inactivity).first?.at == g.t("12:00:00"))
        #expect(g.steps(.inactivity).map(\.step) == [.preAlarm])
    }

    @Test("a restart minutes after she went out by the door: the departure is still decided (no false silence alarm); motion after the door keeps her home")
    func departureAcrossARestart() {
        let f = TestFlat()   // away 15 min after the door with no motion; 3 h by day
        for (boot, motionAfter) in [("10:05:00", false), ("10:30:00", false), ("10:05:00", true)] {
            var g = f
            g.engine = WatchEngine(settings: f.engine.settings, start: f.t(boot))
            let lastMotion = motionAfter ? f.t("10:01:00") : f.t("09:58:00")
            g.engine.restore(.init(occupancy: .home, lastSign: motionAfter ? f.t("10:01:10") : f.t("10:00:00"),
                                   lastSignSensor: motionAfter ? f.id("pir.living") : f.id("door.entrance"),
                                   lastMotion: [f.id("pir.living"): lastMotion], openAlarms: [], nextAlarmID: 1))
            g.tick(g.t(boot))
            g.tick(g.t("10:14:59"))
            if motionAfter {
                g.tick(g.t("16:00:00"))
                #expect(g.engine.state != .away)
                #expect(g.steps(.inactivity).first?.step == .preAlarm)   // at home: the silence is watched
                continue
            }
            // Out at 10:15 (or at the boot, if that was later), as without the restart.
            #expect(g.engine.state == (boot == "10:05:00" ? .home : .away), "boot \(boot)")
            g.tick(g.t("10:15:00"))
            #expect(g.engine.state == .away, "boot \(boot)")
            g.tick(g.t("16:00:00"))
            #expect(g.steps(.inactivity).isEmpty, "boot \(boot)")
        }
        // Restored as `unknown` (she came in by that door while the flat read away): no
        // departure; a fall in the entrance is still a silence at home.
        var h = f
        h.engine = WatchEngine(settings: f.engine.settings, start: f.t("14:05:00"))
        h.engine.restore(.init(occupancy: .unknown, lastSign: f.t("14:00:05"), lastSignSensor: f.id("door.entrance"),
                               lastMotion: [f.id("pir.living"): f.t("09:00:00")], openAlarms: [], nextAlarmID: 1))
        h.tick(h.t("17:10:00"))
        #expect(h.engine.state != .away)
        #expect(h.steps(.inactivity).first?.step == .preAlarm)
    }

    /// The engine of `f` restarted at `boot` with `alarms` open (her last sign at `boot`).
    static func rebooted(_ f: TestFlat, at boot: String, alarms: [OpenAlarm]) -> TestFlat {
        var g = f
        g.engine = WatchEngine(settings: f.engine.settings, start: f.t(boot))
        g.engine.restore(.init(occupancy: .home, lastSign: f.t(boot), lastSignSensor: f.id("pir.living"),
                               lastMotion: [:], openAlarms: alarms, nextAlarmID: 10))
        return g
    }

    @Test("an alarm whose repeats came due while the device was off: one repeat at the boot, the next 15 min after it (not one for every 15 min it was dark)")
    func repeatsAfterBoot() {
        let f = TestFlat()
        let open = OpenAlarm(id: 3, kind: .help, sensor: f.id("button.help"), raisedAt: f.t("01:30:00"), phase: .alarm,
                             repeats: 2, deadline: f.t("02:15:00").monotonic, reason: .helpButton(f.id("button.help")))
        var g = Self.rebooted(f, at: "12:00:00", alarms: [open])
        g.tick(g.t("12:00:00"))
        #expect(g.steps(.help).map(\.step) == [.repeat])
        #expect(g.steps(.help).first?.at == g.t("12:00:00"))
        #expect(g.steps(.help).first?.reason == .stillUnacknowledged(times: 3))
        g.tick(g.t("12:14:59"))
        #expect(g.steps(.help).count == 1)
        g.tick(g.t("12:15:00"))
        #expect(g.steps(.help).map(\.at) == [g.t("12:00:00"), g.t("12:15:00")])
    }

    @Test("a sensor fault still open after a restart: the sensor's first reading resolves it, and its readings count again (heat, cold)")
    func sensorFaultAfterBoot() {
        let f = TestFlat()
        let t = f.id("temperature.living")
        let open = OpenAlarm(id: 4, kind: .sensorFault, sensor: t, raisedAt: f.t("08:00:00"), phase: .alarm,
                             repeats: 0, deadline: f.t("12:15:00").monotonic, reason: .sensorFault(t, .noAcknowledge))
        var g = Self.rebooted(f, at: "12:00:00", alarms: [open])
        #expect(g.engine.environment.isFaulted(t))
        g.engine.handle(.reading(t, value: 24.5, at: g.t("12:00:30")), into: &g.decisions)
        #expect(g.steps(.sensorFault).map(\.step) == [.resolve])
        #expect(g.steps(.sensorFault).first?.reason == .sensorRecovered(t))
        #expect(!g.engine.environment.isFaulted(t))
        #expect(g.engine.environment.latest[Int(t.index)] == 24.5)
    }

    @Test("a PIR stuck or silent alarm still open after a restart is resolved by the PIR's next fall or rise")
    func pirAlarmsAfterBoot() {
        let f = TestFlat()
        let living = f.id("pir.living"), bedroom = f.id("pir.bedroom")
        let stuck = OpenAlarm(id: 5, kind: .pirStuck, sensor: living, raisedAt: f.t("08:00:00"), phase: .alarm, repeats: 0,
                              deadline: .never, reason: .pirStuck(living, for: .hours(2)))
        let silent = OpenAlarm(id: 6, kind: .pirSilent, sensor: bedroom, raisedAt: f.t("08:00:00"), phase: .alarm, repeats: 0,
                               deadline: .never, reason: .pirSilent(bedroom, for: .hours(72), doorUses: 5))
        var g = Self.rebooted(f, at: "12:00:00", alarms: [stuck, silent])
        g.level("pir.living", true, at: g.t("12:01:00"))
        g.level("pir.living", false, at: g.t("12:01:05"))
        #expect(g.steps(.pirStuck).map(\.step) == [.resolve])
        #expect(g.steps(.pirSilent).isEmpty)
        g.motion("pir.bedroom", at: g.t("12:02:00"))
        #expect(g.steps(.pirSilent).map(\.step) == [.resolve])
    }

    @Test("a PIR found retriggering before a restart stays untrusted after it: its chatter cancels nothing, a quiet of 10 min resolves it")
    func retriggeringAfterBoot() {
        let f = TestFlat()
        let living = f.id("pir.living")
        // As the store gives it back: the words it was recorded with.
        let stuck = OpenAlarm(id: 5, kind: .pirStuck, sensor: living, raisedAt: f.t("08:00:00"), phase: .alarm, repeats: 0, deadline: .never,
                              reason: .restored("pir.living retriggering without a pause for 2h 00m, never quiet for 10s"))
        var g = Self.rebooted(f, at: "12:00:00", alarms: [stuck])
        RuleTests.chatter(&g, from: "12:01:00", until: "12:30:00")
        #expect(g.steps(.pirStuck).isEmpty)   // a held-high one would have resolved at the first fall
        #expect(!g.engine.openAlarms.filter { $0.kind == .pirStuck }.isEmpty)
        g.tick(g.t("12:39:50"))
        #expect(g.steps(.pirStuck).isEmpty)
        g.tick(g.t("12:40:00"))
        #expect(g.steps(.pirStuck).map(\.step) == [.resolve])
    }
}
