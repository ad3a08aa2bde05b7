import KizunaCore

/// Sensirion SCD4x (SCD40/41): CO2 by photoacoustic sensing, with temperature and humidity.
/// Commands are 16-bit; arguments and answers are CRC-protected words.
///
/// The chip runs in periodic measurement, a new value every 5 s, because that is the mode
/// its accuracy and its automatic self-calibration are specified for. The poller's
/// trigger-wait-read cycle maps onto it like this:
///
/// - `prepare()` sends stop_periodic_measurement (accepted in any mode), so that a chip left
///   measuring by an earlier run, or one just powered up, starts from idle. The chip then
///   ignores every command for 500 ms: the driver never sleeps for that; the first
///   `trigger()` returns the 500 ms instead, to be served by the loop's timer.
/// - After that wait, `read()` (or `trigger()`) reads the serial number (which only an
///   idle SCD4x answers: the identity check) and starts periodic measurement. It has no
///   value yet and returns an empty dictionary.
/// - From then on `trigger()` sends nothing and returns the 5 s signal interval, and
///   `read()` asks get_data_ready_status first: **an empty dictionary means "no new value
///   yet, look again later"** (the poller retries after `notReadyRetry`). When ready, it
///   reads the measurement (the chip empties its buffer on read-out).
///
/// Any failure puts the driver back to `.unknown`, so the next cycle prepares the chip anew:
/// a chip that was unplugged or browned out comes back idle and must be started again.
/// A brown-out without a failed transfer leaves the chip idle and answering "not ready"
/// forever; `notReadyLimit` turns that silence into a `.timeout` fault.
public struct SCD4x<Bus: I2CBus>: EnvironmentDriver {
    /// Where the chip is in its stop/start protocol, as far as the driver knows.
    public enum Phase: Equatable, Sendable {
        /// Not prepared, or the last transfer failed: the chip's mode is not known.
        case unknown
        /// Stop was sent and nobody has yet been told to wait the 500 ms it needs.
        case stopSent
        /// The caller has been given the 500 ms wait; the next call comes after it.
        case settling
        /// Idle: settings and calibration commands are accepted.
        case idle
        /// Periodic measurement runs: a new value every 5 s.
        case measuring
    }

    public let bus: Bus
    public let address: UInt8
    /// How the 1 ms command execution times (and a forced recalibration's 400 ms) are waited.
    public var pause: CommandPause
    public let chip = "SCD4x"
    public let quantities: [SensorKind] = [.co2, .temperature, .humidity]
    public private(set) var phase: Phase = .unknown
    /// The chip's 48-bit serial number, read each time measurement is started.
    public private(set) var serialNumber: UInt64?
    /// Consecutive data-ready checks that found nothing new while measuring.
    public private(set) var notReadyCount = 0
    /// After this many consecutive "not ready" answers, `read()` throws `.timeout`: the chip
    /// has stopped measuring without saying so. At the poller's 1 s retry this is about
    /// 20 s, four signal intervals; a chip just started needs five checks at most.
    public var notReadyLimit = 20

    public static var defaultAddress: UInt8 { 0x62 }
    /// Periodic measurement's signal update interval.
    public static var signalInterval: Span { .seconds(5) }
    /// After stop_periodic_measurement the chip answers nothing for 500 ms.
    public static var stopTime: Span { .milliseconds(500) }
    /// Execution time of the read, data-ready, serial and setting commands.
    public static var commandTime: Span { .milliseconds(1) }
    /// Execution time of perform_forced_recalibration.
    public static var recalibrationTime: Span { .milliseconds(400) }
    /// The CO2 output range is 0…40000 ppm; 0 is what the chip sends without a CO2 value.
    public static var co2Range: ClosedRange<Double> { 1...40_000 }
    /// The chip's operating range; outside it its values are not specified.
    public static var temperatureRange: ClosedRange<Double> { -10...60 }

    public init(bus: Bus, address: UInt8 = 0x62, pause: CommandPause = .sleep) {
        self.bus = bus
        self.address = address
        self.pause = pause
    }

    /// T = -45 + 175 · word / 2¹⁶ °C (datasheet, read_measurement).
    public static func temperature(word: UInt16) -> Double { -45 + 175 * Double(word) / 65536 }

    /// RH = 100 · word / 2¹⁶ % (datasheet, read_measurement).
    public static func humidity(word: UInt16) -> Double { 100 * Double(word) / 65536 }

    /// get_data_ready_status: the 11 least significant bits are 0 when no new value is ready.
    public static func isDataReady(_ word: UInt16) -> Bool { word & 0x07FF != 0 }

    /// read_measurement's three words (CO2 ppm, T, RH) as a reading, refused when impossible.
    public static func reading(words w: [UInt16]) throws(I2CError) -> [SensorKind: Double] {
        guard w.count == 3 else { throw .badValue("SCD4x measurement of \(w.count) words") }
        let co2 = Double(w[0]), t = temperature(word: w[1])
        guard co2Range.contains(co2) else { throw .badValue("SCD4x CO2 \(w[0]) ppm out of range") }
        guard temperatureRange.contains(t) else {
            throw .badValue("SCD4x temperature \(t) °C (word 0x\(String(w[1], radix: 16))) out of range")
        }
        return [.co2: co2, .temperature: t, .humidity: humidity(word: w[2])]
    }

    public mutating func prepare() throws(I2CError) {
        phase = .unknown
        notReadyCount = 0
        try bus.write(address, SensirionCRC.command(SCD4xCommand.stopPeriodic))
        phase = .stopSent
    }

    public mutating func trigger() throws(I2CError) -> Span {
        do throws(I2CError) {
            switch phase {
            case .unknown:
                try prepare()
                phase = .settling
                return Self.stopTime
            case .stopSent:
                phase = .settling
                return Self.stopTime
            case .settling, .idle:
                try startMeasuring()
                return Self.signalInterval
            case .measuring:
                return Self.signalInterval
            }
        } catch {
            phase = .unknown
            throw error
        }
    }

    /// The new values, or an empty dictionary when the chip has none yet (just started, or
    /// asked again before its next 5 s update): look again later.
    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        do throws(I2CError) {
            switch phase {
            case .unknown, .stopSent:
                throw I2CError.badValue("SCD4x read before trigger()")
            case .settling, .idle:
                try startMeasuring()
                return [:]
            case .measuring:
                let ready = try fetch(SCD4xCommand.getDataReady, words: 1)[0]
                guard Self.isDataReady(ready) else {
                    notReadyCount += 1
                    if notReadyCount >= notReadyLimit { throw I2CError.timeout }
                    return [:]
                }
                notReadyCount = 0
                return try Self.reading(words: fetch(SCD4xCommand.readMeasurement, words: 3))
            }
        } catch {
            phase = .unknown
            throw error
        }
    }

    /// Stops periodic measurement so that settings and calibration can be changed; returns
    /// the 500 ms the chip needs before it answers again. The next call to this driver is
    /// taken to come after that wait; `trigger()` or `read()` start measuring again.
    public mutating func stopPeriodicMeasurement() throws(I2CError) -> Span {
        do throws(I2CError) {
            try bus.write(address, SensirionCRC.command(SCD4xCommand.stopPeriodic))
        } catch {
            phase = .unknown
            throw error
        }
        notReadyCount = 0
        phase = .settling
        return Self.stopTime
    }

    /// Forced recalibration to a reference concentration (a calibrated instrument beside
    /// the chip, or fresh outdoor air at about 420 ppm): returns the correction applied, in ppm.
    ///
    /// The datasheet's procedure: run the chip in periodic measurement for more than 3
    /// minutes at a steady CO2 level, `stopPeriodicMeasurement()`, wait what it returns,
    /// then call this. It blocks for the command's 400 ms (a technician's one-off action);
    /// `beginForcedRecalibration` and `forcedRecalibrationCorrection` split it for a caller
    /// that would rather wait on a timer. Throws `.badValue` when the chip reports failure
    /// (0xFFFF), typically because it had not measured long enough before.
    public mutating func forcedRecalibration(referencePPM: Int) throws(I2CError) -> Int {
        let wait = try beginForcedRecalibration(referencePPM: referencePPM)
        pause(wait)
        return try forcedRecalibrationCorrection()
    }

    /// Sends perform_forced_recalibration (0x362F with the reference as its argument word);
    /// returns the 400 ms to wait before `forcedRecalibrationCorrection()`.
    public mutating func beginForcedRecalibration(referencePPM: Int) throws(I2CError) -> Span {
        guard Self.co2Range.contains(Double(referencePPM)) else {
            throw .badValue("reference \(referencePPM) ppm is outside 1…40000 ppm")
        }
        try requireIdle("forced recalibration")
        do throws(I2CError) {
            try bus.write(address, SensirionCRC.command(SCD4xCommand.forcedRecalibration, [UInt16(referencePPM)]))
        } catch {
            phase = .unknown
            throw error
        }
        return Self.recalibrationTime
    }

    /// The answer of perform_forced_recalibration: correction = word − 0x8000 ppm.
    public mutating func forcedRecalibrationCorrection() throws(I2CError) -> Int {
        let word: UInt16
        do throws(I2CError) {
            word = try bus.readWords(address, count: 1)[0]
        } catch {
            phase = .unknown
            throw error
        }
        guard word != 0xFFFF else {
            throw .badValue("SCD4x forced recalibration failed (0xFFFF): measure ≥ 3 min at a steady level first")
        }
        return Int(word) - 0x8000
    }

    /// Switches automatic self-calibration on or off (0x2416). ASC assumes the chip sees
    /// outdoor air (~400 ppm) at least once a week — true of a flat whose windows are opened;
    /// not of a sealed room. The setting lives in the chip's RAM: a power cycle restores the
    /// setting last persisted (on from the factory). Needs periodic measurement stopped.
    public mutating func setAutomaticSelfCalibration(_ on: Bool) throws(I2CError) {
        try requireIdle("setting automatic self-calibration")
        do throws(I2CError) {
            try bus.write(address, SensirionCRC.command(SCD4xCommand.setAutomaticSelfCalibration, [on ? 1 : 0]))
        } catch {
            phase = .unknown
            throw error
        }
        pause(Self.commandTime)  // no command may come while this one executes
    }

    /// Reads the serial number (only an idle SCD4x answers it) and starts periodic measurement.
    mutating func startMeasuring() throws(I2CError) {
        let s = try fetch(SCD4xCommand.getSerialNumber, words: 3)
        serialNumber = UInt64(s[0]) << 32 | UInt64(s[1]) << 16 | UInt64(s[2])
        try bus.write(address, SensirionCRC.command(SCD4xCommand.startPeriodic))
        notReadyCount = 0
        phase = .measuring
    }

    /// Accepts the call only when the chip is idle (stop sent and its wait given out).
    mutating func requireIdle(_ what: String) throws(I2CError) {
        guard phase == .settling || phase == .idle else {
            throw .notSupported("SCD4x \(what) needs periodic measurement stopped: call stopPeriodicMeasurement() and wait first")
        }
        phase = .idle
    }

    func fetch(_ command: UInt16, words: Int) throws(I2CError) -> [UInt16] {
        try bus.fetchWords(address, command: SensirionCRC.command(command), count: words, after: Self.commandTime, pause: pause)
    }
}

/// The SCD4x's commands used here (datasheet, command overview).
enum SCD4xCommand {
    static let startPeriodic: UInt16 = 0x21B1
    static let readMeasurement: UInt16 = 0xEC05
    static let stopPeriodic: UInt16 = 0x3F86
    static let getDataReady: UInt16 = 0xE4B8
    static let forcedRecalibration: UInt16 = 0x362F
    static let setAutomaticSelfCalibration: UInt16 = 0x2416
    static let getAutomaticSelfCalibration: UInt16 = 0x2313
    static let getSerialNumber: UInt16 = 0x3682
}
