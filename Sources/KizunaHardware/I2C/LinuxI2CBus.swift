import CKizunaI2C
import KizunaCore

#if canImport(Glibc)
import Glibc
#endif

/// An I2C adapter, `/dev/i2c-N`, through libi2c (SMBus transfers) and I2C_RDWR (plain
/// transfers). Kernel errors become typed `I2CError`s.
public final class LinuxI2CBus: I2CBus {
    public let number: Int
    let fd: Int32

    /// Opens `/dev/i2c-NUMBER`; throws `.io(errno)` when it cannot (ENOENT: no such bus,
    /// EACCES: not in the i2c group).
    public init(number: Int) throws(I2CError) {
        self.number = number
        let r = kz_i2c_open(Int32(number))
        guard r >= 0 else { throw .io(-r) }
        fd = r
    }

    deinit { kz_i2c_close(fd) }

    /// The adapter's name as the kernel gives it (`/sys/class/i2c-dev/i2c-N/name`).
    public static func adapterName(_ number: Int) -> String? {
        guard let f = fopen("/sys/class/i2c-dev/i2c-\(number)/name", "r") else { return nil }
        defer { fclose(f) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, 256, f) != nil else { return nil }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: "\n ")
    }

    /// Maps a kernel error to what it means on the bus.
    public static func error(_ negativeErrno: Int32) -> I2CError {
        switch -negativeErrno {
        case ENXIO, EREMOTEIO, ENODEV: .noAcknowledge
        case ETIMEDOUT: .timeout
        case EBUSY: .busBusy
        case EAGAIN: .arbitrationLost
        case EOPNOTSUPP: .notSupported("the adapter cannot do this transfer")
        default: .io(-negativeErrno)
        }
    }

    public func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) {
        let r = bytes.withUnsafeBufferPointer { kz_i2c_write(fd, address, $0.baseAddress, UInt16($0.count)) }
        guard r >= 0 else { throw Self.error(r) }
    }

    public func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let r = out.withUnsafeMutableBufferPointer { kz_i2c_read(fd, address, $0.baseAddress, UInt16(count)) }
        guard r >= 0 else { throw Self.error(r) }
        return out
    }

    public func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let r = out.withUnsafeMutableBufferPointer { kz_i2c_read_registers(fd, address, register, UInt8(min(count, 32)), $0.baseAddress) }
        guard r >= 0 else { throw Self.error(r) }
        guard Int(r) == count else { throw .badValue("short read: \(r) of \(count) bytes") }
        return Array(out.prefix(count))
    }

    public func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        let r = kz_i2c_write_register(fd, address, register, value)
        guard r >= 0 else { throw Self.error(r) }
    }

    public func probe(_ address: UInt8) -> Bool { kz_i2c_probe(fd, address) == 1 }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
