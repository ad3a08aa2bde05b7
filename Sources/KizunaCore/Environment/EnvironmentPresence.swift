/// Whether someone is in the room, judged only from its light and CO2 readings: the
/// environment's own sign of presence, independent of PIR and door.
///
/// The method, in three sentences a technician can check on the sensor's readings:
///
/// 1. **The room is lit** while light is at or above `litLux`; a dark room counts as empty.
/// 2. **The light is someone's** once it has been confirmed since the room became lit:
///    either by a *switch* (a reading at least `switchStepLux` above the average of the last
///    minute, so a lamp switched on, not daylight creeping up) or by *breathing* (below).
///    The confirmation holds until the room goes dark again.
/// 3. **Breathing** is CO2 the air gains faster than ventilation can explain. The estimate of
///    the CO2 made in the room, in ppm per minute, is
///    `rise + airChangesPerHour / 60 × (CO2 − baseline)`: the rise per minute (a 2-minute
///    average minus a 10-minute average, divided by the 8 minutes between them) plus what
///    ventilation is carrying out at this excess over the room's empty level. It is breathing
///    at `breathingPPMPerMinute` or more. The baseline starts at `outdoorCO2`, drops at once
///    to any lower (2-minute average) reading and rises at most `baselineRisePPMPerHour`.
///
/// With no light sensor at all (light never reported) the answer is breathing alone.
///
/// Measured on the UCI Occupancy Detection office recordings (20,560 minutes with
/// ground truth; `swift run -c release kizuna-bench uci-occupancy`): 98.95 % of minutes
/// agree, against 97.92 % for "light ≥ 300 lx" alone and 87.5 % for breathing alone. All 33
/// arrivals and 21 of the 23 absences that last 15 minutes or more are seen within a
/// minute. The switch catches arrivals at once; breathing confirms a room that was already
/// lit at start-up, and keeps weekend daylight (no switch, no breathing) from counting.
///
/// Limits, to read before trusting it in a flat:
/// - **An office is not a flat.** The office's lamps give about 400–450 lx at the sensor and
///   are on exactly while people work; a flat's lamps are dimmer and daylight at a window
///   far brighter, so `litLux` must be set from the installation (lamp on, at the sensor).
/// - **A dark room counts as empty.** A resident asleep or sitting in the dark is not seen.
///   CO2 alone is not trusted in the dark because in the office it rose at night with nobody
///   there (ventilation off, air from other rooms): on that week breathing alone agrees
///   with the ground truth in only 78.6 % of minutes.
/// - **A light left on hides a short absence**: the office's short absences with the lamp
///   left on are its main errors (stepping out for a few minutes is never seen). A lamp left
///   on in an empty flat reads as present until breathing or another rule says otherwise.
/// - **One person makes less CO2 than several.** The office's ground truth says occupied or
///   not, never by how many; one resting adult in a large or well-ventilated room may stay
///   below `breathingPPMPerMinute` (the ppm per minute a person makes falls as the room's
///   volume grows).
///   `airChangesPerHour` is the room's ventilation (Japanese homes since 2003 have
///   24-hour ventilation of about 0.5 per hour).
/// - Daylight that jumps (sun out of a cloud) looks like a switch for as long as it lasts.
///
/// A value type, updated in place with no allocation; the runtime owns one per room.
public struct EnvironmentPresence: Sendable {
    /// The method's few numbers, round values (see the type's documentation).
    public struct Settings: Hashable, Sendable {
        /// Light at or above this is a lit room (the office's lamps gave 400–450 lx).
        public var litLux: Double
        /// A reading this far above the last minute's average light is a switch turned on.
        public var switchStepLux: Double
        /// CO2 made in the room, in ppm per minute, from which it counts as breathing.
        public var breathingPPMPerMinute: Double
        /// The share of the room's air ventilation replaces per hour.
        public var airChangesPerHour: Double
        /// Where the CO2 baseline (the room's empty level) starts, in ppm.
        public var outdoorCO2: Double
        /// How fast the baseline may rise, in ppm per hour (it follows lower readings at once).
        public var baselineRisePPMPerHour: Double

        public init(litLux: Double = 300, switchStepLux: Double = 150, breathingPPMPerMinute: Double = 2,
                    airChangesPerHour: Double = 0.5, outdoorCO2: Double = 400, baselineRisePPMPerHour: Double = 5) {
            self.litLux = litLux
            self.switchStepLux = switchStepLux
            self.breathingPPMPerMinute = breathingPPMPerMinute
            self.airChangesPerHour = airChangesPerHour
            self.outdoorCO2 = outdoorCO2
            self.baselineRisePPMPerHour = baselineRisePPMPerHour
        }
    }

    /// Time constants of the averages, in minutes.
    static let fastMinutes = 2.0, slowMinutes = 10.0, lightMinutes = 1.0

    public var settings: Settings

    /// The current answer: someone is in the room.
    public private(set) var isPresent = false
    /// Light is at or above `litLux` (as of the last light reading).
    public private(set) var isLit = false
    /// The lit room's light has been confirmed as someone's (a switch, or breathing).
    public private(set) var isLightConfirmed = false
    /// CO2 made in the room, in ppm per minute (as of the last CO2 reading).
    public private(set) var co2Generation = 0.0
    /// `co2Generation` is at or above `breathingPPMPerMinute`.
    public private(set) var isBreathing = false
    /// The room's empty CO2 level, in ppm (meaningful once CO2 has been read).
    public private(set) var co2Baseline = 0.0

    var co2Seen = false
    var fastCO2 = 0.0, slowCO2 = 0.0
    var lastCO2At = MonotonicInstant(nanoseconds: 0)
    var lightSeen = false
    var lightAverage = 0.0
    var lastLightAt = MonotonicInstant(nanoseconds: 0)

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Takes the readings of one moment (either may be missing: not read this time, or the
    /// sensor is faulty; a missing reading keeps what the last one said) and returns whether
    /// someone is present. Readings should come at least every few minutes; after a longer
    /// gap the averages restart from the new reading. Non-finite readings count as missing.
    @discardableResult
    public mutating func update(co2: Double?, light: Double?, at time: MonotonicInstant) -> Bool {
        if let co2, co2.isFinite { takeCO2(co2, at: time) }
        if let light, light.isFinite { takeLight(light, at: time) }
        if isLit && isBreathing { isLightConfirmed = true }
        isPresent = lightSeen ? isLit && isLightConfirmed : isBreathing
        return isPresent
    }

    mutating func takeCO2(_ co2: Double, at time: MonotonicInstant) {
        if !co2Seen {
            fastCO2 = co2
            slowCO2 = co2
            co2Baseline = min(co2, settings.outdoorCO2)
            co2Seen = true
            lastCO2At = time
        } else if time > lastCO2At {
            let dt = Double(time.nanoseconds - lastCO2At.nanoseconds) / 60e9  // minutes
            fastCO2 += dt / (Self.fastMinutes + dt) * (co2 - fastCO2)
            slowCO2 += dt / (Self.slowMinutes + dt) * (co2 - slowCO2)
            co2Baseline = min(co2Baseline + settings.baselineRisePPMPerHour / 60 * dt, fastCO2)
            lastCO2At = time
        }
        let rise = (fastCO2 - slowCO2) / (Self.slowMinutes - Self.fastMinutes)
        co2Generation = rise + settings.airChangesPerHour / 60 * (fastCO2 - co2Baseline)
        isBreathing = co2Generation >= settings.breathingPPMPerMinute
    }

    mutating func takeLight(_ light: Double, at time: MonotonicInstant) {
        var switched = false
        if !lightSeen {
            lightAverage = light
            lightSeen = true
            lastLightAt = time
        } else if time > lastLightAt {
            switched = light - lightAverage >= settings.switchStepLux
            let dt = Double(time.nanoseconds - lastLightAt.nanoseconds) / 60e9
            lightAverage += dt / (Self.lightMinutes + dt) * (light - lightAverage)
            lastLightAt = time
        }
        isLit = light >= settings.litLux
        if !isLit {
            isLightConfirmed = false
        } else if switched {
            isLightConfirmed = true
        }
    }
}
