/// Thresholds of the environment rules (heat, cold, CO2, the VOC rise that aggravates a
/// silence). Each condition is entered when readings hold past its threshold for a minimum
/// duration and left when they hold past threshold ∓ hysteresis for another: a value
/// hovering around a threshold never flaps (see `BandTracker`).
public struct EnvironmentSettings: Sendable, Equatable {
    // MARK: Heat (WBGT; Japan's bands, see `HeatBand`; each triple must increase)

    /// 警戒: entered at this WBGT and recorded (a `heat-band` event); nobody is called.
    public var heatWarning: Double = 25
    /// 厳重警戒: a `heat` alarm (warning).
    public var heatSevereWarning: Double = 28
    /// 危険: a `heat-danger` alarm (critical).
    public var heatDanger: Double = 31
    /// For a room with no humidity reading (no sensor, or it is faulty), the air
    /// temperatures the guideline gives as reference for the same bands (28, 31, 35 °C).
    /// Guessing a humidity would be wrong either way: dry air overstates, humid air
    /// understates the WBGT of a hot room.
    public var heatWarningTemperature: Double = 28
    public var heatSevereWarningTemperature: Double = 31
    public var heatDangerTemperature: Double = 35
    /// A band is left below its threshold minus this (WBGT, or °C for a temperature-only room).
    public var heatHysteresis: Double = 1.0
    /// How long a band's threshold must hold before it is entered.
    public var heatFor: Span = .minutes(10)
    /// How long readings must stay below threshold − hysteresis before a band is left.
    public var heatClearAfter: Span = .minutes(10)

    // MARK: Cold

    /// A `cold` alarm (warning) when the temperature stays below this…
    public var coldBelow: Double = 10
    /// …for this long.
    public var coldFor: Span = .hours(2)
    /// Over when it stays at or above `coldBelow + coldHysteresis` for `coldClearAfter`.
    public var coldHysteresis: Double = 1
    public var coldClearAfter: Span = .minutes(30)

    // MARK: CO2

    /// A `ventilation` notice (info: sent once, never repeated) when CO2 stays at or above
    /// this (ppm; Japan's building-hygiene standard is 1000 ppm)…
    public var co2Limit: Double = 1500
    /// …for this long.
    public var co2For: Span = .minutes(30)
    /// Over when CO2 stays below `co2Limit − co2Hysteresis` for `co2ClearAfter`.
    public var co2Hysteresis: Double = 100
    public var co2ClearAfter: Span = .minutes(10)

    // MARK: VOC rise (aggravates a silence)

    /// What the VOC sensor reports: `index` (Sensirion's VOC index, or ppb; rises with VOC)
    /// or `rawTicks` (an SGP40's raw signal, which falls as VOC rises).
    public var vocSignal: VOCSignal = .index
    /// A rise of this many percent over the baseline…
    public var vocRisePercent: Double = 50
    /// …held this long is a sustained rise.
    public var vocRiseFor: Span = .minutes(30)
    /// The rise is over when it stays below `vocRisePercent − vocRiseHysteresis`
    /// (percentage points) for `vocRiseClearAfter`.
    public var vocRiseHysteresis: Double = 15
    public var vocRiseClearAfter: Span = .minutes(10)
    /// Time constant of the baseline, an exponential average of the signal.
    public var vocBaselineTime: Span = .hours(6)
    /// No rise is judged until the baseline has this much history.
    public var vocBaselineWarmUp: Span = .hours(1)
    /// Percentages are taken of at least this baseline (a ppb signal near zero would
    /// otherwise turn a whiff into a huge rise).
    public var vocBaselineFloor: Double = 10
    /// While a sustained rise coincides with a silence, the inactivity limit in force is
    /// multiplied by this…
    public var vocSilenceFactor: Double = 0.5
    /// …but never shortened below this (nor lengthened).
    public var vocSilenceMinimum: Span = .hours(1)

    public init() {}
}

/// How a VOC sensor's value relates to the amount of VOC in the air.
public enum VOCSignal: String, Sendable, Equatable {
    /// Rises with VOC: Sensirion's VOC index (100 = the sensor's recent average), or ppb.
    case index
    /// Falls as VOC rises: the SGP40's raw signal (SRAW ticks). Its changes are small
    /// compared with its value, so `vocRisePercent` must be set far lower (calibrate).
    case rawTicks = "raw"
}
