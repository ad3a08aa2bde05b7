/// The environment rules of one flat: heat (WBGT), cold, CO2, and the VOC rise that
/// aggravates a silence. Readings only feed the trackers; bands are entered and left by
/// timers at the exact instant their minimum durations complete, and each change raises or
/// clears an alarm through the ladder.
///
/// - **Heat**, per temperature sensor (its room): the WBGT is estimated with the room's
///   humidity sensor (same room name). With no humidity reading (no sensor, or it is
///   faulty) the room is judged on air temperature against the guideline's reference
///   temperatures for the same bands; switching between the two restarts the runs. A room
///   whose humidity is lost in a heat episode leaves its band only once even saturated air
///   at that temperature would be out of it. Band 1
///   (警戒) is recorded as a `heat-band` event only. Band 2 raises `heat` (warning), band 3
///   `heat-danger` (critical), which supersedes an open `heat`. One episode escalates only:
///   falling back from danger to severe keeps `heat-danger` open, and the episode's alarm
///   clears when the room leaves band 2 (below 28 − 1 for 10 min by default).
/// - **Cold**, per temperature sensor: `cold` (warning).
/// - **CO2**, per sensor: `ventilation` (info: sent once, not repeated, no buzzer).
/// - **Presence**: heat and cold are not raised while the resident is away (nobody is at
///   risk); a band reached meanwhile is raised when they come home. An alarm already open
///   when they leave stays open until the condition is left.
/// - **Faults**: readings of a sensor in fault are not used, and the runs it fed restart;
///   a level already reached (and its alarm) holds until fresh readings decide.
///
/// Storage is sized at init from the sensor registry; the per-reading path allocates nothing.
public struct EnvironmentMonitor: Sendable {
    public private(set) var settings: EnvironmentSettings

    enum Role: Sendable, Equatable {
        case unused, humidity
        case temperature(Int), co2(Int), voc(Int)
    }

    struct RoomClimate: Sendable {
        let temperature: SensorID
        /// The room's humidity sensor, `.none` if it has none.
        let humidity: SensorID
        var usesWBGT: Bool
        /// The room's humidity was lost while it was in a heat band judged on WBGT: until the
        /// episode ends (or humidity is back) a band is left only when even saturated air at
        /// the temperature read would be out of it.
        var humidityLostInEpisode = false
        var heat: BandTracker
        var cold: BandTracker
        /// The heat alarm open for this episode: 0 none, 2 `heat`, 3 `heat-danger`.
        var heatAlarm = 0
        var coldAlarm = false
    }

    struct AirWatch: Sendable {
        let sensor: SensorID
        var co2: BandTracker
        var alarm = false
    }

    var roles: [Role]
    var faulted: [Bool]
    /// The latest trusted reading of each sensor (NaN: none yet, or none since a fault).
    var latest: [Double]
    /// When each `latest` was read, and the gap before it (its sensor's poll interval).
    var latestAt: [MonotonicInstant]
    var latestGap: [Span]
    /// How old a humidity reading may be and still make the WBGT with a new temperature: a
    /// chip that stops giving humidity (and no fault) must not have its last value used for
    /// days; the room is judged by temperature alone meanwhile. Two of its own poll
    /// intervals if longer (a chip read every 30 min is not stale after 16).
    static let humidityFresh: Span = .minutes(15)
    var rooms: [RoomClimate] = []
    var air: [AirWatch] = []
    var vocs: [VOCRiseWatch] = []
    /// Whether the resident is presumed home (heat and cold are raised only then).
    public private(set) var presumedHome = true

    public init(settings: EnvironmentSettings, sensors: SensorRegistry) {
        self.settings = settings
        roles = Array(repeating: Role.unused, count: sensors.count)
        faulted = Array(repeating: false, count: sensors.count)
        latest = Array(repeating: .nan, count: sensors.count)
        latestAt = Array(repeating: .never, count: sensors.count)
        latestGap = Array(repeating: .zero, count: sensors.count)
        for (i, d) in sensors.sensors.enumerated() {
            let s = SensorID(i)
            switch d.kind {
            case .temperature:
                let pair = sensors.sensors.firstIndex { $0.kind == .humidity && $0.room == d.room }
                let humidity: SensorID = pair.map { SensorID($0) } ?? SensorID.none
                let wbgt = humidity != .none
                roles[i] = .temperature(rooms.count)
                rooms.append(RoomClimate(
                    temperature: s, humidity: humidity, usesWBGT: wbgt,
                    heat: BandTracker(.rising, thresholds: Self.heatThresholds(settings, wbgt: wbgt), count: 3,
                                      hysteresis: settings.heatHysteresis, enterAfter: settings.heatFor,
                                      leaveAfter: settings.heatClearAfter),
                    cold: BandTracker(.falling, thresholds: Levels(settings.coldBelow), count: 1,
                                      hysteresis: settings.coldHysteresis, enterAfter: settings.coldFor,
                                      leaveAfter: settings.coldClearAfter)))
            case .humidity:
                roles[i] = .humidity
            case .co2:
                roles[i] = .co2(air.count)
                air.append(AirWatch(sensor: s, co2: BandTracker(.rising, thresholds: Levels(settings.co2Limit), count: 1,
                                                                hysteresis: settings.co2Hysteresis, enterAfter: settings.co2For,
                                                                leaveAfter: settings.co2ClearAfter)))
            case .voc:
                roles[i] = .voc(vocs.count)
                vocs.append(VOCRiseWatch(sensor: s, settings: settings))
            default:
                break
            }
        }
        refreshDeadline()
    }

    static func heatThresholds(_ s: EnvironmentSettings, wbgt: Bool) -> Levels<Double> {
        wbgt ? Levels(s.heatWarning, s.heatSevereWarning, s.heatDanger)
            : Levels(s.heatWarningTemperature, s.heatSevereWarningTemperature, s.heatDangerTemperature)
    }

    // MARK: - Reading the state

    /// The heat band of the room of a temperature sensor (nil: not a temperature sensor).
    public func heatBand(_ temperature: SensorID) -> HeatBand? {
        guard case .temperature(let r) = role(temperature) else { return nil }
        return HeatBand(rawValue: rooms[r].heat.level)
    }

    /// The room's latest WBGT estimate (nil: no temperature and humidity reading to make one).
    public func wbgt(_ temperature: SensorID) -> Double? {
        guard case .temperature(let r) = role(temperature), rooms[r].usesWBGT else { return nil }
        let t = latest[Int(temperature.index)], h = latest[Int(rooms[r].humidity.index)]
        return t.isFinite && h.isFinite ? WBGT.indoorEstimate(temperature: t, humidity: h) : nil
    }

    /// The current sustained VOC rise (the strongest, if several sensors see one) as it
    /// aggravates a silence; nil when there is none.
    public var silenceAggravation: SilenceAggravation? {
        var best = -1
        for w in vocs.indices where vocs[w].isRising && vocs[w].confirmedAt != nil {
            if best < 0 || vocs[w].percent > vocs[best].percent { best = w }
        }
        guard best >= 0, let since = vocs[best].confirmedAt else { return nil }
        let percent = max(-1e6, min(1e6, vocs[best].percent)).rounded()
        return SilenceAggravation(sensor: vocs[best].sensor, risePercent: Int(percent), since: since,
                                  factor: settings.vocSilenceFactor, minimum: settings.vocSilenceMinimum)
    }

    func role(_ s: SensorID) -> Role {
        Int(s.index) < roles.count ? roles[Int(s.index)] : .unused
    }

    /// When a band is next entered or left, if readings go on as they are. Kept up to date
    /// by every input and timer (`refreshDeadline`): the engine asks for it at every timer.
    public private(set) var deadline: MonotonicInstant = .never

    mutating func refreshDeadline() {
        var d = MonotonicInstant.never
        for r in rooms.indices {
            d = min(d, rooms[r].heat.deadline)
            d = min(d, rooms[r].cold.deadline)
        }
        for a in air.indices { d = min(d, air[a].co2.deadline) }
        for w in vocs.indices { d = min(d, vocs[w].rise.deadline) }
        deadline = d
    }

    // MARK: - Inputs

    /// Takes one reading. Readings of a sensor in fault, and non-finite values, are ignored.
    mutating func reading(_ s: SensorID, _ v: Double, at t: Timestamp) {
        defer { refreshDeadline() }
        let i = Int(s.index)
        guard i < roles.count, !faulted[i], v.isFinite else { return }
        latest[i] = v
        if latestAt[i] != .never, t.monotonic > latestAt[i] { latestGap[i] = t.monotonic - latestAt[i] }
        latestAt[i] = t.monotonic
        switch roles[i] {
        case .temperature(let r):
            feedHeat(r, at: t.monotonic)
            rooms[r].cold.input(v, at: t.monotonic)
        case .humidity:
            for r in rooms.indices where rooms[r].humidity == s { feedHeat(r, at: t.monotonic) }
        case .co2(let a):
            air[a].co2.input(v, at: t.monotonic)
        case .voc(let w):
            vocs[w].input(v, at: t.monotonic, settings: settings)
        case .unused:
            break
        }
    }

    mutating func feedHeat(_ r: Int, at t: MonotonicInstant) {
        let temperature = latest[Int(rooms[r].temperature.index)]
        guard temperature.isFinite else { return }
        let h = rooms[r].humidity
        let fresh = h == .none ? Span.zero : max(Self.humidityFresh, latestGap[Int(h.index)] + latestGap[Int(h.index)])
        let humidity = h == .none || t - latestAt[Int(h.index)] > fresh ? Double.nan : latest[Int(h.index)]
        let wbgt = humidity.isFinite
        if wbgt != rooms[r].usesWBGT {
            rooms[r].humidityLostInEpisode = !wbgt && rooms[r].heat.level > 0
            rooms[r].usesWBGT = wbgt
            rooms[r].heat.retarget(Self.heatThresholds(settings, wbgt: wbgt))
        }
        rooms[r].heat.input(wbgt ? WBGT.indoorEstimate(temperature: temperature, humidity: humidity) : temperature, at: t)
        // The room's humidity was lost (in fault, or stale) during a heat episode judged on
        // WBGT: the air temperature alone says a band is left only when even saturated air
        // would be out of it (29 °C read alone after a WBGT of 29.2: still severe). An episode
        // begun on the temperature alone is left on its own thresholds.
        let level = rooms[r].heat.level
        if level == 0 { rooms[r].humidityLostInEpisode = false }
        if h != .none, !wbgt, level > 0, rooms[r].humidityLostInEpisode {
            let worst = WBGT.indoorEstimate(temperature: temperature, humidity: 100)
            let bands = Self.heatThresholds(settings, wbgt: true)
            for k in 1...level where worst >= bands[k] - settings.heatHysteresis { rooms[r].heat.hold(level: k) }
        }
    }

    /// The sensor failed: its readings are not used until it recovers, and the runs it fed restart.
    mutating func sensorFault(_ s: SensorID) {
        defer { refreshDeadline() }
        let i = Int(s.index)
        guard i < roles.count else { return }
        faulted[i] = true
        latest[i] = .nan
        latestAt[i] = .never   // the outage is no poll interval
        switch roles[i] {
        case .temperature(let r):
            rooms[r].heat.reset()
            rooms[r].cold.reset()
        case .humidity:
            for r in rooms.indices where rooms[r].humidity == s { rooms[r].heat.reset() }
        case .co2(let a):
            air[a].co2.reset()
        case .voc(let w):
            vocs[w].reset()
        case .unused:
            break
        }
    }

    /// Whether the sensor's readings are set aside (in fault).
    @inline(__always) func isFaulted(_ s: SensorID) -> Bool {
        let i = Int(s.index)
        return i < faulted.count && faulted[i]
    }

    mutating func sensorRecovered(_ s: SensorID) {
        defer { refreshDeadline() }
        if Int(s.index) < faulted.count { faulted[Int(s.index)] = false }
    }

    /// The occupancy changed: coming home into a hot or cold flat raises what was held back.
    mutating func presence(home: Bool, at t: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        defer { refreshDeadline() }
        guard home != presumedHome else { return }
        presumedHome = home
        guard home else { return }
        for r in rooms.indices {
            syncHeat(r, at: t, cameHome: true, ladder: &ladder, into: &out)
            syncCold(r, at: t, cameHome: true, ladder: &ladder, into: &out)
        }
    }

    // MARK: - Timers

    /// Enters and leaves the bands due at `now`, raising and clearing their alarms.
    mutating func expire(at now: Timestamp, ladder: inout AlarmLadder, ring: EventRing<Event>, into out: inout [Decision]) {
        defer { refreshDeadline() }
        let m = now.monotonic
        for r in rooms.indices {
            if rooms[r].heat.deadline <= m, let change = rooms[r].heat.expire(at: m) {
                ring.push(Event(time: now, sensor: rooms[r].temperature, kind: .heatBand, value: Double(change.to)))
                syncHeat(r, at: now, cameHome: false, ladder: &ladder, into: &out)
            }
            if rooms[r].cold.deadline <= m, rooms[r].cold.expire(at: m) != nil {
                syncCold(r, at: now, cameHome: false, ladder: &ladder, into: &out)
            }
        }
        for a in air.indices where air[a].co2.deadline <= m {
            guard air[a].co2.expire(at: m) != nil else { continue }
            syncVentilation(a, at: now, ladder: &ladder, into: &out)
        }
        for w in vocs.indices where vocs[w].rise.deadline <= m {
            guard let change = vocs[w].rise.expire(at: m) else { continue }
            vocs[w].confirmedAt = change.to > 0 ? now : nil
            ring.push(Event(time: now, sensor: vocs[w].sensor, kind: .vocRise, value: change.to > 0 ? vocs[w].percent : 0))
        }
    }

    // MARK: - Alarms

    mutating func syncHeat(_ r: Int, at t: Timestamp, cameHome: Bool, ladder: inout AlarmLadder, into out: inout [Decision]) {
        let s = rooms[r].temperature
        let level = rooms[r].heat.level
        if level >= HeatBand.severeWarning.rawValue {
            guard presumedHome, level > rooms[r].heatAlarm else { return }
            let before = rooms[r].heatAlarm
            rooms[r].heatAlarm = level
            let kind: AlarmKind = level >= HeatBand.danger.rawValue ? .heatDanger : .heat
            ladder.raise(kind, sensor: s, .environment(s, heatEvidence(r, at: t, cameHome: cameHome)), at: t, into: &out)
            if before > 0, kind == .heatDanger {
                ladder.clear(.heat, sensor: s, cancel: .superseded(by: .heatDanger), resolve: .superseded(by: .heatDanger), at: t, into: &out)
            }
        } else if rooms[r].heatAlarm > 0 {
            let kind: AlarmKind = rooms[r].heatAlarm >= HeatBand.danger.rawValue ? .heatDanger : .heat
            rooms[r].heatAlarm = 0
            let k = HeatBand.severeWarning.rawValue
            let heat = rooms[r].heat
            let eased = EnvironmentEvidence(quantity: rooms[r].usesWBGT ? .wbgt : .temperature, value: heat.value,
                                            bound: heat.exitBound(k), atOrAbove: false, held: held(since: heat.leaveRun[k], at: t))
            ladder.clear(kind, sensor: s, cancel: .environmentEased(s, eased), resolve: .environmentEased(s, eased), at: t, into: &out)
        }
    }

    func heatEvidence(_ r: Int, at t: Timestamp, cameHome: Bool) -> EnvironmentEvidence {
        let heat = rooms[r].heat
        let h = rooms[r].humidity
        let wbgt = rooms[r].usesWBGT
        return EnvironmentEvidence(
            quantity: wbgt ? .wbgt : .temperature, value: heat.value, bound: heat.threshold(heat.level), atOrAbove: true,
            held: held(since: heat.changeRunStart, at: t), band: HeatBand(rawValue: heat.level),
            temperature: wbgt ? latest[Int(rooms[r].temperature.index)] : nil,
            humidity: wbgt && h != .none ? latest[Int(h.index)] : nil, cameHome: cameHome)
    }

    mutating func syncCold(_ r: Int, at t: Timestamp, cameHome: Bool, ladder: inout AlarmLadder, into out: inout [Decision]) {
        let s = rooms[r].temperature
        let cold = rooms[r].cold
        if cold.level > 0 {
            guard presumedHome, !rooms[r].coldAlarm else { return }
            rooms[r].coldAlarm = true
            let e = EnvironmentEvidence(quantity: .temperature, value: cold.value, bound: cold.threshold(1), atOrAbove: false,
                                        held: held(since: cold.changeRunStart, at: t), cameHome: cameHome)
            ladder.raise(.cold, sensor: s, .environment(s, e), at: t, into: &out)
        } else if rooms[r].coldAlarm {
            rooms[r].coldAlarm = false
            let e = EnvironmentEvidence(quantity: .temperature, value: cold.value, bound: cold.exitBound(1), atOrAbove: true,
                                        held: held(since: cold.changeRunStart, at: t))
            ladder.clear(.cold, sensor: s, cancel: .environmentEased(s, e), resolve: .environmentEased(s, e), at: t, into: &out)
        }
    }

    mutating func syncVentilation(_ a: Int, at t: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        let s = air[a].sensor
        let co2 = air[a].co2
        if co2.level > 0, !air[a].alarm {
            air[a].alarm = true
            let e = EnvironmentEvidence(quantity: .co2, value: co2.value, bound: co2.threshold(1), atOrAbove: true,
                                        held: held(since: co2.changeRunStart, at: t))
            ladder.raise(.ventilation, sensor: s, .environment(s, e), at: t, into: &out)
        } else if co2.level == 0, air[a].alarm {
            air[a].alarm = false
            let e = EnvironmentEvidence(quantity: .co2, value: co2.value, bound: co2.exitBound(1), atOrAbove: false,
                                        held: held(since: co2.changeRunStart, at: t))
            ladder.clear(.ventilation, sensor: s, cancel: .environmentEased(s, e), resolve: .environmentEased(s, e), at: t, into: &out)
        }
    }

    func held(since start: MonotonicInstant, at t: Timestamp) -> Span {
        start == .never || start > t.monotonic ? .zero : t.monotonic - start
    }

    // MARK: - Reconfiguration

    /// Takes other settings (the configuration changed) at `t`, keeping each tracker's level
    /// and the alarms open. A tracker whose durations alone changed keeps its runs, so a
    /// band is entered or left at its run's start plus the new duration. A tracker whose
    /// threshold or hysteresis changed restarts its runs at `t` from its last reading: the
    /// level (and its alarm) holds until readings decide against the new bounds. A changed
    /// `vocSignal` starts each VOC watch afresh (baseline and rise: the old percentages
    /// meant something else). The VOC baseline's settings apply from the next reading.
    mutating func reconfigure(_ new: EnvironmentSettings, at t: MonotonicInstant) {
        defer { refreshDeadline() }
        let old = settings
        guard new != old else { return }
        settings = new
        for r in rooms.indices {
            let heat = Self.heatThresholds(new, wbgt: rooms[r].usesWBGT)
            rooms[r].heat.reconfigure(thresholds: heat, hysteresis: new.heatHysteresis,
                                      enterAfter: new.heatFor, leaveAfter: new.heatClearAfter, at: t)
            rooms[r].cold.reconfigure(thresholds: Levels(new.coldBelow), hysteresis: new.coldHysteresis,
                                      enterAfter: new.coldFor, leaveAfter: new.coldClearAfter, at: t)
        }
        for a in air.indices {
            air[a].co2.reconfigure(thresholds: Levels(new.co2Limit), hysteresis: new.co2Hysteresis,
                                   enterAfter: new.co2For, leaveAfter: new.co2ClearAfter, at: t)
        }
        for w in vocs.indices {
            if new.vocSignal != old.vocSignal {
                let sensor = vocs[w].sensor
                vocs[w] = VOCRiseWatch(sensor: sensor, settings: new)
            } else {
                vocs[w].rise.reconfigure(thresholds: Levels(new.vocRisePercent), hysteresis: new.vocRiseHysteresis,
                                         enterAfter: new.vocRiseFor, leaveAfter: new.vocRiseClearAfter, at: t)
            }
        }
    }

    // MARK: - Restart recovery

    /// Replays the VOC readings stored before a restart (oldest first) into the VOC watches,
    /// without events: the baseline is the flat's again, not the first reading after the
    /// boot, and a sustained rise in force at the stop (it shortens the silence limits) is
    /// in force again, confirmed when it was. Without it a power blip during a rise made
    /// the raised level the new baseline and the shortened limit never came back.
    mutating func recall(vocReadings: [(sensor: SensorID, at: Timestamp, value: Double)]) {
        defer { refreshDeadline() }
        for r in vocReadings {
            guard case .voc(let w) = role(r.sensor), r.value.isFinite else { continue }
            while vocs[w].rise.deadline <= r.at.monotonic {
                let d = vocs[w].rise.deadline
                guard let change = vocs[w].rise.expire(at: d) else { break }
                vocs[w].confirmedAt = change.to > 0 ? r.at.advanced(to: d) : nil
            }
            vocs[w].input(r.value, at: r.at.monotonic, settings: settings)
        }
    }

    /// Takes up the environment alarms still open after a restart (their condition is taken
    /// as still there until readings show it left) and the sensors still in fault.
    mutating func adopt(_ alarms: [OpenAlarm], presumedHome home: Bool) {
        defer { refreshDeadline() }
        presumedHome = home
        for a in alarms {
            switch (a.kind, role(a.sensor)) {
            case (.heat, .temperature(let r)), (.heatDanger, .temperature(let r)):
                let level = a.kind == .heatDanger ? HeatBand.danger.rawValue : HeatBand.severeWarning.rawValue
                if level > rooms[r].heat.level { rooms[r].heat.force(level: level, since: a.raisedAt.monotonic) }
                rooms[r].heatAlarm = max(rooms[r].heatAlarm, level)
            case (.cold, .temperature(let r)):
                rooms[r].cold.force(level: 1, since: a.raisedAt.monotonic)
                rooms[r].coldAlarm = true
            case (.ventilation, .co2(let i)):
                air[i].co2.force(level: 1, since: a.raisedAt.monotonic)
                air[i].alarm = true
            case (.sensorFault, _):
                sensorFault(a.sensor)
            default:
                break
            }
        }
    }
}
