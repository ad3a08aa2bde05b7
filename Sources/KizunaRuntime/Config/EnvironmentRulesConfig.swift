import KizunaCore

/// The environment rules of the config's `rules:` section: `heat`, `cold`, `co2`, `voc`.
extension ConfigLoader {
    static let environmentRuleKeys = ["heat", "cold", "co2", "voc"]

    static func environmentRule(_ key: String, _ v: YAMLNode, into e: inout EnvironmentSettings, vocSignalSet: inout Bool) throws(ConfigError) {
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
                switch k {
                case "signal":
                    let text = try x.string()
                    guard let s = VOCSignal(rawValue: text) else { throw x.error("expected index or raw, got \"\(text)\"") }
                    e.vocSignal = s
                    vocSignalSet = true
                case "rise_percent": e.vocRisePercent = try x.double(in: 0.5...1000)
                case "for": e.vocRiseFor = try x.span(in: .minutes(5) ... .hours(12))
                case "silence_factor": e.vocSilenceFactor = try x.double(in: 0.1...1)
                default: e.vocSilenceMinimum = try x.span(in: .minutes(30) ... .hours(12))
                }
            }
        }
    }
}
