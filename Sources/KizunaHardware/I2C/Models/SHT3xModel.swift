/// An SHT3x as its command protocol: 16-bit commands, answers of CRC-protected words, and
/// the status register with its heater and reset bits. Tests set the "physical" values;
/// each single-shot command converts them with the datasheet's formulas run backwards.
public final class SHT3xModel: I2CDeviceModel {
    /// °C and %RH in the room; a temperature of -45 gives word 0.
    public var temperature = 22.0
    public var humidity = 45.0
    public var serialNumber: UInt32 = 0x0BEE_F123
    /// The status register. After power-up: alert pending (bit 15) and reset detected (bit 4).
    public var status: UInt16 = 0x8010
    /// Makes the next answer's first CRC wrong (a bit flipped on the wire); cleared once used.
    public var corruptNextCRC = false
    /// Every command received, in order.
    public private(set) var commands: [UInt16] = []
    /// How many single-shot measurements were started.
    public private(set) var measurements = 0
    var answer = SensirionAnswer()

    public init() {}

    public var heaterOn: Bool { status & (1 << 13) != 0 }
    public var temperatureWord: UInt16 { UInt16(saturating: (temperature + 45) * 65535 / 175) }
    public var humidityWord: UInt16 { UInt16(saturating: humidity * 65535 / 100) }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        answer.clear()
        // The commands modelled take no arguments (alert limits are not modelled).
        guard bytes.count == 2 else { throw .noAcknowledge }
        let code = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        commands.append(code)
        switch code {
        case SHT3xCommand.singleShotHigh, SHT3xCommand.singleShotMedium, SHT3xCommand.singleShotLow:
            measure()
        case let c where SHT3xCommand.singleShotStretched.contains(c):
            measure()
        case SHT3xCommand.readStatus:
            respond([status])
        case SHT3xCommand.clearStatus:
            status &= ~UInt16(0x8000 | 0x0800 | 0x0400 | 0x0010)
        case SHT3xCommand.heaterOn:
            status |= 1 << 13
        case SHT3xCommand.heaterOff:
            status &= ~UInt16(1 << 13)
        case SHT3xCommand.softReset:
            status = 0x8010
        case SHT3xCommand.breakPeriodic:
            break
        case SHT3xCommand.readSerial:
            respond([UInt16(serialNumber >> 16), UInt16(serialNumber & 0xFFFF)])
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
