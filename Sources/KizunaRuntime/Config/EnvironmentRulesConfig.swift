import KizunaCore

/// The environment rules of the config's `rules:` section: `heat`, `cold`, `co2`, `voc`;
/// and `routine`, the learned routine of the resident (issue 8).
extension ConfigLoader {
    /// `routine: { floor: 1h, ceiling: 12h, margin: 50%, window: 2h, memory: 28d, history: 7d, not_up_margin: 2h,
    /// rest_rooms: [bedroom, bed], up_share: 67%, up_margin: 0%, up_extra: 40m, not_back: { floor: 4h, margin: 50%, extra: 1h, memory: 90d, after: 10 } }`;
    /// `routine: off` (or leaving it out) keeps the fixed limits; `not_back: off` drops that alarm.
    static func routine(_ v: YAMLNode) throws(ConfigError) -> RoutineSettings? {
        if (try? v.string()) == "off" { return nil }
        var r = RoutineSettings()
        for (k, x) in try v.mapping(allowed: ["floor", "ceiling", "margin", "extra", "window", "memory", "history", "not_up_margin",
                                                   "not_back", "rest_rooms", "up_share", "up_margin", "up_extra"]) {
            switch k {
            case "floor": r.floor = try x.span(in: .minutes(30) ... .hours(12))
            case "ceiling": r.ceiling = try x.span(in: .hours(1) ... .hours(48))
            case "margin": r.margin = try x.percent(in: 0...200) / 100
            case "extra": r.extra = try x.span(in: .zero ... .hours(6))
            case "window": r.window = try x.span(in: .zero ... .hours(4))
            case "memory": r.memoryDays = Int(try x.span(in: .days(7) ... .days(90)).seconds / 86_400)
            case "history": r.minHistoryDays = Int(try x.span(in: .days(1) ... .days(60)).seconds / 86_400)
            case "not_back": r.notBack = try notBack(x)
            case "up_share": r.upShare = try x.percent(in: 0...100) / 100
            case "up_margin": r.upMargin = try x.percent(in: 0...200) / 100
            case "up_extra": r.upExtra = try x.span(in: .zero ... .hours(6))
            case "rest_rooms":
                var rooms: [String] = []
                for n in try x.sequence() {
                    let room = try n.string()
                    guard !room.isEmpty, !room.contains(where: { $0 == "." || $0 == " " }) else {
                        throw n.error("expected a room name as in the sensors' names (pir.ROOM), such as bedroom; got \"\(room)\"")
                    }
                    rooms.append(room)
                }
                r.restRooms = rooms
            default: r.notUpMargin = try x.span(in: .minutes(15) ... .hours(6))
            }
        }
        guard r.floor < r.ceiling else { throw v.error("floor must be shorter than ceiling") }
        guard r.minHistoryDays <= r.memoryDays else { throw v.error("history must not be longer than memory") }
        return r
    }

    /// `not_back: { floor: 4h, margin: 50%, extra: 1h, memory: 90d, after: 10, fallback: 24h,
    /// longest: 24h }` (`after`: how many outings must be remembered before it judges by them;
    /// `fallback`: the limit until then, or `off`; `longest`: a longer absence is a trip, not
    /// learned); `not_back: off`.
    static func notBack(_ v: YAMLNode) throws(ConfigError) -> AbsenceSettings? {
        if (try? v.string()) == "off" { return nil }
        var a = AbsenceSettings()
        for (k, x) in try v.mapping(allowed: ["floor", "margin", "extra", "memory", "after", "fallback", "longest"]) {
            switch k {
            case "floor": a.floor = try x.span(in: .hours(1) ... .hours(72))
            case "margin": a.margin = try x.percent(in: 0...300) / 100
            case "extra": a.extra = try x.span(in: .zero ... .hours(24))
            case "memory": a.memoryDays = Int(try x.span(in: .days(7) ... .days(365)).seconds / 86_400)
            case "fallback": a.fallback = (try? x.string()) == "off" ? nil : try x.span(in: .hours(1) ... .days(14))
            case "longest": a.longestOuting = try x.span(in: .hours(4) ... .days(14))
            default: a.minAbsences = try x.int(in: 1...200)
            }
        }
        return a
    }

    static let environmentRuleKeys = ["heat", "cold", "co2", "voc"]

    static func environmentRule(_ key: String, _ v: YAMLNode, into e: inout EnvironmentSettings, vocGiven: inout Set<String>) throws(ConfigError) {
        switch key {
        case "heat":
            for (k, x) in try v.mapping(allowed: ["warning", "severe", "danger", "for", "hysteresis", "clear_after"]) {
                switch k {
                case "warning": e.heatWarning = try x.double(in: 15...40)
                case "severe": e.heatSevereWarning = try x.double(in: 15...40)
                case "danger": e.heatDanger = try x.double(in: 15...40)
                case "for": e.heatFor = try x.span(in: .minutes(1) ... .hours(6))
                case "hysteresis": e.heatHysteresis = try x.double(in: 0...5)
                default: e.heatClearAfter = try x.span(in: .minutes(1) ... .hours(6))
                }
            }
            guard e.heatWarning < e.heatSevereWarning, e.heatSevereWarning < e.heatDanger else {
                throw v.error("the WBGT bands must rise: warning < severe < danger (Japan: 25, 28, 31)")
            }
            // A room without humidity is judged on the guideline's reference air temperatures
            // (28, 31, 35 °C for 25, 28, 31): bands set lower or higher move them as much.
            let d = EnvironmentSettings()
            e.heatWarningTemperature = d.heatWarningTemperature + (e.heatWarning - d.heatWarning)
            e.heatSevereWarningTemperature = d.heatSevereWarningTemperature + (e.heatSevereWarning - d.heatSevereWarning)
            e.heatDangerTemperature = d.heatDangerTemperature + (e.heatDanger - d.heatDanger)
        case "cold":
            for (k, x) in try v.mapping(allowed: ["below", "for", "hysteresis"]) {
                switch k {
                case "below": e.coldBelow = try x.double(in: -10...20)
                case "for": e.coldFor = try x.span(in: .minutes(10) ... .hours(24))
                default: e.coldHysteresis = try x.double(in: 0...5)
                }
            }
        case "co2":
            for (k, x) in try v.mapping(allowed: ["above", "for", "hysteresis"]) {
                switch k {
                case "above": e.co2Limit = try x.double(in: 600...10_000)
                case "for": e.co2For = try x.span(in: .minutes(1) ... .hours(24))
                default: e.co2Hysteresis = try x.double(in: 0...1000)
                }
            }
        default:
            for (k, x) in try v.mapping(allowed: ["signal", "rise_percent", "for", "silence_factor", "silence_minimum"]) {
                vocGiven.insert(k)
                switch k {
                case "signal":
                    let text = try x.string()
                    guard let s = VOCSignal(rawValue: text) else { throw x.error("expected index or raw, got \"\(text)\"") }
                    e.vocSignal = s
                case "rise_percent": e.vocRisePercent = try x.double(in: 0.5...1000)
                case "for": e.vocRiseFor = try x.span(in: .minutes(5) ... .hours(12))
                case "silence_factor": e.vocSilenceFactor = try x.double(in: 0.1...1)
                default: e.vocSilenceMinimum = try x.span(in: .minutes(30) ... .hours(12))
                }
            }
        }
    }
}
