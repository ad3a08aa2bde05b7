import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("SGP40 driver against its command-protocol model")
struct SGP40Tests {
    typealias Driver = SGP40<SimulatedI2CBus>

    static func setup() -> (SimulatedI2CBus, SGP40Model, Driver) {
        let bus = SimulatedI2CBus()
        let model = SGP40Model()
        bus.attach(model, at: 0x59)
        return (bus, model, Driver(bus: bus, pause: .noWait))
    }

    @Test("datasheet defaults: 50 %RH and 25 °C are 0x8000 (CRC 0xA2) and 0x6666 (CRC 0x93)")
    func defaults() {
        let w = Driver.compensationWords(humidity: 50, temperature: 25)
        #expect(w.humidity == 0x8000)
        #expect(w.temperature == 0x6666)
        // The datasheet's "measure without humidity compensation" command, byte for byte.
        #expect(Driver.measureCommand(humidity: 50, temperature: 25) == [0x26, 0x0F, 0x80, 0x00, 0xA2, 0x66, 0x66, 0x93])
    }

    @Test("datasheet extremes, clamping, and a value that is not a number")
    func extremes() {
        let low = Driver.compensationWords(humidity: 0, temperature: -45)
        #expect(low.humidity == 0x0000 && low.temperature == 0x0000)
        let high = Driver.compensationWords(humidity: 100, temperature: 130)
        #expect(high.humidity == 0xFFFF && high.temperature == 0xFFFF)
        let beyond = Driver.compensationWords(humidity: 120, temperature: -60)
        #expect(beyond.humidity == 0xFFFF && beyond.temperature == 0x0000)
        let unknown = Driver.compensationWords(humidity: .nan, temperature: .infinity)
        #expect(unknown.humidity == 0x8000 && unknown.temperature == 0x6666)
        // 60 %RH → 39321 (0x9999); 21.5 °C → 66.5·65535/175 = 24903.3 → 24903 (0x6147).
        let room = Driver.compensationWords(humidity: 60, temperature: 21.5)
        #expect(room.humidity == 0x9999 && room.temperature == 0x6147)
    }

    @Test("prepare reads the serial; trigger sends the last compensation (defaults first); read gives raw ticks")
    func cycle() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.vocRaw = 27_123
        try d.prepare()
        #expect(d.serialNumber == model.serialNumber)
        #expect(model.commands == [0x3682])
        let wait = try d.trigger()
        #expect(wait == .milliseconds(30))
        #expect(model.lastCompensation == [0x8000, 0x6666])
        #expect(model.heaterOn)
        let r = try d.read()
        #expect(r == [.voc: 27_123])
        d.compensate(humidity: 60, temperature: 21.5)
        _ = try d.trigger()
        #expect(model.lastCompensation == [0x9999, 0x6147])
        #expect(model.lastWrite == [0x26, 0x0F, 0x99, 0x99, SensirionCRC.checksum(UInt16(0x9999)),
                                    0x61, 0x47, SensirionCRC.checksum(UInt16(0x6147))])
        #expect(d.quantities == [.voc])
    }

    @Test("measureRaw waits its 30 ms through the pause and returns the raw signal")
    func measureRaw() throws {
        let (bus, model, _) = Self.setup()
        let log = PauseLog()
        let d = Driver(bus: bus, pause: log.pause)
        model.vocRaw = 31_000
        #expect(try d.measureRaw(humidity: 40, temperature: 20) == 31_000)
        #expect(log.spans == [.milliseconds(30)])
        #expect(model.lastCompensation == [26_214, 0x5F16])  // 40·65535/100 = 26214; 65·65535/175 = 24341.6 → 24342
    }

    @Test("a corrupted CRC becomes a CRC fault, never a value")
    func crc() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        model.corruptNextCRC = true
        _ = try d.trigger()
        let expected = SensirionCRC.checksum(model.vocRaw)
        #expect(failure { try d.read() } == .crc(expected: expected, got: ~expected))
    }

    @Test("unplugged: no acknowledge; plugged back: reads again")
    func replug() throws {
        let (bus, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        bus.detach(0x59)
        #expect(failure { try d.trigger() } == .noAcknowledge)
        bus.attach(model, at: 0x59)
        _ = try d.trigger()
        let r = try d.read()
        #expect(r[.voc] == 30_000)
    }

    @Test("heater off returns the chip to idle")
    func heaterOff() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        _ = try d.trigger()  // prepares first
        #expect(model.heaterOn)
        try d.turnHeaterOff()
        #expect(!model.heaterOn)
        #expect(model.commands == [0x3682, 0x260F, 0x3615])
    }

    @Test("the model: wrong argument CRC, missing arguments, unknown command, read without command are NACKed")
    func model() throws {
        let model = SGP40Model()
        #expect(failure { try model.write([0x26, 0x0F, 0x80, 0x00, 0xA3, 0x66, 0x66, 0x93]) } == .noAcknowledge)
        #expect(failure { try model.write([0x26, 0x0F]) } == .noAcknowledge)
        #expect(failure { try model.write([0x20, 0x03]) } == .noAcknowledge)
        #expect(failure { try model.read(count: 3) } == .noAcknowledge)
        try model.write([0x28, 0x0E])
        #expect(try SensirionCRC.words(model.read(count: 3)) == [0xD400])  // self-test passed
    }
}
