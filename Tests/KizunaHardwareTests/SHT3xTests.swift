import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("SHT3x driver against its command-protocol model")
struct SHT3xTests {
    typealias Driver = SHT3x<SimulatedI2CBus>

    static func setup() -> (SimulatedI2CBus, SHT3xModel, Driver) {
        let bus = SimulatedI2CBus()
        let model = SHT3xModel()
        bus.attach(model, at: 0x44)
        return (bus, model, Driver(bus: bus, pause: .noWait))
    }

    @Test("datasheet conversion: word 0x6666 is 25.0 °C and 40.0 %RH")
    func conversion() throws {
        // T = -45 + 175·26214/65535 = 25; RH = 100·26214/65535 = 40.
        #expect(near(Driver.temperature(raw: 0x6666), 25.0, within: 1e-9))
        #expect(near(Driver.humidity(raw: 0x6666), 40.0, within: 1e-9))
        #expect(Driver.humidity(raw: 0) == 0)
        #expect(Driver.humidity(raw: 0xFFFF) == 100)
        let r = try Driver.reading(temperatureRaw: 0x6666, humidityRaw: 0x6666)
        #expect(near(r[.temperature], 25.0, within: 1e-9))
        #expect(near(r[.humidity], 40.0, within: 1e-9))
    }

    @Test("prepare reads the status; trigger sends single shot high repeatability (0x2400); read converts")
    func cycle() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.temperature = 28.5
        model.humidity = 70
        try d.prepare()
        #expect(d.status == 0x8010)  // power-up: alert pending, reset detected, heater off
        let wait = try d.trigger()
        let r = try d.read()
        #expect(wait == .milliseconds(16))
        #expect(model.commands == [0xF32D, 0x2400])
        #expect(near(r[.temperature], 28.5, within: 0.003))
        #expect(near(r[.humidity], 70.0, within: 0.002))
    }

    @Test("a heater left on is switched off by prepare (it would read the flat warm and dry)")
    func heaterOff() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        try model.write([0x30, 0x6D])  // heater on, as another program might have left it
        #expect(model.heaterOn)
        try d.prepare()
        #expect(d.status == 0xA010)
        #expect(!model.heaterOn)
        #expect(model.commands.suffix(2) == [0xF32D, 0x3066])
    }

    @Test("a corrupted CRC becomes a CRC fault, never a value")
    func crc() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        model.corruptNextCRC = true
        _ = try d.trigger()
        let expected = SensirionCRC.checksum(model.temperatureWord)
        #expect(failure { try d.read() } == .crc(expected: expected, got: ~expected))
        model.corruptNextCRC = true
        #expect(failure { try d.readStatus() } == .crc(expected: SensirionCRC.checksum(UInt16(0x8010)), got: ~SensirionCRC.checksum(UInt16(0x8010))))
    }

    @Test("unplugged: no acknowledge; plugged back: reads again")
    func replug() throws {
        let (bus, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        bus.detach(0x44)
        #expect(failure { try d.trigger() } == .noAcknowledge)
        #expect(failure { try d.prepare() } == .noAcknowledge)
        bus.attach(model, at: 0x44)
        model.temperature = 18
        _ = try d.trigger()
        let r = try d.read()
        #expect(near(r[.temperature], 18.0, within: 0.003))
    }

    @Test("temperature word 0 (-45 °C) is refused")
    func badValue() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        model.temperature = -45
        _ = try d.trigger()
        #expect(model.temperatureWord == 0)
        #expect(isBadValue(failure { try d.read() }))
    }

    @Test("an SHT4x at the same address does not answer the SHT3x's two-byte command")
    func wrongChip() {
        let bus = SimulatedI2CBus()
        bus.attach(SHT4xModel(), at: 0x44)
        var d = Driver(bus: bus, pause: .noWait)
        #expect(failure { try d.prepare() } == .noAcknowledge)
    }

    @Test("the model: unknown command and read without a command are not acknowledged; clear status clears the flags")
    func model() throws {
        let model = SHT3xModel()
        #expect(failure { try model.write([0x12, 0x34]) } == .noAcknowledge)
        #expect(failure { try model.read(count: 3) } == .noAcknowledge)
        try model.write([0x30, 0x41])
        #expect(model.status == 0)
    }
}
