import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("SHT4x driver against its command-protocol model")
struct SHT4xTests {
    typealias Driver = SHT4x<SimulatedI2CBus>

    static func setup() -> (SimulatedI2CBus, SHT4xModel, Driver) {
        let bus = SimulatedI2CBus()
        let model = SHT4xModel()
        bus.attach(model, at: 0x44)
        return (bus, model, Driver(bus: bus, pause: .noWait))
    }

    @Test("datasheet conversion: word 0x6666 is 25.0 °C and 44.0 %RH")
    func conversion() throws {
        // T = -45 + 175·26214/65535 = -45 + 70 = 25; RH = -6 + 125·26214/65535 = -6 + 50 = 44.
        #expect(near(Driver.temperature(raw: 0x6666), 25.0, within: 1e-9))
        #expect(near(Driver.humidity(raw: 0x6666), 44.0, within: 1e-9))
        #expect(near(Driver.temperature(raw: 0xFFFF), 130.0, within: 1e-9))
        #expect(near(Driver.humidity(raw: 0), -6.0, within: 1e-9))
        let r = try Driver.reading(temperatureRaw: 0x6666, humidityRaw: 0x6666)
        #expect(near(r[.temperature], 25.0, within: 1e-9))
        #expect(near(r[.humidity], 44.0, within: 1e-9))
    }

    @Test("humidity slightly past 100 % (condensation) is cropped, as the datasheet says")
    func cropped() throws {
        // Word 57146: -6 + 125·57146/65535 = 102.999 %RH → 100.
        let r = try Driver.reading(temperatureRaw: 0x6666, humidityRaw: 57146)
        #expect(r[.humidity] == 100)
    }

    @Test("prepare reads the serial number; trigger asks for a high-precision measurement; read converts")
    func cycle() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.temperature = 22
        model.humidity = 55.5
        try d.prepare()
        #expect(d.serialNumber == model.serialNumber)
        let wait = try d.trigger()
        let r = try d.read()
        #expect(wait == .milliseconds(10))
        #expect(model.commands == [0x89, 0xFD])
        // 22 °C → word 25091 → 22.0012 °C; the model rounds to a word, as the chip's converter does.
        #expect(near(r[.temperature], 22.0, within: 0.003))
        #expect(near(r[.humidity], 55.5, within: 0.002))
        #expect(d.quantities == [.temperature, .humidity])
    }

    @Test("the serial number's answer is waited 1 ms; a trigger needs no blocking wait")
    func pauses() throws {
        let (bus, _, _) = Self.setup()
        let log = PauseLog()
        var d = Driver(bus: bus, pause: log.pause)
        try d.prepare()
        _ = try d.trigger()
        _ = try d.read()
        #expect(log.spans == [.milliseconds(1)])
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
        // The next measurement is clean again.
        _ = try d.trigger()
        let clean = try d.read()
        #expect(near(clean[.temperature], 22.0, within: 0.003))
    }

    @Test("a corrupted serial number fails prepare and leaves the driver unprepared")
    func crcSerial() {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.corruptNextCRC = true
        #expect(failure { try d.prepare() } == .crc(expected: SensirionCRC.checksum(UInt16(model.serialNumber >> 16)),
                                                     got: ~SensirionCRC.checksum(UInt16(model.serialNumber >> 16))))
        #expect(d.serialNumber == nil)
    }

    @Test("unplugged: no acknowledge; plugged back: reads again")
    func replug() throws {
        let (bus, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        bus.detach(0x44)
        #expect(failure { try d.trigger() } == .noAcknowledge)
        #expect(failure { try d.read() } == .noAcknowledge)
        bus.attach(model, at: 0x44)
        model.temperature = 30
        _ = try d.trigger()
        let again = try d.read()
        #expect(near(again[.temperature], 30.0, within: 0.003))
    }

    @Test("a read with no measurement started is not acknowledged")
    func readWithoutCommand() throws {
        let (_, _, initial) = Self.setup()
        var d = initial
        try d.prepare()
        _ = try d.trigger()
        _ = try d.read()
        #expect(failure { try d.read() } == .noAcknowledge)  // the answer was taken already
    }

    @Test("impossible words are refused: humidity word 0 is -6 %RH, temperature word 0 is -45 °C")
    func badValues() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        try d.prepare()
        model.humidity = -6
        _ = try d.trigger()
        #expect(model.humidityWord == 0)
        #expect(isBadValue(failure { try d.read() }))
        model.humidity = 50
        model.temperature = -45
        _ = try d.trigger()
        #expect(isBadValue(failure { try d.read() }))
        #expect(isBadValue(failure { try Driver.reading(temperatureRaw: 0x6666, humidityRaw: 0xFFFF) }))  // 119 %RH
    }

    @Test("an SHT3x at the same address does not answer the SHT4x's one-byte command")
    func wrongChip() {
        let bus = SimulatedI2CBus()
        bus.attach(SHT3xModel(), at: 0x44)
        var d = Driver(bus: bus, pause: .noWait)
        #expect(failure { try d.prepare() } == .noAcknowledge)
    }

    @Test("the model does not acknowledge an unknown command")
    func unknownCommand() {
        let model = SHT4xModel()
        #expect(failure { try model.write([0x42]) } == .noAcknowledge)
        #expect(failure { try model.read(count: 6) } == .noAcknowledge)
    }
}
