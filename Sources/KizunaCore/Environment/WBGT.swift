/// Heat-stroke risk as Japan measures it: the WBGT (暑さ指数), judged in the bands of the
/// Japanese Society of Biometeorology's guideline for daily life (日常生活における熱中症予防指針),
/// which the Ministry of the Environment's heat-illness site uses too.
///
/// A flat has no black-globe or wet-bulb thermometer, so the WBGT is estimated from air
/// temperature and relative humidity with the indoor regression
///
///     WBGT ≈ 0.725·Ta + 0.0368·RH + 0.00364·Ta·RH − 3.246
///
/// (Ta in °C, RH in %), W. Kunino's fit to the society's indoor WBGT chart (rooms without
/// direct sun), extended below 20 °C with Ono & Tonouchi's (2014) estimate from standard
/// weather data. Its worked example: 28 °C at 90 %RH → 29.5388.
public enum WBGT {
    public static func indoorEstimate(temperature ta: Double, humidity rh: Double) -> Double {
        0.725 * ta + 0.0368 * rh + 0.00364 * ta * rh - 3.246
    }
}

/// The guideline's bands. A room is in the highest band whose threshold its WBGT has held
/// (see `BandTracker`); the raw value is the band's level in the tracker.
public enum HeatBand: Int, Sendable, Comparable, CaseIterable {
    /// 注意, below 25: little risk in daily life.
    case caution = 0
    /// 警戒, 25 to 28: risk with moderate activity. Recorded; nobody is called.
    case warning = 1
    /// 厳重警戒, 28 to 31: "watch the room temperature indoors". A `heat` alarm.
    case severeWarning = 2
    /// 危険, 31 and above: "the elderly are at risk even at rest". A `heat-danger` alarm.
    case danger = 3

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .caution: "caution"
        case .warning: "warning"
        case .severeWarning: "severe warning"
        case .danger: "danger"
        }
    }

    /// The guideline's own word, for the Japanese reader of an alarm.
    public var japanese: String {
        switch self {
        case .caution: "注意"
        case .warning: "警戒"
        case .severeWarning: "厳重警戒"
        case .danger: "危険"
        }
    }
}
