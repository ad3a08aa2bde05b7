import Testing
@testable import KizunaCore

/// Silences that began in bed against silences that began anywhere else (`rest_rooms`).
struct RestRoomsTests {
    typealias R = RoutineTests

    /// RoutineTests' settings with the rooms of rest and their allowance as shipped.
    static var settings: RoutineSettings {
        var r = R.settings
        r.restRooms = RoutineSettings().restRooms
        return r
    }

    /// Up at 07:00, a sign every 10 minutes until 22:00 from the kitchen (place 0), a nap in
    /// bed from 13:00 to 15:00 (the 13:00 sign is in bed: place 1), to bed at 22:00.
    static func live(_ model: inout RoutineModel, days: Range<Int64>) {
        var last = R.at(days.lowerBound, 0)
        var lastPlace = 1
        for d in days {
            var t = R.at(d, 7)
            while t <= R.at(d, 22) {
                if t > R.at(d, 13), t < R.at(d, 15) { t = t + .minutes(10); continue }
                model.learn(signOfLifeAt: t, previous: last, place: model.places > 1 ? lastPlace : 0)
                last = t
                lastPlace = t == R.at(d, 13) || t == R.at(d, 22) ? 1 : 0
                t = t + .minutes(10)
            }
        }
    }

    static func models() -> (split: RoutineModel, flat: RoutineModel) {
        var flatSettings = Self.settings
        flatSettings.restRooms = []
        var split = RoutineModel(settings: Self.settings, offset: .japan)
        var flat = RoutineModel(settings: flatSettings, offset: .japan)
        live(&split, days: 0..<9)
        live(&flat, days: 0..<9)
        return (split, flat)
    }

    @Test("by day a silence after the kitchen is judged by the day's own silences, not by the nap in bed")
    func dayAfterKitchen() {
        let (split, flat) = Self.models()
        #expect(split.places == 2 && flat.places == 1)
        // Elsewhere, the longest silence within an hour of 11:30 is 10 min: 10 min + 0 % + 40 min
        // (`upMargin`, `upExtra`) is under the floor, which decides.
        let since = R.at(9, 11, 30)
        #expect(split.limit(slotOfDay: 23, place: 0) == .minutes(50))
        #expect(split.improbableSilence(since: since, place: 0) == since + split.settings.floor)
        // After the kitchen at 12:10, the one-place model waits for the nap's 2 h (+ 25 % + 1 h)
        // around 13:00–15:00; the split one does not.
        let noon = R.at(9, 12, 10)
        let kitchen = split.improbableSilence(since: noon, place: 0)
        let anyPlace = flat.improbableSilence(since: noon)
        #expect(kitchen == noon + .hours(1))
        #expect(anyPlace > kitchen + .hours(2))
    }

    @Test("out of bed at an hour she is up, a silence has its own allowance (up_margin, up_extra); in bed, at night, the usual one")
    func upAllowance() {
        var settings = Self.settings
        settings.upMargin = 0.5
        settings.upExtra = .minutes(55)
        settings.floor = .minutes(30)
        var m = RoutineModel(settings: settings, offset: .japan)
        Self.live(&m, days: 0..<9)
        // 11:30 out of bed: 10 min + 50 % + 55 min = 70 min.
        let since = R.at(9, 11, 30)
        #expect(m.limit(slotOfDay: 23, place: 0) == .minutes(70))
        #expect(m.improbableSilence(since: since, place: 0) == since + .minutes(70))
        // In bed at 11:30: all silences within the hour (10 min, the nap not yet) + 25 % + 1 h.
        #expect(m.limit(slotOfDay: 23, place: 1) == .seconds(750) + .hours(1))
        // Out of bed at 03:00 (she is not up then): all silences judge, with the usual allowance.
        #expect(m.limit(slotOfDay: 6, place: 0) == m.limit(slotOfDay: 6, place: 1))
        // One kind of silence (rest_rooms: []): the up allowance is never used.
        settings.restRooms = []
        var flat = RoutineModel(settings: settings, offset: .japan)
        Self.live(&flat, days: 0..<9)
        #expect(flat.limit(slotOfDay: 23) == .seconds(750) + .hours(1))
    }

    @Test("a silence that began in bed may be as long as any: the one-place model's answer")
    func inBed() {
        let (split, flat) = Self.models()
        for (h, m) in [(12, 10), (13, 0), (14, 0), (22, 0), (2, 0)] as [(Int64, Int64)] {
            let since = R.at(9, h, m)
            #expect(split.improbableSilence(since: since, place: 1) == flat.improbableSilence(since: since))
        }
    }

    @Test("at night, out of bed: judged by all silences until her usual rising comes within the window")
    func nightOutOfBed() {
        let (split, flat) = Self.models()
        let since = R.at(9, 2, 0)
        // 03:00–05:59: no out-of-bed silence on any remembered night within an hour, so the
        // night's (in bed) judge: no alarm at the floor. At 06:00 the window reaches 07:00,
        // when she is up every day and out-of-bed silences last 10 min: 4 h is improbable.
        #expect(split.improbableSilence(since: since, place: 0) == R.at(9, 6, 0))
        #expect(flat.improbableSilence(since: since) == R.at(9, 8, 0))   // an hour past her rising
        #expect(split.improbableSilence(since: since, place: 1) == flat.improbableSilence(since: since))
    }

    @Test("out of bed at 22:00, when she is still up within the hour: judged by the silences out of bed into the night, not by her nights in bed")
    func upAtStartIntoTheNight() {
        let (split, flat) = Self.models()
        // She is up until 22:00 every day (the kitchen, then the bed at 22:00): a silence that
        // began in the kitchen at 22:00 never went to bed. No silence out of bed was ever
        // under way from 22:00 on: the floor decides (23:00).
        let since = R.at(9, 22, 0)
        #expect(split.improbableSilence(since: since, place: 0) == since + split.settings.floor)
        // The same silence from the bed is her night: the morning decides, as for all silences.
        let inBed = split.improbableSilence(since: since, place: 1)
        #expect(inBed == flat.improbableSilence(since: since))
        #expect(inBed > R.at(10, 7))
        // At 23:30 she is not up within the hour (her last out-of-bed silence ended at 22:00,
        // 90 minutes before): all silences judge through the night, until her rising comes
        // within the window (06:00), as for a silence out of bed at 02:00.
        let late = R.at(9, 23, 30)
        #expect(split.improbableSilence(since: late, place: 0) == R.at(10, 6, 0))
        #expect(split.improbableSilence(since: late, place: 1) == R.at(10, 8, 0))
    }

    @Test("up_share: with a share above the days she was up at that hour, all silences judge")
    func upShare() {
        var settings = Self.settings
        settings.upShare = 1.01   // never enough days
        var strict = RoutineModel(settings: settings, offset: .japan)
        Self.live(&strict, days: 0..<9)
        let (_, flat) = Self.models()
        let noon = R.at(9, 12, 10)
        #expect(strict.improbableSilence(since: noon, place: 0) == flat.improbableSilence(since: noon))
    }

    @Test("the state keeps both places; an older one-place state fills the out-of-bed silences; a two-place state into one place keeps the longer")
    func state() {
        let (split, flat) = Self.models()
        var again = RoutineModel(settings: Self.settings, offset: .japan)
        let taken = again.restore(split.state)
        #expect(taken)
        #expect(again == split)
        #expect(split.state.values[7] == 2)
        // Version 3 (no `places`, one place) into a two-place model.
        var v3 = flat.state
        v3.values[0] = 3
        v3.values.removeSubrange(8..<23)
        v3.values.remove(at: 7)
        var upgraded = RoutineModel(settings: Self.settings, offset: .japan)
        let v3Taken = upgraded.restore(v3)
        #expect(v3Taken)
        let noon = R.at(9, 12, 10)
        // Its silences are taken as in bed: both kinds judged as before, by all of them with
        // the general allowance, not the smaller one out of bed (they include her nights).
        #expect(upgraded.improbableSilence(since: noon, place: 0) == flat.improbableSilence(since: noon))
        #expect(upgraded.improbableSilence(since: noon, place: 1) == flat.improbableSilence(since: noon))
        for i in 0..<48 { #expect(upgraded.limit(slotOfDay: i, place: 0) == flat.limit(slotOfDay: i)) }
        #expect(upgraded.longestSilence(slotOfDay: 28, place: 1) == flat.longestSilence(slotOfDay: 28))
        #expect(upgraded.longestSilence(slotOfDay: 28, place: 0) == .zero)
        // Two places into a model of one (rest_rooms: []): the flat model's memory.
        var flatSettings = Self.settings
        flatSettings.restRooms = []
        var merged = RoutineModel(settings: flatSettings, offset: .japan)
        let mergedTaken = merged.restore(split.state)
        #expect(mergedTaken)
        #expect(merged.improbableSilence(since: noon) == flat.improbableSilence(since: noon))
        #expect(merged.longestSilence(slotOfDay: 28) == flat.longestSilence(slotOfDay: 28))
    }

    @Test("forgetting a day (7 days remembered, 20 lived) leaves what a rebuild from the rows would")
    func forgetting() {
        var settings = Self.settings
        settings.memoryDays = 7
        var m = RoutineModel(settings: settings, offset: .japan)
        Self.live(&m, days: 0..<20)
        #expect(m.remembered == 7)
        var rebuilt = m
        rebuilt.rebuildWindowed()
        #expect(rebuilt == m)
        var again = RoutineModel(settings: settings, offset: .japan)
        let taken = again.restore(m.state)
        #expect(taken && again == m)
        // The nap's 2 h, remembered in bed, not out of it.
        #expect(m.longestSilence(slotOfDay: 29, place: 1) == .hours(2))
        #expect(m.longestSilence(slotOfDay: 29, place: 0) == .zero)
    }

    @Test("a flat with no sensor in a room of rest keeps one kind of silence")
    func noRestSensor() {
        var settings = EngineSettings(sensors: SensorRegistry(["pir.kitchen", "pir.living"].map { SensorDescriptor(name: $0)! }))
        settings.routine = Self.settings
        #expect(settings.routineInForce?.restRooms == [])
        settings.sensors = SensorRegistry(["pir.kitchen", "pir.bed"].map { SensorDescriptor(name: $0)! })
        #expect(settings.routineInForce?.restRooms == Self.settings.restRooms)
    }

    @Test("the inactivity rule judges by the sensor of the last sign: the kitchen, the bed, none (judged as in bed)")
    func ruleUsesLastSign() {
        let (split, _) = Self.models()
        let p = RoutineSilencePolicy(model: split, fallback: R.fixed(), atRest: [false, true])
        let noon = R.at(9, 12, 10)
        let stamp = Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: noon)
        for (sensor, place) in [(SensorID(0), 0), (SensorID(1), 1), (SensorID.none, 1)] {
            var rule = InactivityRule(policy: p, start: stamp)
            rule.restore(lastSign: stamp, sensor: sensor)
            let expected = stamp.monotonic + (split.improbableSilence(since: noon, place: place) - noon)
            #expect(rule.deadline() == expected)
        }
        // Restored after the device was off a while: the kitchen no longer says where she is;
        // judged as in bed (and still named in the alarm), until her next sign.
        var rule = InactivityRule(policy: p, start: stamp)
        rule.restore(lastSign: stamp, sensor: SensorID(0), placeKnown: false)
        #expect(rule.deadline() == stamp.monotonic + (split.improbableSilence(since: noon, place: 1) - noon))
        #expect(rule.lastSignSensor == SensorID(0) && !rule.placeKnown)
        #expect(split.improbableSilence(since: noon, place: 1) > split.improbableSilence(since: noon, place: 0))
        let next = Timestamp(monotonic: stamp.monotonic + .minutes(5), wall: noon + .minutes(5))
        rule.signOfLife(SensorID(0), at: next)
        #expect(rule.placeKnown)
        #expect(rule.deadline() == next.monotonic + (split.improbableSilence(since: next.wall, place: 0) - next.wall))
    }

    @Test("the policy tells the places apart by the sensor of the last sign")
    func policyBySensor() {
        let (split, _) = Self.models()
        var settings = EngineSettings(sensors: SensorRegistry(["pir.kitchen", "pir.bedroom", "pir.bed"].map { SensorDescriptor(name: $0)! }))
        settings.routine = Self.settings
        let atRest = settings.atRest
        #expect(atRest == [false, true, true])
        let ready = split
        let p = RoutineSilencePolicy(model: ready, fallback: R.fixed(), atRest: atRest)
        let noon = R.at(9, 12, 10)
        #expect(p.alarmTime(silenceSince: noon, from: SensorID(0)).at == ready.improbableSilence(since: noon, place: 0))
        #expect(p.alarmTime(silenceSince: noon, from: SensorID(2)).at == ready.improbableSilence(since: noon, place: 1))
        #expect(p.alarmTime(silenceSince: noon, from: SensorID(0)).at < p.alarmTime(silenceSince: noon, from: SensorID(1)).at)
    }
}
