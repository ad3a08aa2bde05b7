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
}
