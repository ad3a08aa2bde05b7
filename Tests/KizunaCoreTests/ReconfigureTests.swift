import Testing
@testable import KizunaCore

extension TestFlat {
    /// Takes over the engine's own settings changed by `change` (`config set` in the shell).
    fileprivate mutating func reconfigure(_ change: (inout EngineSettings) -> Void) {
        var s = engine.settings
        change(&s)
        let reason = engine.reasonReconfigureNeedsRestart(s)
        #expect(reason == nil)
        engine.reconfigure(s)
    }

    fileprivate mutating func reading(_ sensor: String, _ value: Double, at time: Timestamp) {
        engine.handle(.reading(id(sensor), value: value, at: time), into: &decisions)
    }

    /// The same reading every minute, from `from` up to and including `to`.
    fileprivate mutating func steady(_ sensor: String, _ value: Double, from: String, to: String) {
        var at = t(from)
        let end = t(to)
        while at.monotonic <= end.monotonic {
            reading(sensor, value, at: at)
            at = at.advanced(by: .minutes(1))
        }
    }
}

/// New thresholds taken over by the running engine: they apply at once, the state stays.
@Suite struct ReconfigureTests {
    // MARK: - Inactivity

    @Test("shortening the day inactivity limit after 90 min of silence raises the pre-alarm at the next tick")
    func shortenedInactivityLimit() {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))  // seen until 10:00:02
        f.tick(f.t("11:30:00"))
        #expect(f.steps(.inactivity).isEmpty)
        let state = f.engine.state
        let lastSign = f.engine.inactivity.lastSign
        let lastSignSensor = f.engine.inactivity.lastSignSensor
        let decided = f.decisions.count

        f.reconfigure { $0.rules.inactivityByDay = .hours(1) }

        // Nothing decided by the reconfiguration itself; the state is as it was.
        #expect(f.decisions.count == decided)
        #expect(f.engine.state == state)
        #expect(f.engine.inactivity.lastSign == lastSign)
        #expect(f.engine.inactivity.lastSignSensor == lastSignSensor)
        #expect(f.engine.settings.rules.inactivityByDay == .hours(1))
        // The loop is told to tick at once.
        let next = f.engine.nextDeadline()
        #expect(next <= f.t("11:30:00").monotonic)

        f.tick(f.t("11:30:01"))
        let s = f.steps(.inactivity)
        #expect(s.map(\.step) == [.preAlarm])
        // At the moment the new limit took effect, not back at 11:00:02, and not at 13:00:02.
        #expect(s.first?.at.monotonic == f.t("11:30:00").monotonic)
        if case .silence(let silence, let limit, let atNight, _) = s.first?.reason {
            #expect(silence == Span.minutes(89) + Span.seconds(58))
            #expect(limit == .hours(1))
            #expect(!atNight)
        } else {
            Issue.record("expected a silence reason")
        }
        // The pre-alarm keeps its grace time.
        f.tick(f.t("11:32:59"))
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm])
        f.tick(f.t("11:33:01"))
        #expect(f.steps(.inactivity).map(\.step) == [.preAlarm, .alarm])
        #expect(f.steps(.inactivity).last?.at.monotonic == f.t("11:33:00").monotonic)
    }

    @Test("lengthening the day inactivity limit to 6 h after 2 h of silence: no alarm at 3 h, one at 6 h")
    func lengthenedInactivityLimit() {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))  // seen until 10:00:02
        f.tick(f.t("12:00:02"))
        f.reconfigure { $0.rules.inactivityByDay = .hours(6) }
        f.tick(f.t("13:00:03"))
        #expect(f.steps(.inactivity).isEmpty)
        f.tick(f.t("16:00:01"))
        #expect(f.steps(.inactivity).isEmpty)
        f.tick(f.t("16:00:03"))
        let s = f.steps(.inactivity)
        #expect(s.map(\.step) == [.preAlarm])
        #expect(s.first?.at.monotonic == f.t("16:00:02").monotonic)
    }

    // MARK: - Door open

    @Test("a door already open is judged by the new limit from when it was opened")
    func doorOpenLimit() {
        var f = TestFlat()
        f.motion(at: f.t("09:59:00"))
        f.door(open: true, at: f.t("10:00:00"))
        f.tick(f.t("10:10:00"))
        f.reconfigure { $0.rules.doorOpenByDay = .minutes(15) }
        f.tick(f.t("10:14:59"))
        #expect(f.steps(.doorOpen).isEmpty)
        f.tick(f.t("10:15:01"))
        let s = f.steps(.doorOpen)
        #expect(s.map(\.step) == [.preAlarm])
        #expect(s.first?.at.monotonic == f.t("10:15:00").monotonic)
        if case .doorOpen(_, let open, let limit, let atNight) = s.first?.reason {
            #expect(open == .minutes(15))
            #expect(limit == .minutes(15))
            #expect(!atNight)
        } else {
            Issue.record("expected a door-open reason")
        }
    }

    @Test("a door-open limit shortened below the time already open alarms at once, with the grace time")
    func doorOpenLimitAlreadyPassed() {
        var f = TestFlat()
        f.motion(at: f.t("09:59:00"))
        f.door(open: true, at: f.t("10:00:00"))
        f.tick(f.t("10:10:00"))
        f.reconfigure { $0.rules.doorOpenByDay = .minutes(5) }
        f.tick(f.t("10:13:01"))
        let s = f.steps(.doorOpen)
        #expect(s.map(\.step) == [.preAlarm, .alarm])
        #expect(s.map { $0.at.monotonic } == ["10:10:00", "10:13:00"].map { f.t($0).monotonic })
        if case .doorOpen(_, let open, let limit, _) = s.first?.reason {
            #expect(open == .minutes(10))
            #expect(limit == .minutes(5))
        } else {
            Issue.record("expected a door-open reason")
        }
    }

    // MARK: - Occupancy

    @Test("a pending away confirmation is re-armed from the door event")
    func awayConfirmation() {
        var f = TestFlat()
        f.motion(at: f.t("09:50:00"))
        f.door(open: true, at: f.t("10:00:00"))
        f.door(open: false, at: f.t("10:00:10"))
        f.tick(f.t("10:05:00"))
        f.reconfigure { $0.occupancy.awayConfirmation = .minutes(30) }
        f.tick(f.t("10:30:09"))
        #expect(f.engine.state == .home)
        f.tick(f.t("10:30:11"))
        #expect(f.engine.state == .away)
        #expect(f.transitions.last?.at.monotonic == f.t("10:30:10").monotonic)
    }

    // MARK: - Ladder

    @Test("a new repeat interval: the repeat already scheduled keeps its time, the next ones follow the new interval")
    func ladderRepeat() {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))  // pre-alarm 13:00:02, alarm 13:03:02, repeat due 13:18:02
        f.tick(f.t("13:05:00"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm])
        f.reconfigure { $0.ladder.repeatEvery = .minutes(5) }
        f.tick(f.t("13:28:03"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm, .repeat, .repeat, .repeat])
        #expect(f.steps.map { $0.at.monotonic } == ["13:00:02", "13:03:02", "13:18:02", "13:23:02", "13:28:02"].map { f.t($0).monotonic })
    }

    @Test("a new grace time applies to alarms raised afterwards")
    func ladderGrace() {
        var f = TestFlat()
        f.motion(at: f.t("10:00:00"))
        f.tick(f.t("12:00:00"))
        f.reconfigure { $0.ladder.preAlarmGrace = .minutes(1) }
        f.tick(f.t("13:01:03"))
        #expect(f.steps.map(\.step) == [.preAlarm, .alarm])
        #expect(f.steps.map { $0.at.monotonic } == ["13:00:02", "13:01:02"].map { f.t($0).monotonic })
    }

    // MARK: - Environment

    @Test("a shorter cold duration keeps the run under way")
    func coldDuration() {
        var f = TestFlat()
        f.steady("temperature.living", 8, from: "09:00:00", to: "10:00:00")
        f.reconfigure { $0.environment.coldFor = .minutes(90) }
        f.steady("temperature.living", 8, from: "10:01:00", to: "10:40:00")
        let s = f.steps(.cold)
        #expect(s.map(\.step) == [.alarm])
        #expect(s.first?.at.monotonic == f.t("10:30:00").monotonic)
    }

    @Test("a new cold threshold restarts the run from the last reading")
    func coldThreshold() {
        var f = TestFlat()
        f.steady("temperature.living", 11, from: "09:00:00", to: "10:00:00")
        f.reconfigure { $0.environment.coldBelow = 12 }
        f.steady("temperature.living", 11, from: "10:01:00", to: "11:59:00")
        #expect(f.steps(.cold).isEmpty)
        f.steady("temperature.living", 11, from: "12:00:00", to: "12:05:00")
        let s = f.steps(.cold)
        #expect(s.map(\.step) == [.alarm])
        #expect(s.first?.at.monotonic == f.t("12:00:00").monotonic)
    }

    // MARK: - What needs a restart

    @Test("other sensors, inversion, ring capacity or UTC offset need a restart; thresholds do not")
    func needsRestart() {
        let f = TestFlat()
        let current = f.engine.settings

        var fewer = current
        fewer.sensors = SensorRegistry(TestFlat.names.dropLast().map { SensorDescriptor(name: $0)! })
        fewer.inverted = Array(repeating: false, count: fewer.sensors.count)
        let fewerReason = f.engine.reasonReconfigureNeedsRestart(fewer)
        #expect(fewerReason?.contains("sensors") == true)

        var reordered = current
        reordered.sensors = SensorRegistry(TestFlat.names.reversed().map { SensorDescriptor(name: $0)! })
        let reorderedReason = f.engine.reasonReconfigureNeedsRestart(reordered)
        #expect(reorderedReason?.contains("sensors") == true)

        var moved = current
        moved.sensors = SensorRegistry(TestFlat.names.map { name in
            var d = SensorDescriptor(name: name)!
            if name == "pir.living" { d.room = "lounge" }
            return d
        })
        let movedReason = f.engine.reasonReconfigureNeedsRestart(moved)
        #expect(movedReason?.contains("sensors") == true)

        var inverted = current
        inverted.inverted[0] = true
        let invertedReason = f.engine.reasonReconfigureNeedsRestart(inverted)
        #expect(invertedReason != nil)

        var ring = current
        ring.ringCapacity = 128
        let ringReason = f.engine.reasonReconfigureNeedsRestart(ring)
        #expect(ringReason != nil)

        var offset = current
        offset.utcOffset = .utc
        let offsetReason = f.engine.reasonReconfigureNeedsRestart(offset)
        #expect(offsetReason != nil)

        var thresholds = current
        thresholds.rules.inactivityByDay = .hours(2)
        thresholds.occupancy.nightStart = TimeOfDay(hour: 21)
        thresholds.ladder.repeatEvery = .minutes(5)
        thresholds.environment.coldBelow = 12
        thresholds.contactSettle = .milliseconds(50)
        thresholds.routine = RoutineSettings()
        let thresholdsReason = f.engine.reasonReconfigureNeedsRestart(thresholds)
        #expect(thresholdsReason == nil)
    }

    @Test("the same settings: no reason to restart, and no change in behaviour")
    func sameSettings() {
        func run(reconfiguring: Bool) -> (decisions: [Decision], events: [Event]) {
            var f = TestFlat()
            f.motion(at: f.t("09:59:00"))
            var minute: Int64 = 0
            while minute <= 240 {
                let at = f.t("10:00:00").advanced(by: .minutes(minute))
                if minute == 20 { f.door(open: true, at: at) }
                f.reading("temperature.living", 36, at: at)
                if reconfiguring, minute == 30 {
                    // Pending now: the open door, the inactivity limit, the heat runs.
                    let same = f.engine.settings
                    let reason = f.engine.reasonReconfigureNeedsRestart(same)
                    #expect(reason == nil)
                    f.engine.reconfigure(same)
                }
                minute += 5
            }
            f.tick(f.t("15:00:00"))
            return (f.decisions, f.events)
        }
        let plain = run(reconfiguring: false)
        let reconfigured = run(reconfiguring: true)
        #expect(!plain.decisions.isEmpty)
        #expect(reconfigured.decisions == plain.decisions)
        #expect(reconfigured.events == plain.events)
    }

    // MARK: - The learned routine

    @Test("the learned routine survives a reconfiguration of the inactivity limits and of the routine")
    func routineSurvives() {
        var f = TestFlat { $0.routine = RoutineSettings() }
        var model = RoutineModel(settings: RoutineSettings(), offset: .japan)
        var last = RoutineTests.at(0, 0)
        RoutineTests.live(&model, days: 0..<9, wake: 7, last: &last)
        let taken = f.engine.restoreRoutine(model.state)
        #expect(taken)
        let learned = f.engine.routineState
        #expect(learned == model.state)

        f.reconfigure { $0.rules.inactivityByDay = .hours(1) }
        let afterLimits = f.engine.routineState
        #expect(afterLimits == learned)
        let policy = f.engine.inactivity.policy as? RoutineSilencePolicy
        #expect(policy?.fallback.byDay == Span.hours(1))

        f.reconfigure { s in
            var r = RoutineSettings()
            r.margin = 0.3
            s.routine = r
        }
        let afterRoutine = f.engine.routineState
        #expect(afterRoutine == learned)
        let rebuilt = f.engine.inactivity.policy as? RoutineSilencePolicy
        #expect(rebuilt?.model.settings.margin == 0.3)

        // Switched off, then on again in the same run: it resumes from what it knew.
        f.reconfigure { $0.routine = nil }
        let off = f.engine.routineState
        #expect(off.values.isEmpty)
        f.reconfigure { $0.routine = RoutineSettings() }
        let on = f.engine.routineState
        #expect(on == learned)

        // Off at the boot: what the store kept is set aside, and switching it on in the run
        // resumes from it (not from nothing, whose first save would overwrite it).
        var offAtBoot = TestFlat { $0.routine = nil }
        let takenWhileOff = offAtBoot.engine.restoreRoutine(model.state)
        #expect(!takenWhileOff)
        #expect(offAtBoot.engine.routineState.values.isEmpty)
        offAtBoot.reconfigure { $0.routine = RoutineSettings() }
        let resumed = offAtBoot.engine.routineState
        #expect(resumed == learned)
    }
}
