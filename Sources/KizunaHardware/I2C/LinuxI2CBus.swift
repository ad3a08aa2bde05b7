import CKizunaI2C
import KizunaCore

#if canImport(Glibc)
import Glibc
#endif

/// An I2C adapter, `/dev/i2c-N`, through libi2c (SMBus transfers) and I2C_RDWR (plain
/// transfers). Kernel errors become typed `I2CError`s.
///
/// The device is opened for each transfer and closed after it, not held: an adapter that
/// goes away (a USB bridge unplugged, a driver reloaded) is then simply absent until it
/// comes back, and nothing keeps its old instance busy. At a few transfers every couple
/// of seconds the cost is nothing.
public final class LinuxI2CBus: I2CBus {
    public let number: Int

    /// Checks that `/dev/i2c-NUMBER` can be opened; throws `.io(errno)` when it cannot
    /// (ENOENT: no such bus, EACCES: not in the i2c group).
    public init(number: Int) throws(I2CError) {
        self.number = number
        let r = kz_i2c_open(Int32(number))
        guard r >= 0 else { throw .io(-r) }
        kz_i2c_close(r)
    }

    /// `/dev/i2c-NUMBER` as it will be at each transfer, not checked now: a bus that cannot
    /// be opened at start (a USB bridge plugged in later, udev's permissions applied late)
    /// fails its transfers, so its sensors are faulty, and they recover by themselves once
    /// it can be opened.
    public init(unchecked number: Int) {
        self.number = number
    }

    func withDevice<T>(_ body: (Int32) -> (Int32, T)) throws(I2CError) -> T {
        let fd = kz_i2c_open(Int32(number))
        guard fd >= 0 else { throw fd == -ENOENT || fd == -ENODEV ? .noAcknowledge : .io(-fd) }
        defer { kz_i2c_close(fd) }
        let (r, value) = body(fd)
        guard r >= 0 else { throw Self.error(r) }
        return value
    }

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
        try withDevice { fd in (bytes.withUnsafeBufferPointer { kz_i2c_write(fd, address, $0.baseAddress, UInt16($0.count)) }, ()) }
    }

    public func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try withDevice { fd in
            var out = [UInt8](repeating: 0, count: count)
            let r = out.withUnsafeMutableBufferPointer { kz_i2c_read(fd, address, $0.baseAddress, UInt16(count)) }
            return (r, out)
        }
    }

    public func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        let out = try withDevice { fd in
            var out = [UInt8](repeating: 0, count: 32)
            let r = out.withUnsafeMutableBufferPointer { kz_i2c_read_registers(fd, address, register, UInt8(min(count, 32)), $0.baseAddress) }
            return (r, Array(out.prefix(Int(max(r, 0)))))
        }
        guard out.count == count else { throw .badValue("short read: \(out.count) of \(count) bytes") }
        return out
    }

    public func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        try withDevice { fd in (kz_i2c_write_register(fd, address, register, value), ()) }
    }

    public func probe(_ address: UInt8) -> Bool {
        (try? withDevice { fd in (0, kz_i2c_probe(fd, address) == 1) }) ?? false
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
