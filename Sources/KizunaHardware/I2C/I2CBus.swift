import KizunaCore

/// What can go wrong on an I2C bus, by what the technician does about it.
public enum I2CError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nobody answered at that address (unplugged, dead, wrong address).
    case noAcknowledge
    /// The transfer did not finish in time (a chip holding the clock low).
    case timeout
    /// Another master or a stuck line holds the bus.
    case busBusy
    /// Lost arbitration to another master.
    case arbitrationLost
    /// A Sensirion-style checksum did not match: the data was corrupted.
    case crc(expected: UInt8, got: UInt8)
    /// The chip answered with something that cannot be right (wrong id, out of range).
    case badValue(String)
    /// The adapter cannot do this kind of transfer (e.g. i2c-stub has no plain reads).
    case notSupported(String)
    /// Any other error of the adapter (errno).
    case io(Int32)

    public var description: String {
        switch self {
        case .noAcknowledge: "no acknowledge"
        case .timeout: "timeout"
        case .busBusy: "bus busy"
        case .arbitrationLost: "arbitration lost"
        case .crc(let e, let g): "CRC mismatch (expected 0x\(String(e, radix: 16)), got 0x\(String(g, radix: 16)))"
        case .badValue(let s): "bad value: \(s)"
        case .notSupported(let s): "not supported: \(s)"
        case .io(let e): "I/O error \(e)"
        }
    }

    /// The fault the engine records for it.
    public var fault: SensorFault {
        switch self {
        case .noAcknowledge: .noAcknowledge
        case .timeout, .busBusy, .arbitrationLost, .io, .notSupported: .offline
        case .crc: .crc
        case .badValue: .outOfRange
        }
    }
}

/// One I2C bus (an adapter, `/dev/i2c-N`, or a simulated bus). Addresses are 7-bit.
///
/// Two kinds of chips share it: register-based ones (BME280) are read with
/// `readRegisters`/`writeRegister`, which map to SMBus transfers (what every adapter,
/// i2c-stub included, can do); command-based ones (Sensirion, BH1750) `write` a command
/// and `read` the answer as plain I2C transfers.
public protocol I2CBus: AnyObject {
    /// Plain write transfer (a command, with its arguments).
    func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError)
    /// Plain read transfer of `count` bytes.
    func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8]
    /// `count` (≤ 32) consecutive registers from `register` (SMBus I2C-block read).
    func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8]
    /// One register (SMBus write byte data).
    func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError)
    /// Whether a chip acknowledges at `address` (for scanning).
    func probe(_ address: UInt8) -> Bool
}

/// A sensor chip's driver, as the poller uses it: prepare once, then trigger a conversion,
/// wait the time it says (on the loop's timers, never blocking), and read.
public protocol EnvironmentDriver {
    /// The chip's name ("BME280").
    var chip: String { get }
    /// What one reading yields.
    var quantities: [SensorKind] { get }
    /// Checks the chip's identity and reads what is read once (calibration). Throws when
    /// it does not answer or is not the expected chip.
    mutating func prepare() throws(I2CError)
    /// Starts one conversion; returns how long to wait before `read()`.
    mutating func trigger() throws(I2CError) -> Span
    /// The converted values, in each quantity's unit (°C, %RH, hPa, ppm, VOC raw ticks, lux).
    mutating func read() throws(I2CError) -> [SensorKind: Double]
}
