/// A chip on the simulated bus: its register map or command protocol, as the datasheet
/// describes it. Tests and the demo drive its "physical" values.
public protocol I2CDeviceModel: AnyObject {
    /// A write transfer addressed to this chip.
    func write(_ bytes: [UInt8]) throws(I2CError)
    /// A read transfer from this chip.
    func read(count: Int) throws(I2CError) -> [UInt8]
}

import KizunaCore

#if canImport(Glibc)
import Glibc
#endif

/// A bus that routes each transfer by address to a device model. Unplugging (`detach`) makes
/// an address stop acknowledging; `failNext` injects bus errors. `byteTime` makes each
/// transfer take as long as on a real bus (100 kHz: about 90 µs a byte with its
/// acknowledge), blocking the caller as the kernel's ioctl does.
public final class SimulatedI2CBus: I2CBus {
    public var byteTime: Span = .zero
    var devices: [UInt8: I2CDeviceModel] = [:]
    var injected: [I2CError] = []
    /// How many transfers the bus has carried (tests, benchmarks).
    public private(set) var transfers = 0

    public init() {}

    public func attach(_ model: I2CDeviceModel, at address: UInt8) { devices[address] = model }
    public func detach(_ address: UInt8) { devices[address] = nil }
    /// The next transfers fail with these errors, in order.
    public func failNext(_ errors: [I2CError]) { injected += errors }

    func device(_ address: UInt8, bytes: Int = 1) throws(I2CError) -> I2CDeviceModel {
        transfers += 1
        if byteTime > .zero {
            let ns = byteTime.nanoseconds * Int64(bytes + 1)  // + the address byte
            var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
            nanosleep(&ts, nil)
        }
        if !injected.isEmpty { throw injected.removeFirst() }
        guard let d = devices[address] else { throw .noAcknowledge }
        return d
    }

    public func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) {
        try device(address, bytes: bytes.count).write(bytes)
    }

    public func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try device(address, bytes: count).read(count: count)
    }

    public func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        let d = try device(address, bytes: count + 2)
        try d.write([register])
        return try d.read(count: count)
    }

    public func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        try device(address, bytes: 2).write([register, value])
    }

    public func probe(_ address: UInt8) -> Bool { devices[address] != nil }
}

/// A register-based chip: a 256-byte register file with an auto-incrementing pointer.
open class RegisterDeviceModel: I2CDeviceModel {
    public var registers = [UInt8](repeating: 0, count: 256)
    var pointer: Int = 0

    public init() {}

    open func write(_ bytes: [UInt8]) throws(I2CError) {
        guard let first = bytes.first else { return }
        pointer = Int(first)
        for (i, b) in bytes.dropFirst().enumerated() { registerWritten(UInt8((pointer + i) & 0xFF), b) }
    }

    /// A register write from the bus (subclasses react: start a conversion, reset).
    open func registerWritten(_ register: UInt8, _ value: UInt8) { registers[Int(register)] = value }

    open func read(count: Int) throws(I2CError) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<count { out.append(registers[(pointer + i) & 0xFF]) }
        pointer = (pointer + count) & 0xFF
        return out
    }
}
