import Testing
@testable import KizunaCore

/// The entrance door as the device finds it at a start or a restart (limits: 30 min by day,
/// 5 min at night, 22:00–07:00; 3 min of grace before the network alarm).
struct DoorAtBootTests {
    /// The engine of a fresh `TestFlat` started at `boot` with the door read `open`, then,
    /// if `restoring`, given the recollection with `alarms` and the door's stored opening.
    static func booted(at boot: String, doorOpen open: Bool, restoring: Bool = true,
                       openedAt: String? = nil, silenced: Bool = false, alarms: (TestFlat) -> [OpenAlarm] = { _ in [] }) -> TestFlat {
        var f = TestFlat(start: boot)
        let door = f.id("door.entrance")
        f.engine = WatchEngine(settings: f.engine.settings, start: f.t(boot))
        f.engine.prime(door, rawLevel: open)
        f.engine.prime(f.id("button.help"), rawLevel: false)
        if restoring {
            f.engine.restore(.init(occupancy: .home, lastSign: f.t(boot), lastSignSensor: f.id("pir.living"),
                                   lastMotion: [:], openAlarms: alarms(f), nextAlarmID: 10,
                                   doorsOpenedAt: openedAt.map { [door: f.t($0)] } ?? [:], doorsSilenced: silenced ? [door] : []))
        }
        return f
    }

    static func openDoorAlarm(_ f: TestFlat, raised: String, phase: OpenAlarm.Phase = .alarm, deadline: String) -> OpenAlarm {
        let door = f.id("door.entrance")
        return OpenAlarm(id: 7, kind: .doorOpen, sensor: door, raisedAt: f.t(raised), phase: phase, repeats: 0,
                         deadline: f.t(deadline).monotonic, reason: .doorOpen(door, for: .minutes(30), limit: .minutes(30), atNight: false))
    }

    @Test("a help cord found pulled at a restart, with no press stored the day before (pulled in a power cut), calls for help; one pulled before the stop does not call twice; at a first start it is only a level")
    func buttonHeldAtBoot() {
        // Booted at 10:00 with no press stored, or one at 08:30 (this pull, still held); or
        // booted the next day at 10:00 with the last press 34 h before (another day's).
        for (boot, lastPress) in [("10:00:00", nil), ("10:00:00", "08:30:00"), ("+1 10:00:00", "00:00:00")] as [(String, String?)] {
            var f = TestFlat(start: boot)
            let button = f.id("button.help")
            f.engine = WatchEngine(settings: f.engine.settings, start: f.t(boot))
            f.engine.prime(f.id("door.entrance"), rawLevel: false)
            f.engine.prime(button, rawLevel: true)
            f.engine.restore(.init(occupancy: .home, lastSign: f.engine.now, lastSignSensor: f.id("pir.living"), lastMotion: [:],
                                   openAlarms: [], nextAlarmID: 10, lastButtonPress: lastPress.map { [button: f.t($0)] } ?? [:]))
            f.tick(f.engine.now.advanced(by: .seconds(1)))
            let help = f.steps(.help)
            if lastPress == "08:30:00" {
                #expect(help.isEmpty, "pressed at 08:30, still held at 10:00: called then")
            } else {
                #expect(help.map(\.step) == [.alarm], "last press \(lastPress ?? "none")")
            }
            // Released, then pressed again: a call, as ever.
            f.level("button.help", false, at: f.engine.now.advanced(by: .seconds(10)))
            f.level("button.help", true, at: f.engine.now.advanced(by: .seconds(20)))
            f.tick(f.engine.now.advanced(by: .seconds(21)))
            #expect(f.steps(.help).contains { $0.step == .alarm })
        }
        // Pulled in a power cut during which her silence passed its limit: the pre-alarm sounds
        // at the boot, and the cord is a call for help all the same (not "I'm all right").
        var late = TestFlat(start: "14:00:00")
        late.engine = WatchEngine(settings: late.engine.settings, start: late.t("14:00:00"))
        late.engine.prime(late.id("door.entrance"), rawLevel: false)
        late.engine.prime(late.id("button.help"), rawLevel: true)
        late.engine.restore(.init(occupancy: .home, lastSign: late.t("09:00:00"), lastSignSensor: late.id("pir.living"), lastMotion: [:],
                                  openAlarms: [], nextAlarmID: 10))
        late.tick(late.t("14:00:01"))
        #expect(late.steps(.help).map(\.step) == [.alarm])
        // A first start (nothing stored, no restore): a held button is a level, no call.
        var first = TestFlat(start: "10:00:00")
        first.engine = WatchEngine(settings: first.engine.settings, start: first.t("10:00:00"))
        first.engine.prime(first.id("button.help"), rawLevel: true)
        first.tick(first.t("10:00:01"))
        #expect(first.steps(.help).isEmpty)
    }

    @Test("with releases stored, a cord found pulled at a restart calls only if it was let go when the device stopped, however long ago it was last pulled; one found let go that was stored pulled has its release stored at the boot")
    func buttonStateAtStop() {
        // (boot, last press, its release stored after it?, held at the boot, calls?, release stored at the boot?)
        let cases: [(String, String, Bool?, Bool, Bool, Bool)] = [
            // Latched since the day before yesterday (called then): not again at each restart.
            ("+2 10:00:00", "08:00:00", false, true, false, false),
            // Pulled at 08:30 (called), reset at 09:00 (stored), pulled again in a power cut.
            ("10:00:00", "08:30:00", true, true, true, false),
            // A store from before releases were kept: the day's rule (a press 1.5 h before is this one).
            ("10:00:00", "08:30:00", nil, true, false, false),
            // Stored pulled, found let go: reset while the device was off.
            ("10:00:00", "08:30:00", false, false, false, true),
            ("10:00:00", "08:30:00", nil, false, false, true),
            // Let go at the stop and at the boot: nothing to store again.
            ("10:00:00", "08:30:00", true, false, false, false),
        ]
        for (boot, press, released, held, calls, storesRelease) in cases {
            var f = TestFlat(start: boot)
            let button = f.id("button.help")
            f.engine = WatchEngine(settings: f.engine.settings, start: f.t(boot))
            f.engine.prime(f.id("door.entrance"), rawLevel: false)
            f.engine.prime(button, rawLevel: held)
            f.engine.restore(.init(occupancy: .home, lastSign: f.engine.now, lastSignSensor: f.id("pir.living"), lastMotion: [:],
                                   openAlarms: [], nextAlarmID: 10, lastButtonPress: [button: f.t(press)],
                                   buttonReleasedAtStop: released.map { [button: $0] } ?? [:]))
            f.tick(f.engine.now.advanced(by: .seconds(1)))
            let label = "boot \(boot), pressed \(press), released at stop \(released.map(String.init) ?? "unknown"), held \(held)"
            #expect(f.steps(.help).map(\.step) == (calls ? [.alarm] : []), "\(label)")
            #expect(f.events.contains { $0.kind == .buttonReleased && $0.sensor == button } == storesRelease, "\(label)")
        }
    }

    @Test("letting go of the button is stored (not a sign of life: the silence still counts from the press)")
    func buttonReleaseStored() {
        var f = TestFlat(start: "10:00:00")
        f.level("button.help", true, at: f.t("10:00:00"))
        f.level("button.help", false, at: f.t("10:00:05"))
        f.tick(f.t("10:00:10"))
        let button = f.id("button.help")
        #expect(f.events.filter { $0.sensor == button }.map(\.kind) == [.buttonPressed, .buttonReleased])
        let pressed = f.events.first { $0.kind == .buttonPressed }?.time
        #expect(pressed.map { $0.wall >= f.t("10:00:00").wall && $0.wall < f.t("10:00:05").wall } == true)
        #expect(f.engine.inactivity.lastSign == pressed)
    }

    @Test("a PIR found high at the start is not taken as her, but is timed as held high: stuck since before the start, it is judged stuck 2 h after it (it never rose, and was never judged)")
    func pirHighAtBoot() {
        var f = TestFlat(start: "10:00:00")
        let pir = f.id("pir.living")
        f.engine = WatchEngine(settings: f.engine.settings, start: f.t("10:00:00"))
        f.engine.prime(pir, rawLevel: true)
        f.engine.prime(f.id("door.entrance"), rawLevel: false)
        let sign = f.engine.inactivity.lastSign
        f.tick(f.t("11:59:59"))
        #expect(f.steps(.pirStuck).isEmpty)
        f.tick(f.t("12:00:01"))
        #expect(f.steps(.pirStuck).map(\.step) == [.alarm])
        #expect(f.steps(.pirStuck).first?.sensor == pir)
        #expect(f.engine.inactivity.lastSign == sign, "not a sign of life")
        #expect(!f.events.contains { $0.kind == .motionStarted })
        // Found low at the start: nothing.
        var g = TestFlat(start: "10:00:00")
        g.engine = WatchEngine(settings: g.engine.settings, start: g.t("10:00:00"))
        g.engine.prime(pir, rawLevel: false)
        g.tick(g.t("13:00:00"))
        #expect(g.steps(.pirStuck).isEmpty)
    }

    @Test("a door found open at the first start is watched from the start: pre-alarm after the day's 30 min, network alarm after the grace")
    func openAtFirstStart() {
        var f = Self.booted(at: "10:00:00", doorOpen: true, restoring: false)
        f.tick(f.t("10:29:59"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.tick(f.t("10:33:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm, .alarm])
        #expect(f.steps(.doorOpen).first?.at == f.t("10:30:00"))
    }

    @Test("a door found closed at a start raises nothing, and its first opening is watched as any")
    func closedAtStart() {
        var f = Self.booted(at: "10:00:00", doorOpen: false)
        f.tick(f.t("12:00:00"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.door(open: true, at: f.t("12:00:00"))
        f.tick(f.t("12:30:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm])
    }

    @Test("a door the store saw open before a short restart is judged from that opening, not from the boot")
    func openedBeforeRestart() {
        var f = Self.booted(at: "10:00:00", doorOpen: true, openedAt: "09:50:00")
        f.tick(f.t("10:19:59"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.tick(f.t("10:20:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm])
        #expect(f.steps(.doorOpen).first?.at == f.t("10:20:00"))
    }

    @Test("a door left open at night whose limit passed while the device was off: the pre-alarm at the boot, with its whole grace")
    func nightLimitPassedWhileOff() {
        var f = Self.booted(at: "+1 03:00:00", doorOpen: true, openedAt: "+1 01:00:00")
        f.tick(f.t("+1 03:00:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm])
        #expect(f.steps(.doorOpen).first?.at == f.t("+1 03:00:00"))
        f.tick(f.t("+1 03:03:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm, .alarm])
    }

    @Test("its alarm still open at a restart and the door found shut: resolved at the boot, no repeat for a shut door")
    func alarmRestoredDoorShut() {
        var f = Self.booted(at: "12:00:00", doorOpen: false) { f in [Self.openDoorAlarm(f, raised: "10:30:00", deadline: "12:05:00")] }
        f.tick(f.t("12:00:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.resolve])
        #expect(f.steps(.doorOpen).first?.reason == .doorClosed(f.id("door.entrance")))
        #expect(f.steps(.doorOpen).first?.at == f.t("12:00:00"))
        f.tick(f.t("14:00:00"))
        #expect(f.steps(.doorOpen).count == 1)
        #expect(f.engine.openAlarms.isEmpty)
    }

    @Test("its alarm still open at a restart and the door still open: the one alarm goes on repeating, none raised on top, and the door's closing resolves it")
    func alarmRestoredDoorOpen() {
        var f = Self.booted(at: "12:00:00", doorOpen: true) { f in [Self.openDoorAlarm(f, raised: "10:30:00", deadline: "12:05:00")] }
        f.tick(f.t("12:04:59"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.tick(f.t("12:05:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.repeat])
        #expect(f.steps(.doorOpen).allSatisfy { $0.alarmID == 7 })
        #expect(f.engine.openAlarms.count == 1)
        f.door(open: false, at: f.t("12:10:00"))
        f.tick(f.t("12:10:01"))
        #expect(f.steps(.doorOpen).map(\.step) == [.repeat, .resolve])
        #expect(f.engine.openAlarms.isEmpty)
    }

    @Test("restored with the door shut, then opened at the boot's own instant: the boot's pass resolves the old alarm first, and the new opening is watched as any")
    func shutThenOpenedAtBoot() {
        var f = Self.booted(at: "12:00:00", doorOpen: false) { f in [Self.openDoorAlarm(f, raised: "10:30:00", deadline: "12:15:00")] }
        f.door(open: true, at: f.t("12:00:00"))
        f.tick(f.t("12:29:59"))
        #expect(f.steps(.doorOpen).map(\.step) == [.resolve])
        #expect(f.steps(.doorOpen).first?.alarmID == 7)
        f.tick(f.t("12:30:01"))
        #expect(f.steps(.doorOpen).map(\.step) == [.resolve, .preAlarm])
        #expect(f.steps(.doorOpen).last?.alarmID != 7)
    }

    @Test("a door she silenced for this opening (airing) stays silenced across a restart; once closed, the next opening is watched")
    func silencedAcrossRestart() {
        var f = Self.booted(at: "+1 01:00:00", doorOpen: true, openedAt: "+1 00:00:00", silenced: true)
        f.tick(f.t("+1 04:00:00"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.door(open: false, at: f.t("+1 04:00:00"))
        f.door(open: true, at: f.t("+1 04:10:00"))
        f.tick(f.t("+1 04:16:00"))
        #expect(f.steps(.doorOpen).map(\.step) == [.preAlarm])
        // Without her silence, the same restart sounds the pre-alarm at the boot.
        var g = Self.booted(at: "+1 01:00:00", doorOpen: true, openedAt: "+1 00:00:00")
        g.tick(g.t("+1 01:00:00"))
        #expect(g.steps(.doorOpen).map(\.step) == [.preAlarm])
    }

    @Test("an acknowledged door-open alarm restored with the door shut is resolved too")
    func acknowledgedRestoredDoorShut() {
        var f = Self.booted(at: "12:00:00", doorOpen: false) { f in
            [Self.openDoorAlarm(f, raised: "10:30:00", phase: .acknowledged, deadline: "12:05:00")]
        }
        f.tick(f.t("12:00:01"))
        #expect(f.steps(.doorOpen).map(\.step) == [.resolve])
        #expect(f.engine.openAlarms.isEmpty)
    }
}
