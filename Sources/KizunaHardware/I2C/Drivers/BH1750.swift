import KizunaCore

/// ROHM BH1750FVI: ambient light in lux. Commands are single bytes (opcodes), one per
/// transfer; the result is two bytes, big-endian, without a checksum.
///
/// Each `trigger()` starts a one-time high-resolution measurement (0x20, 1 lx resolution):
/// the chip powers down by itself afterwards, which is what a reading every minute or so
/// wants. The measurement takes 120 ms typically and 180 ms at most; the driver waits the
/// maximum, because a read before the end returns the previous result — a stale value
/// that nothing in the answer would betray.
///
/// The chip has no identity register and no checksum: `prepare()` can only check that it
/// acknowledges (power on, 0x01), and no lux value can be refused as impossible (0 is
/// darkness, 54612 lx direct sunlight on the sensor). A missing chip is still a fault: it
/// does not acknowledge.
public struct BH1750<Bus: I2CBus>: EnvironmentDriver {
    public let bus: Bus
    public let address: UInt8
    public let chip = "BH1750"
    public let quantities: [SensorKind] = [.light]
    /// Whether `prepare()` has seen the chip acknowledge.
    public private(set) var isPrepared = false

    /// 0x23 with ADDR low (the usual module wiring), 0x5C with ADDR high.
    public static var defaultAddress: UInt8 { 0x23 }
    /// High-resolution mode: 120 ms typical, 180 ms at most (datasheet, electrical characteristics).
    public static var measurementTime: Span { .milliseconds(180) }

    public init(bus: Bus, address: UInt8 = 0x23) {
        self.bus = bus
        self.address = address
    }

    /// lx = counts / 1.2 in high-resolution mode at the default measurement time
    /// (datasheet: 0x8390 → 28067 lx).
    public static func lux(raw: UInt16) -> Double { Double(raw) / 1.2 }

    public mutating func prepare() throws(I2CError) {
        try bus.write(address, [BH1750Opcode.powerOn])
        isPrepared = true
    }

    public mutating func trigger() throws(I2CError) -> Span {
        if !isPrepared { try prepare() }
        // Accepted from power down too: the datasheet lets "power on" be omitted.
        try bus.write(address, [BH1750Opcode.oneTimeHighResolution])
        return Self.measurementTime
    }

    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        let b = try bus.read(address, count: 2)
        guard b.count == 2 else { throw .badValue("BH1750 answered \(b.count) bytes") }
        return [.light: Self.lux(raw: UInt16(b[0]) << 8 | UInt16(b[1]))]
    }
}

/// The BH1750's opcodes (datasheet, instruction set architecture).
enum BH1750Opcode {
    static let powerDown: UInt8 = 0x00
    static let powerOn: UInt8 = 0x01
    /// Clears the data register; ignored in power down.
    static let reset: UInt8 = 0x07
    static let continuousHighResolution: UInt8 = 0x10
    static let continuousHighResolution2: UInt8 = 0x11
    static let continuousLowResolution: UInt8 = 0x13
    static let oneTimeHighResolution: UInt8 = 0x20
    static let oneTimeHighResolution2: UInt8 = 0x21
    static let oneTimeLowResolution: UInt8 = 0x23
    /// Measurement-time register: high bits 01000_xxx, low bits 011_xxxxx.
    static let measurementTimeHigh: ClosedRange<UInt8> = 0x40...0x47
    static let measurementTimeLow: ClosedRange<UInt8> = 0x60...0x7F
}
