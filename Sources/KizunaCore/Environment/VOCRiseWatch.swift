/// Watches one VOC sensor for a sustained rise over its own recent level.
///
/// The baseline is an exponential average of the signal with time constant
/// `vocBaselineTime`, updated with weight `Δt / (τ + Δt)` so that irregular reading
/// intervals are handled without `exp`. Each reading's rise is taken against the baseline
/// before that reading, in percent of it (of at least `vocBaselineFloor`). A rise of
/// `vocRisePercent` held for `vocRiseFor` is a sustained rise; it is over when the rise stays
/// below `vocRisePercent − vocRiseHysteresis` for `vocRiseClearAfter`. Nothing is judged
/// before the baseline has `vocBaselineWarmUp` of history.
///
/// The baseline keeps adapting during a rise: a step that stays (new furniture, a
/// neighbour's renovation) is absorbed within about a quarter of `vocBaselineTime`, while
/// a signal that keeps climbing stays a rise.
struct VOCRiseWatch: Sendable {
    let sensor: SensorID
    var rise: BandTracker
    var baseline = Double.nan
    var firstReading = MonotonicInstant.never
    var lastReading = MonotonicInstant.never
    /// The rise of the last reading over the baseline, in percent.
    var percent = 0.0
    /// When the current sustained rise was confirmed (nil: none).
    var confirmedAt: Timestamp?

    init(sensor: SensorID, settings s: EnvironmentSettings) {
        self.sensor = sensor
        rise = BandTracker(.rising, thresholds: Levels(s.vocRisePercent), count: 1, hysteresis: s.vocRiseHysteresis,
                           enterAfter: s.vocRiseFor, leaveAfter: s.vocRiseClearAfter)
    }

    var isRising: Bool { rise.level > 0 }

    mutating func input(_ v: Double, at t: MonotonicInstant, settings s: EnvironmentSettings) {
        guard baseline.isFinite, firstReading != .never else {
            baseline = v
            firstReading = t
            lastReading = t
            return
        }
        let base = max(max(baseline, s.vocBaselineFloor), 1e-9)
        percent = (s.vocSignal == .index ? v - baseline : baseline - v) / base * 100
        if t - firstReading >= s.vocBaselineWarmUp { rise.input(percent, at: t) }
        if t > lastReading {
            let dt = (t - lastReading).seconds, tau = s.vocBaselineTime.seconds
            baseline += (v - baseline) * (dt / (tau + dt))
            lastReading = t
        }
    }

    /// The sensor failed: its runs no longer count; a rise already confirmed holds until
    /// fresh readings end it.
    mutating func reset() { rise.reset() }
}
