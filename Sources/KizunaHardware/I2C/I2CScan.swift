#if canImport(Glibc)
import Glibc
#endif

/// `kizuna i2c-scan`: which addresses acknowledge on a bus, and which known chip answers
/// at each (by its id register or its serial-number command).
public enum I2CScan {
    public struct Found: Sendable, Equatable {
        public var address: UInt8
        /// "BME280 (chip id 0x60)", "SHT4x (serial 0x…)", "BH1750? (by address only)", or nil.
        public var chip: String?
    }

    /// The I2C adapters of this machine: (bus number, adapter name).
    public static func adapters() -> [(Int, String)] {
        guard let dir = opendir("/sys/class/i2c-dev") else { return [] }
        defer { closedir(dir) }
        var out: [(Int, String)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix("i2c-"), let n = Int(name.dropFirst(4)) else { continue }
            out.append((n, LinuxI2CBus.adapterName(n) ?? "?"))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    public static func scan(_ bus: I2CBus, addresses: ClosedRange<UInt8> = 0x03...0x77) -> [Found] {
        addresses.filter { bus.probe($0) }.map { Found(address: $0, chip: identify(bus, $0)) }
    }

    /// Asks the chip at `address` who it is, in ways that change nothing on the chip.
    public static func identify(_ bus: I2CBus, _ address: UInt8) -> String? {
        func hex(_ v: UInt8) -> String { "0x" + String(v, radix: 16) }
        switch address {
        case 0x76, 0x77:
            if let id = try? bus.readRegisters(address, from: 0xD0, count: 1).first {
                switch id {
                case 0x60: return "BME280 (chip id 0x60)"
                case 0x58: return "BMP280 (chip id 0x58, no humidity; not supported)"
                default: return "unknown (register 0xD0 = \(hex(id)))"
                }
            }
        case 0x44, 0x45:
            if let serial = sensirionSerial(bus, address, command: [0x89], words: 2) { return "SHT4x (serial \(serial))" }
            if let serial = sensirionSerial(bus, address, command: [0x37, 0x80], words: 2) { return "SHT3x (serial \(serial))" }
        case 0x62:
            if let serial = sensirionSerial(bus, address, command: [0x36, 0x82], words: 3) { return "SCD4x (serial \(serial))" }
        case 0x59:
            if let serial = sensirionSerial(bus, address, command: [0x36, 0x82], words: 3) { return "SGP40 (serial \(serial))" }
        case 0x23, 0x5C:
            return "BH1750? (it has no id register: known by its address only)"
        default:
            break
        }
        return nil
    }

    /// A Sensirion serial-number command: `words` 16-bit words, each with its CRC-8.
    static func sensirionSerial(_ bus: I2CBus, _ address: UInt8, command: [UInt8], words: Int) -> String? {
        guard (try? bus.write(address, command)) != nil else { return nil }
        usleep(2000)
        guard let answer = try? bus.read(address, count: words * 3) else { return nil }
        var serial = ""
        for w in 0..<words {
            let chunk = Array(answer[(w * 3)..<(w * 3 + 3)])
            guard SensirionCRC.checksum(chunk[0...1]) == chunk[2] else { return nil }
            serial += String(format2: chunk[0]) + String(format2: chunk[1])
        }
        return "0x" + serial
    }
}

extension String {
    init(format2 byte: UInt8) {
        let s = String(byte, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}

/// A bus that cannot be opened (no /dev/i2c-N, no permission): every transfer fails with
/// the reason, so its sensors turn faulty and the authority hears of it, while the PIRs
/// keep watching.
public final class UnavailableI2CBus: I2CBus {
    public let error: I2CError
    public init(error: I2CError) { self.error = error }
    public func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) { throw error }
    public func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] { throw error }
    public func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8] { throw error }
    public func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) { throw error }
    public func probe(_ address: UInt8) -> Bool { false }
}
