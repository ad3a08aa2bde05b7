import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("BH1750 driver against its opcode model")
struct BH1750Tests {
    typealias Driver = BH1750<SimulatedI2CBus>

    static func setup() -> (SimulatedI2CBus, BH1750Model, Driver) {
        let bus = SimulatedI2CBus()
        let model = BH1750Model()
        bus.attach(model, at: 0x23)
        return (bus, model, Driver(bus: bus))
    }

    @Test("datasheet example: high byte 1000_0011, low byte 1001_0000 is ≈ 28067 lx")
    func datasheetExample() {
        // (2^15 + 2^9 + 2^8 + 2^7 + 2^4) / 1.2 = 33680 / 1.2 = 28066.67
        #expect(near(Driver.lux(raw: 0x8390), 28_066.67, within: 0.01))
        #expect(Driver.lux(raw: 0) == 0)
        #expect(near(Driver.lux(raw: 0xFFFF), 54_612.5, within: 0.01))
    }

    @Test("prepare powers on; trigger starts a one-time high-resolution measurement, 180 ms; read is big-endian counts / 1.2")
    func cycle() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.lux = 33_680 / 1.2
        try d.prepare()
        #expect(model.poweredOn)
        let wait = try d.trigger()
        #expect(wait == .milliseconds(180))
        #expect(model.opcodes == [0x01, 0x20])
        #expect(!model.poweredOn)  // one-time mode powers down by itself
        #expect(try model.read(count: 2) == [0x83, 0x90])
        let r = try d.read()
        #expect(near(r[.light], 28_066.67, within: 0.01))
        #expect(d.quantities == [.light])
    }

    @Test("each trigger measures anew, from power down")
    func again() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.lux = 100
        _ = try d.trigger()  // prepares first
        #expect(try d.read() == [.light: 100])  // 120 counts
        model.lux = 250
        _ = try d.trigger()
        #expect(try d.read() == [.light: 250])  // 300 counts
        #expect(model.measurements == 2)
        #expect(model.opcodes == [0x01, 0x20, 0x20])
    }

    @Test("unplugged: no acknowledge; plugged back: reads again")
    func replug() throws {
        let (bus, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        bus.detach(0x23)
        #expect(failure { try d.trigger() } == .noAcknowledge)
        #expect(failure { try d.read() } == .noAcknowledge)
        bus.attach(model, at: 0x23)
        model.lux = 12
        _ = try d.trigger()
        let r = try d.read()
        #expect(near(r[.light], 14.0 / 1.2, within: 0.01))  // 12 lx × 1.2 = 14.4 → 14 whole counts → 11.67 lx
    }

    @Test("the model: unknown opcode and two opcodes in one transfer are not acknowledged")
    func model() throws {
        let model = BH1750Model()
        #expect(failure { try model.write([0x55]) } == .noAcknowledge)
        #expect(failure { try model.write([0x01, 0x20]) } == .noAcknowledge)
        #expect(try model.read(count: 2) == [0, 0])  // the data register after power-up
    }
}
