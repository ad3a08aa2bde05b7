/// An SCD4x as its command protocol: idle and periodic-measurement modes, the data-ready
/// flag and the one-value output buffer, forced recalibration and the ASC setting. Time is
/// not modelled: the 500 ms after stop and the 5 s between measurements are the driver's
/// to respect; here a measurement arrives when a test calls `measure()`, or (with
/// `autoMeasure`) whenever the data-ready flag is asked while measuring.
///
/// As the real chip, it does not acknowledge a command that its mode does not accept
/// (settings while measuring, start while measuring), read_measurement with an empty
/// buffer, an argument whose CRC is wrong, or a read without a command before it.
public final class SCD4xModel: I2CDeviceModel {
    /// ppm, °C and %RH in the room (CO2 0 is what a chip without a CO2 value sends).
    public var co2 = 600.0
    public var temperature = 22.0
    public var humidity = 45.0
    public var serialNumber: UInt64 = 0x0123_4567_89AB
    /// Makes the next answer's first CRC wrong (a bit flipped on the wire); cleared once used.
    public var corruptNextCRC = false
    /// Whether periodic measurement runs. Set it to model a chip left measuring by an
    /// earlier run of the program (the chip keeps measuring as long as it has power).
    public var isMeasuring = false
    /// When on, each get_data_ready_status while measuring finds a new measurement, as if
    /// its 5 s had passed. Off, only `measure()` produces one.
    public var autoMeasure = true
    /// Automatic self-calibration (on from the factory).
    public var automaticSelfCalibration = true
    /// The reference concentration of the last forced recalibration received.
    public private(set) var lastFRCReference: UInt16?
    /// The correction the next forced recalibration reports, in ppm; nil makes it fail (0xFFFF).
    public var frcCorrection: Int? = 0
    /// Every command received, in order, and the bytes of the last write.
    public private(set) var commands: [UInt16] = []
    public private(set) var lastWrite: [UInt8] = []
    var buffer: [UInt16]?
    var answer = SensirionAnswer()

    public init() {}

    /// Whether a measurement waits in the output buffer.
    public var dataReady: Bool { buffer != nil }

    /// The chip's 5 s signal update: the current values go to the output buffer (while measuring).
    public func measure() {
        guard isMeasuring else { return }
        buffer = [UInt16(saturating: co2),
                  UInt16(saturating: (temperature + 45) * 65536 / 175),
                  UInt16(saturating: humidity * 65536 / 100)]
    }

    /// Power lost and back: the chip wakes idle, with its RAM settings back to their defaults.
    public func powerCycle() {
        isMeasuring = false
        buffer = nil
        automaticSelfCalibration = true
        answer.clear()
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        answer.clear()
        lastWrite = bytes
        guard let (code, decoded) = decodeSensirionCommand(bytes) else { throw .noAcknowledge }
        commands.append(code)
        guard let arguments = decoded else { throw .noAcknowledge }
        switch (code, arguments.count) {
        case (SCD4xCommand.startPeriodic, 0):
            guard !isMeasuring else { throw .noAcknowledge }
            isMeasuring = true
        case (SCD4xCommand.stopPeriodic, 0):
            isMeasuring = false
            buffer = nil
        case (SCD4xCommand.getDataReady, 0):
            if isMeasuring, autoMeasure { measure() }
            respond([dataReady ? 0x8006 : 0x8000])
        case (SCD4xCommand.readMeasurement, 0):
            guard let b = buffer else { throw .noAcknowledge }
            buffer = nil
            respond(b)
        case (SCD4xCommand.getSerialNumber, 0):
            guard !isMeasuring else { throw .noAcknowledge }
            respond([UInt16(serialNumber >> 32 & 0xFFFF), UInt16(serialNumber >> 16 & 0xFFFF), UInt16(serialNumber & 0xFFFF)])
        case (SCD4xCommand.forcedRecalibration, 1):
            guard !isMeasuring else { throw .noAcknowledge }
            lastFRCReference = arguments[0]
            respond([frcCorrection.map { UInt16(clamping: 0x8000 + $0) } ?? 0xFFFF])
        case (SCD4xCommand.setAutomaticSelfCalibration, 1):
            guard !isMeasuring, arguments[0] <= 1 else { throw .noAcknowledge }
            automaticSelfCalibration = arguments[0] == 1
        case (SCD4xCommand.getAutomaticSelfCalibration, 0):
            guard !isMeasuring else { throw .noAcknowledge }
            respond([automaticSelfCalibration ? 1 : 0])
        default:
            throw .noAcknowledge
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] { try answer.take(count) }

    func respond(_ words: [UInt16]) {
        answer.load(words, corrupt: corruptNextCRC)
        corruptNextCRC = false
    }
}
