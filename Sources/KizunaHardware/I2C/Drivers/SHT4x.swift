import KizunaCore

/// Sensirion SHT4x (SHT40/41/43/45): temperature and humidity. Commands are one byte; every
/// answer word carries a CRC. Each `trigger()` starts one high-precision measurement, after
/// which the chip goes back to sleep by itself: it draws almost nothing between the
/// poller's readings and does not warm itself (its heater is never used here — it would
/// make the flat look warmer and drier than it is).
public struct SHT4x<Bus: I2CBus>: EnvironmentDriver {
    public let bus: Bus
    public let address: UInt8
    /// How the 1 ms before the serial number's answer is waited.
    public var pause: CommandPause
    public let chip = "SHT4x"
    public let quantities: [SensorKind] = [.temperature, .humidity]
    /// The chip's 32-bit serial number, read by `prepare()`: proof that an SHT4x answers
    /// (an SHT3x at the same address NACKs the one-byte command).
    public private(set) var serialNumber: UInt32?

    public static var defaultAddress: UInt8 { 0x44 }
    /// High-precision measurement (0xFD): 8.3 ms at most (datasheet), rounded up.
    public static var measurementTime: Span { .milliseconds(10) }
    /// The chip's specified temperature range; a word outside it is not a reading.
    public static var temperatureRange: ClosedRange<Double> { -40...125 }
    /// Humidity as computed, before cropping to 0…100 %. The formula spans -6…119 %RH and
    /// the datasheet says to crop what falls outside 0…100 (tolerance, condensation); a few
    /// percent past either end is that, more is a chip that is not measuring.
    public static var plausibleHumidity: ClosedRange<Double> { -5...110 }

    public init(bus: Bus, address: UInt8 = 0x44, pause: CommandPause = .sleep) {
        self.bus = bus
        self.address = address
        self.pause = pause
    }

    /// T = -45 + 175 · raw / 65535 °C (datasheet, conversion of signal output).
    public static func temperature(raw: UInt16) -> Double { -45 + 175 * Double(raw) / 65535 }

    /// RH = -6 + 125 · raw / 65535 %, not yet cropped (datasheet, conversion of signal output).
    public static func humidity(raw: UInt16) -> Double { -6 + 125 * Double(raw) / 65535 }

    /// A measurement's two words as a reading: refused when out of range, humidity cropped.
    public static func reading(temperatureRaw: UInt16, humidityRaw: UInt16) throws(I2CError) -> [SensorKind: Double] {
        let t = temperature(raw: temperatureRaw), h = humidity(raw: humidityRaw)
        guard temperatureRange.contains(t) else {
            throw .badValue("SHT4x temperature \(t) °C (word 0x\(String(temperatureRaw, radix: 16))) out of range")
        }
        guard plausibleHumidity.contains(h) else {
            throw .badValue("SHT4x humidity \(h) %RH (word 0x\(String(humidityRaw, radix: 16))) out of range")
        }
        return [.temperature: t, .humidity: min(max(h, 0), 100)]
    }

    public mutating func prepare() throws(I2CError) {
        let w = try bus.fetchWords(address, command: [SHT4xCommand.readSerial], count: 2, after: .milliseconds(1), pause: pause)
        serialNumber = UInt32(w[0]) << 16 | UInt32(w[1])
    }

    public mutating func trigger() throws(I2CError) -> Span {
        if serialNumber == nil { try prepare() }
        try bus.write(address, [SHT4xCommand.measureHighPrecision])
        return Self.measurementTime
    }

    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        let w = try bus.readWords(address, count: 2)
        return try Self.reading(temperatureRaw: w[0], humidityRaw: w[1])
    }
}

/// The SHT4x's one-byte commands (datasheet, command overview).
enum SHT4xCommand {
    static let measureHighPrecision: UInt8 = 0xFD
    static let measureMediumPrecision: UInt8 = 0xF6
    static let measureLowPrecision: UInt8 = 0xE0
    static let readSerial: UInt8 = 0x89
    static let softReset: UInt8 = 0x94
    /// Heater pulses (200/110/20 mW for 1 s or 0.1 s), each ending with a measurement.
    static let heaterPulses: Set<UInt8> = [0x39, 0x32, 0x2F, 0x24, 0x1E, 0x15]
}
