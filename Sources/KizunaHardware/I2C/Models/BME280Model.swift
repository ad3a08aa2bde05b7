/// A BME280 as its register map: chip id, trimming registers, and the data registers,
/// which take the test's raw ADC values when a forced conversion is started (as the chip
/// does), and keep the reset values (0x80000) until then.
public final class BME280Model: RegisterDeviceModel {
    public var adcTemperature: Int32 = 0
    public var adcPressure: Int32 = 0
    public var adcHumidity: Int32 = 0
    /// How many forced conversions were started.
    public private(set) var conversions = 0

    public init<Bus>(calibration: BME280<Bus>.Calibration) {
        super.init()
        registers[0xD0] = 0x60
        let (low, high) = calibration.registers
        for (i, b) in low.enumerated() { registers[0x88 + i] = b }
        for (i, b) in high.enumerated() { registers[0xE1 + i] = b }
        // Reset values of the data registers: "no conversion yet".
        registers.replaceSubrange(0xF7...0xFE, with: [0x80, 0, 0, 0x80, 0, 0, 0x80, 0])
    }

    public override func registerWritten(_ register: UInt8, _ value: UInt8) {
        super.registerWritten(register, value)
        if register == 0xF4, value & 0x03 == 0x01 || value & 0x03 == 0x02 {  // forced mode
            conversions += 1
            let p = UInt32(bitPattern: adcPressure), t = UInt32(bitPattern: adcTemperature), h = UInt32(bitPattern: adcHumidity)
            registers.replaceSubrange(0xF7...0xFE, with: [
                UInt8((p >> 12) & 0xFF), UInt8((p >> 4) & 0xFF), UInt8((p & 0x0F) << 4),
                UInt8((t >> 12) & 0xFF), UInt8((t >> 4) & 0xFF), UInt8((t & 0x0F) << 4),
                UInt8((h >> 8) & 0xFF), UInt8(h & 0xFF),
            ])
            registers[0xF4] = value & 0xFC  // back to sleep when done
        }
    }
}
