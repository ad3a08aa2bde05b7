/// An SHT4x as its command protocol: one-byte commands, answers of CRC-protected words.
/// Tests and the demo set the "physical" values; every measurement command converts them
/// with the datasheet's formulas run backwards, as the chip's converter would.
public final class SHT4xModel: I2CDeviceModel {
    /// °C and %RH in the room. A humidity of -6 or a temperature of -45 gives word 0: the
    /// way to make the chip send an impossible reading.
    public var temperature = 22.0
    public var humidity = 45.0
    public var serialNumber: UInt32 = 0x0F1E_2D3C
    /// Makes the next answer's first CRC wrong (a bit flipped on the wire); cleared once used.
    public var corruptNextCRC = false
    /// Every command byte received, in order.
    public private(set) var commands: [UInt8] = []
    /// How many measurements were started.
    public private(set) var measurements = 0
    var answer = SensirionAnswer()

    public init() {}

    public var temperatureWord: UInt16 { UInt16(saturating: (temperature + 45) * 65535 / 175) }
    public var humidityWord: UInt16 { UInt16(saturating: (humidity + 6) * 65535 / 125) }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        answer.clear()
        // Every SHT4x command is one byte; anything longer is not for this chip.
        guard bytes.count == 1 else { throw .noAcknowledge }
        let c = bytes[0]
        commands.append(c)
        switch c {
        case SHT4xCommand.measureHighPrecision, SHT4xCommand.measureMediumPrecision, SHT4xCommand.measureLowPrecision:
            measure()
        case let c where SHT4xCommand.heaterPulses.contains(c):
            measure()  // a heater pulse ends with a measurement (the warming itself is not modelled)
        case SHT4xCommand.readSerial:
            respond([UInt16(serialNumber >> 16), UInt16(serialNumber & 0xFFFF)])
        case SHT4xCommand.softReset:
            break
        default:
            throw .noAcknowledge
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] { try answer.take(count) }

    func measure() {
        measurements += 1
        respond([temperatureWord, humidityWord])
    }

    func respond(_ words: [UInt16]) {
        answer.load(words, corrupt: corruptNextCRC)
        corruptNextCRC = false
    }
}
