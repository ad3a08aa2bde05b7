import KizunaCore

/// Sensirion SHT3x (SHT30/31/35): temperature and humidity. Commands are 16-bit; every answer
/// word carries a CRC. Each `trigger()` starts one single-shot, high-repeatability measurement
/// without clock stretching (0x2400): the chip does not hold the bus while it converts (an
/// early read is simply not acknowledged), and sleeps between the poller's readings.
///
/// `prepare()` reads the status register rather than resetting the chip: the read proves an
/// SHT3x answers (with a valid CRC) and needs no wait afterwards, and the status tells
/// whether the heater was left on (by another program, or a heater command on a noisy bus).
/// A heater that is on warms the chip by several degrees, so `prepare()` switches it off.
public struct SHT3x<Bus: I2CBus>: EnvironmentDriver {
    public let bus: Bus
    public let address: UInt8
    /// How the short execution times of the status and heater commands are waited.
    public var pause: CommandPause
    public let chip = "SHT3x"
    public let quantities: [SensorKind] = [.temperature, .humidity]
    /// The status register as `prepare()` found it (before switching a heater off).
    public private(set) var status: UInt16?

    public static var defaultAddress: UInt8 { 0x44 }
    /// Single shot, high repeatability: 15 ms at most (datasheet), rounded up.
    public static var measurementTime: Span { .milliseconds(16) }
    /// The chip's specified temperature range; a word outside it is not a reading.
    public static var temperatureRange: ClosedRange<Double> { -40...125 }
    /// Status bit 13: the heater is on.
    public static var heaterBit: UInt16 { 1 << 13 }

    public init(bus: Bus, address: UInt8 = 0x44, pause: CommandPause = .sleep) {
        self.bus = bus
        self.address = address
        self.pause = pause
    }

    /// T = -45 + 175 · raw / 65535 °C (datasheet, conversion of signal output).
    public static func temperature(raw: UInt16) -> Double { -45 + 175 * Double(raw) / 65535 }

    /// RH = 100 · raw / 65535 % (datasheet, conversion of signal output); always within 0…100.
    public static func humidity(raw: UInt16) -> Double { 100 * Double(raw) / 65535 }

    /// A measurement's two words as a reading, refused when the temperature is out of range.
    public static func reading(temperatureRaw: UInt16, humidityRaw: UInt16) throws(I2CError) -> [SensorKind: Double] {
        let t = temperature(raw: temperatureRaw)
        guard temperatureRange.contains(t) else {
            throw .badValue("SHT3x temperature \(t) °C (word 0x\(String(temperatureRaw, radix: 16))) out of range")
        }
        return [.temperature: t, .humidity: humidity(raw: humidityRaw)]
    }

    /// The status register (0xF32D): alert, heater, reset-detected and command-status bits.
    public func readStatus() throws(I2CError) -> UInt16 {
        try bus.fetchWords(address, command: SensirionCRC.command(SHT3xCommand.readStatus), count: 1,
                           after: .milliseconds(1), pause: pause)[0]
    }

    public mutating func prepare() throws(I2CError) {
        let s = try readStatus()
        if s & Self.heaterBit != 0 {
            try bus.write(address, SensirionCRC.command(SHT3xCommand.heaterOff))
            pause(.milliseconds(1))  // the chip needs a moment before the next command
        }
        status = s
    }

    public mutating func trigger() throws(I2CError) -> Span {
        if status == nil { try prepare() }
        try bus.write(address, SensirionCRC.command(SHT3xCommand.singleShotHigh))
        return Self.measurementTime
    }

    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        let w = try bus.readWords(address, count: 2)
        return try Self.reading(temperatureRaw: w[0], humidityRaw: w[1])
    }
}

/// The SHT3x's 16-bit commands used here (datasheet, section 4).
enum SHT3xCommand {
    /// Single shot, high repeatability, clock stretching disabled.
    static let singleShotHigh: UInt16 = 0x2400
    static let singleShotMedium: UInt16 = 0x240B
    static let singleShotLow: UInt16 = 0x2416
    /// The same with clock stretching enabled (not used: not every adapter supports it).
    static let singleShotStretched: Set<UInt16> = [0x2C06, 0x2C0D, 0x2C10]
    static let readStatus: UInt16 = 0xF32D
    static let clearStatus: UInt16 = 0x3041
    static let heaterOn: UInt16 = 0x306D
    static let heaterOff: UInt16 = 0x3066
    static let softReset: UInt16 = 0x30A2
    static let breakPeriodic: UInt16 = 0x3093
    /// Serial number (newer datasheets; what `i2c-scan` asks).
    static let readSerial: UInt16 = 0x3780
}
