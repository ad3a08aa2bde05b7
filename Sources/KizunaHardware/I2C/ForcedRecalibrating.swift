import KizunaCore

/// A chip the technician can recalibrate against a reference on site (the SCD4x's forced
/// recalibration): it stops measuring, recalibrates, and is left for the poller to restart.
public protocol ForcedRecalibrating: EnvironmentDriver {
    /// Blocks for the chip's own waits (about a second); returns the correction in ppm.
    mutating func recalibrate(referencePPM: Int) throws(I2CError) -> Int
}

extension SCD4x: ForcedRecalibrating {
    public mutating func recalibrate(referencePPM: Int) throws(I2CError) -> Int {
        let wait = try stopPeriodicMeasurement()
        pause(wait)
        return try forcedRecalibration(referencePPM: referencePPM)
    }
}

extension EnvironmentPoller {
    /// Forced recalibration of the chip that measures `sensor` (in the loop: it blocks the
    /// loop for about a second, a technician's one-off action); the chip then starts measuring
    /// again from scratch. Throws `.notSupported` when the sensor's chip cannot do it.
    public func recalibrate(sensor: SensorID, referencePPM: Int, at now: MonotonicInstant) throws(I2CError) -> Int {
        guard let i = channels.firstIndex(where: { $0.sensors.values.contains(sensor) }),
              var chip = channels[i].driver as? any ForcedRecalibrating else {
            throw .notSupported("this sensor's chip has no forced recalibration")
        }
        defer {
            channels[i].driver = chip
            phase[i] = .idle
            prepared[i] = false
            deadline[i] = now
        }
        return try chip.recalibrate(referencePPM: referencePPM)
    }
}
