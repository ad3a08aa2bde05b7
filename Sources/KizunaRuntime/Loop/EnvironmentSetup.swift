import KizunaCore
import KizunaHardware

/// Builds the I2C side of a device from its config: one bus per adapter number, one
/// driver per chip (several sensors of one chip share it), polled at the shortest
/// interval its sensors ask for.
public enum EnvironmentSetup {
    public static func poller(for installation: Installation, start: MonotonicInstant, log: (String) -> Void) -> EnvironmentPoller? {
        make(for: installation, start: start, log: log).poller
    }

    /// The poller and the buses it uses (the shell's `i2c scan` goes over the same ones). On
    /// the simulated board each chip is its device model on a simulated bus (the demo's).
    public static func make(for installation: Installation, start: MonotonicInstant, log: (String) -> Void) -> (poller: EnvironmentPoller?, buses: [Int: I2CBus]) {
        guard !installation.environment.isEmpty else { return (nil, [:]) }
        var buses: [Int: I2CBus] = [:]
        func bus(_ n: Int) -> I2CBus {
            if let b = buses[n] { return b }
            let b: I2CBus
            if installation.board.isSimulated {
                let sim = SimulatedI2CBus()
                for w in installation.environment where w.bus == n && !sim.probe(w.address) {
                    sim.attach(SimulatedChip.model(w.chip), at: w.address)
                }
                b = sim
            } else {
                do {
                    b = try LinuxI2CBus(number: n)
                } catch {
                    log("error: cannot open /dev/i2c-\(n) (\(error)); its sensors will be reported faulty until it can be opened")
                    b = LinuxI2CBus(unchecked: n)
                }
            }
            buses[n] = b
            return b
        }
        struct ChipKey: Hashable { var bus: Int, address: UInt8 }
        var order: [ChipKey] = []
        var wires: [ChipKey: [EnvironmentWire]] = [:]
        for w in installation.environment {
            let k = ChipKey(bus: w.bus, address: w.address)
            if wires[k] == nil { order.append(k) }
            wires[k, default: []].append(w)
        }
        let channels: [EnvironmentChannel] = order.map { k -> EnvironmentChannel in
            let ws = wires[k]!
            let location = "i2c-\(k.bus) 0x\(String(k.address, radix: 16))"
            return EnvironmentChannel(
                driver: driver(ws[0].chip, bus: bus(k.bus), address: k.address),
                sensors: Dictionary(ws.map { ($0.kind, $0.sensor) }, uniquingKeysWith: { a, _ in a }),
                interval: ws.map(\.every).min() ?? .seconds(30),
                calibration: Dictionary(ws.map { ($0.sensor, $0.calibration) }, uniquingKeysWith: { a, _ in a }),
                location: location)
        }
        // An SGP40 takes humidity and temperature from another chip of its room.
        let rooms = installation.sensors
        let fed = channels.map { c -> EnvironmentChannel in
            var c = c
            guard let voc = c.sensors[.voc] else { return c }
            let room = rooms[voc].room
            let h = installation.environment.first { $0.kind == .humidity && rooms[$0.sensor].room == room }?.sensor
            let t = installation.environment.first { $0.kind == .temperature && rooms[$0.sensor].room == room }?.sensor
            if let h, let t { c.compensation = (h, t) }
            return c
        }
        return (EnvironmentPoller(channels: fed, start: start), buses)
    }

    public static func driver(_ chip: EnvironmentChip, bus: I2CBus, address: UInt8) -> any EnvironmentDriver {
        let b = AnyBus(bus)
        return switch chip {
        case .bme280: BME280(bus: b, address: address)
        case .sht4x: SHT4x(bus: b, address: address)
        case .sht3x: SHT3x(bus: b, address: address)
        case .scd4x: SCD4x(bus: b, address: address)
        case .sgp40: SGP40(bus: b, address: address)
        case .bh1750: BH1750(bus: b, address: address)
        }
    }
}

/// An existential bus as a concrete type, for the drivers' generic parameter.
public final class AnyBus: I2CBus {
    let base: I2CBus
    public init(_ base: I2CBus) { self.base = base }
    public func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) { try base.write(address, bytes) }
    public func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] { try base.read(address, count: count) }
    public func readRegisters(_ address: UInt8, from register: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try base.readRegisters(address, from: register, count: count)
    }
    public func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        try base.writeRegister(address, register, value)
    }
    public func probe(_ address: UInt8) -> Bool { base.probe(address) }
}

/// The chips of the simulated board: device models with plausible indoor values (the
/// BME280 gives the datasheet's worked example, 25.08 °C).
enum SimulatedChip {
    static func model(_ chip: EnvironmentChip) -> I2CDeviceModel {
        switch chip {
        case .bme280:
            let m = BME280Model(calibration: DatasheetBME280.calibration)
            m.adcTemperature = 519_888
            m.adcPressure = 415_148
            m.adcHumidity = 30_000
            return m
        case .sht4x: return SHT4xModel()
        case .sht3x: return SHT3xModel()
        case .scd4x: return SCD4xModel()
        case .sgp40: return SGP40Model()
        case .bh1750: return BH1750Model()
        }
    }
}
