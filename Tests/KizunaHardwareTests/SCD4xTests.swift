import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("SCD4x driver against its command-protocol model")
struct SCD4xTests {
    typealias Driver = SCD4x<SimulatedI2CBus>

    static func setup() -> (SimulatedI2CBus, SCD4xModel, Driver) {
        let bus = SimulatedI2CBus()
        let model = SCD4xModel()
        bus.attach(model, at: 0x62)
        return (bus, model, Driver(bus: bus, pause: .noWait))
    }

    /// prepare, the 500 ms after stop, then the start: the poller's first steps.
    static func measuring() throws -> (SimulatedI2CBus, SCD4xModel, Driver) {
        let (bus, model, initial) = setup()
        var d = initial
        try d.prepare()
        _ = try d.trigger()
        _ = try d.read()
        return (bus, model, d)
    }

    @Test("datasheet example: words 0x01F4, 0x6667, 0x5EB9 are 500 ppm, 25.0 °C, 37.0 %RH")
    func datasheetExample() throws {
        let r = try Driver.reading(words: [0x01F4, 0x6667, 0x5EB9])
        #expect(r[.co2] == 500)
        #expect(near(r[.temperature], 25.0016, within: 0.0001))  // -45 + 175·26215/65536
        #expect(near(r[.humidity], 37.0010, within: 0.0001))  // 100·24249/65536
    }

    @Test("data ready is the 11 least significant bits")
    func dataReadyMask() {
        #expect(Driver.isDataReady(0x8006))
        #expect(Driver.isDataReady(0x0001))
        #expect(!Driver.isDataReady(0x8000))
        #expect(!Driver.isDataReady(0x0800))  // bit 11 is not part of it
    }

    @Test("prepare stops, the first trigger gives the 500 ms instead of sleeping, then measurement starts")
    func startUp() throws {
        let (_, model, initial) = Self.setup()
        var d = initial
        model.isMeasuring = true  // left measuring by an earlier run of the program
        try d.prepare()
        #expect(model.commands == [0x3F86])
        #expect(!model.isMeasuring)
        #expect(d.phase == .stopSent)
        let wait = try d.trigger()
        #expect(wait == .milliseconds(500))
        #expect(d.phase == .settling)
        #expect(model.commands == [0x3F86])  // nothing sent while the chip does not listen
        let first = try d.read()
        #expect(first.isEmpty)  // started just now: no value yet
        #expect(model.commands == [0x3F86, 0x3682, 0x21B1])
        #expect(model.isMeasuring)
        #expect(d.phase == .measuring)
        #expect(d.serialNumber == model.serialNumber)
    }

    @Test("while measuring: data-ready first, then the measurement; trigger sends nothing and gives 5 s")
    func measuringCycle() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        model.co2 = 812
        model.temperature = 23.5
        model.humidity = 48
        let r = try d.read()
        #expect(model.commands.suffix(2) == [0xE4B8, 0xEC05])
        #expect(r[.co2] == 812)
        #expect(near(r[.temperature], 23.5, within: 0.003))
        #expect(near(r[.humidity], 48.0, within: 0.002))
        let before = model.commands.count
        let wait = try d.trigger()
        #expect(wait == .seconds(5))
        #expect(model.commands.count == before)
    }

    @Test("not ready: an empty answer and no read_measurement; ready again: the value")
    func notReady() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        model.autoMeasure = false
        let none = try d.read()
        #expect(none.isEmpty)
        #expect(model.commands.last == 0xE4B8)  // read_measurement would have been NACKed
        #expect(d.notReadyCount == 1)
        model.co2 = 950
        model.measure()
        let r = try d.read()
        #expect(r[.co2] == 950)
        #expect(d.notReadyCount == 0)
    }

    @Test("a chip that browned out (idle, never ready) becomes a timeout, and is started again")
    func brownOut() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        d.notReadyLimit = 3
        model.powerCycle()
        #expect(try d.read().isEmpty)
        #expect(try d.read().isEmpty)
        #expect(failure { try d.read() } == .timeout)
        #expect(d.phase == .unknown)
        // The poller prepares again after a failure: stop, wait, start.
        try d.prepare()
        _ = try d.trigger()
        _ = try d.read()
        #expect(model.isMeasuring)
        let r = try d.read()
        #expect(r[.co2] == 600)
    }

    @Test("a corrupted CRC becomes a CRC fault, never a value")
    func crc() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        model.corruptNextCRC = true  // the data-ready answer
        #expect(failure { try d.read() } == .crc(expected: 0x04, got: 0xFB))  // CRC(0x8006) = 0x04
        #expect(d.phase == .unknown)
    }

    @Test("CO2 of 0 or above 40000 ppm and temperatures outside -10…60 °C are refused")
    func badValues() throws {
        for (co2, t) in [(0.0, 22.0), (40_001.0, 22.0), (600.0, -30.0), (600.0, 75.0)] {
            let (_, model, initial) = try Self.measuring()
            var d = initial
            model.co2 = co2
            model.temperature = t
            #expect(isBadValue(failure { try d.read() }), "CO2 \(co2) ppm, \(t) °C")
        }
        #expect(isBadValue(failure { try Driver.reading(words: [0, 0x6667, 0x5EB9]) }))
    }

    @Test("unplugged: no acknowledge; plugged back: prepared and started again, then reads")
    func replug() throws {
        let (bus, model, initial) = try Self.measuring()
        var d = initial
        bus.detach(0x62)
        #expect(failure { try d.read() } == .noAcknowledge)
        #expect(d.phase == .unknown)
        #expect(failure { try d.prepare() } == .noAcknowledge)
        bus.attach(model, at: 0x62)
        try d.prepare()
        #expect(try d.trigger() == .milliseconds(500))
        #expect(try d.read().isEmpty)
        let r = try d.read()
        #expect(r[.co2] == 600)
    }

    @Test("forced recalibration: refused while measuring; after stop, 0x362F 0x01E0 0xB4 and the correction read back")
    func forcedRecalibration() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        let sent = model.commands.count
        let refused = failure { try d.forcedRecalibration(referencePPM: 480) }
        guard case .notSupported = refused else {
            Issue.record("expected .notSupported while measuring, got \(String(describing: refused))")
            return
        }
        #expect(model.commands.count == sent)  // nothing reached the chip
        #expect(try d.stopPeriodicMeasurement() == .milliseconds(500))
        #expect(!model.isMeasuring)
        model.frcCorrection = -50  // the datasheet's example answer: 0x7FCE 0x7B
        let log = PauseLog()
        d.pause = log.pause
        let correction = try d.forcedRecalibration(referencePPM: 480)
        #expect(correction == -50)
        #expect(model.lastWrite == [0x36, 0x2F, 0x01, 0xE0, 0xB4])
        #expect(model.lastFRCReference == 480)
        #expect(log.spans == [.milliseconds(400)])
        // The next cycle starts measuring again.
        _ = try d.trigger()
        #expect(model.isMeasuring)
        #expect(Array(model.commands.suffix(2)) == [0x3682, 0x21B1])
    }

    @Test("a failed forced recalibration (0xFFFF) and an impossible reference are errors")
    func forcedRecalibrationFails() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        _ = try d.stopPeriodicMeasurement()
        model.frcCorrection = nil
        #expect(isBadValue(failure { try d.forcedRecalibration(referencePPM: 420) }))
        let sent = model.commands.count
        #expect(isBadValue(failure { try d.forcedRecalibration(referencePPM: 0) }))
        #expect(isBadValue(failure { try d.forcedRecalibration(referencePPM: 50_000) }))
        #expect(model.commands.count == sent)
    }

    @Test("automatic self-calibration: 0x2416 with word 0 or 1 and its CRC reaches the chip")
    func automaticSelfCalibration() throws {
        let (_, model, initial) = try Self.measuring()
        var d = initial
        #expect(failure { try d.setAutomaticSelfCalibration(false) } != nil)  // not while measuring
        #expect(model.automaticSelfCalibration)
        _ = try d.stopPeriodicMeasurement()
        try d.setAutomaticSelfCalibration(false)
        #expect(model.lastWrite == [0x24, 0x16, 0x00, 0x00, 0x81])
        #expect(!model.automaticSelfCalibration)
        try d.setAutomaticSelfCalibration(true)
        #expect(model.lastWrite == [0x24, 0x16, 0x00, 0x01, 0xB0])  // the datasheet's example
        #expect(model.automaticSelfCalibration)
    }

    @Test("the model: a wrong argument CRC, a setting while measuring, an empty buffer, a read without command are NACKed")
    func model() throws {
        let model = SCD4xModel()
        #expect(failure { try model.write([0x24, 0x16, 0x00, 0x01, 0xB1]) } == .noAcknowledge)
        #expect(failure { try model.read(count: 3) } == .noAcknowledge)
        try model.write([0x21, 0xB1])
        #expect(failure { try model.write([0x24, 0x16, 0x00, 0x01, 0xB0]) } == .noAcknowledge)
        #expect(failure { try model.write([0x21, 0xB1]) } == .noAcknowledge)  // already measuring
        model.autoMeasure = false
        #expect(failure { try model.write([0xEC, 0x05]) } == .noAcknowledge)
        #expect(failure { try model.write([0x12, 0x34]) } == .noAcknowledge)
    }
}
