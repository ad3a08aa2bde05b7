/// A BH1750 as its opcode protocol: power down/on, reset, continuous and one-time
/// measurement modes, the measurement-time register, and the two-byte data register.
///
/// Unlike a Sensirion chip, the real BH1750 answers any read with its data register (0
/// after power-up, then the last result), so this model does too; it does not acknowledge
/// an opcode it does not know, nor more than one opcode in a transfer (the datasheet asks
/// for a stop after each).
public final class BH1750Model: I2CDeviceModel {
    /// Illuminance in lx; a measurement stores lux · 1.2 counts, truncated to whole counts (high resolution),
    /// twice that in high-resolution mode 2, limited to 16 bits.
    public var lux = 300.0
    public private(set) var poweredOn = false
    /// The data register (counts).
    public private(set) var data: UInt16 = 0
    /// The measurement-time register (69 by default; the driver does not change it).
    public private(set) var measurementTime: UInt8 = 69
    /// Every opcode received, in order.
    public private(set) var opcodes: [UInt8] = []
    public private(set) var measurements = 0

    public init() {}

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        guard bytes.count == 1 else { throw .noAcknowledge }
        let op = bytes[0]
        opcodes.append(op)
        switch op {
        case BH1750Opcode.powerDown:
            poweredOn = false
        case BH1750Opcode.powerOn:
            poweredOn = true
        case BH1750Opcode.reset:
            if poweredOn { data = 0 }  // not accepted in power down
        case BH1750Opcode.continuousHighResolution, BH1750Opcode.continuousLowResolution:
            poweredOn = true
            measure(factor: 1)
        case BH1750Opcode.continuousHighResolution2:
            poweredOn = true
            measure(factor: 2)
        case BH1750Opcode.oneTimeHighResolution, BH1750Opcode.oneTimeLowResolution:
            measure(factor: 1)
            poweredOn = false  // one-time modes power down after the measurement
        case BH1750Opcode.oneTimeHighResolution2:
            measure(factor: 2)
            poweredOn = false
        case BH1750Opcode.measurementTimeHigh:
            measurementTime = (measurementTime & 0x1F) | (op & 0x07) << 5
        case BH1750Opcode.measurementTimeLow:
            measurementTime = (measurementTime & 0xE0) | (op & 0x1F)
        default:
            throw .noAcknowledge
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        let b = [UInt8(data >> 8), UInt8(data & 0xFF)]
        return Array(b.prefix(count)) + [UInt8](repeating: 0xFF, count: max(0, count - 2))
    }

    func measure(factor: Double) {
        measurements += 1
        data = UInt16(saturating: lux * 1.2 * factor)
    }
}
