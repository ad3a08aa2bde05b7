import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("BME280")
struct BME280Tests {
    /// The trimming values of the datasheet's worked example (Bosch BMP280 datasheet 3.12,
    /// the same temperature and pressure compensation as the BME280), with a typical
    /// chip's humidity trimming (negative h5 to exercise the 12-bit sign handling).
    static let datasheet = BME280<SimulatedI2CBus>.Calibration(
        t1: 27504, t2: 26435, t3: -1000,
        p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
        h1: 75, h2: 362, h3: 0, h4: 313, h5: -50, h6: 30)

    @Test("the datasheet example: adc_T 519888 → 25.08 °C, adc_P 415148 → 100653 Pa")
    func datasheetExample() {
        let r = BME280<SimulatedI2CBus>.compensate(adcT: 519_888, adcP: 415_148, adcH: 0x8000, Self.datasheet)
        #expect(r.temperature == 2508)
        #expect(abs(Double(r.pressure) / 256 - 100_653.27) < 1.0)
    }

    @Test("integer humidity agrees with the datasheet's floating-point formula")
    func humidity() {
        let c = Self.datasheet
        for adcH in stride(from: Int32(20_000), through: 40_000, by: 2_500) {
            let r = BME280<SimulatedI2CBus>.compensate(adcT: 519_888, adcP: 415_148, adcH: adcH, c)
            // Datasheet 8.1, double precision, with t_fine of the example (128422).
            var v = 128_422.0 - 76_800.0
            v = (Double(adcH) - (Double(c.h4) * 64.0 + Double(c.h5) / 16_384.0 * v)) *
                (Double(c.h2) / 65_536.0 * (1.0 + Double(c.h6) / 67_108_864.0 * v * (1.0 + Double(c.h3) / 67_108_864.0 * v)))
            v = v * (1.0 - Double(c.h1) * v / 524_288.0)
            v = min(max(v, 0), 100)
            #expect(abs(Double(r.humidity) / 1024 - v) < 0.05, "adc_H \(adcH)")
        }
    }

    static func flat() -> (SimulatedI2CBus, BME280Model, BME280<SimulatedI2CBus>) {
        let bus = SimulatedI2CBus()
        let model = BME280Model(calibration: datasheet)
        model.adcTemperature = 519_888
        model.adcPressure = 415_148
        model.adcHumidity = 30_000
        bus.attach(model, at: 0x76)
        return (bus, model, BME280(bus: bus))
    }

    @Test("through the bus: calibration read once, a forced conversion, values in °C, hPa, %RH")
    func throughTheBus() throws {
        var (_, model, driver) = Self.flat()
        try driver.prepare()
        #expect(driver.calibration == Self.datasheet)  // the 12-bit h4/h5 split survives the registers
        #expect(try driver.trigger() == .milliseconds(10))
        let v = try driver.read()
        #expect(v[.temperature] == 25.08)
        #expect(abs((v[.pressure] ?? 0) - 1006.5327) < 0.01)
        #expect((v[.humidity] ?? 0) > 0)
        #expect(model.conversions == 1)
    }

    @Test("no conversion yet, a wrong chip, an unplugged chip: errors, never values")
    func faults() throws {
        var (bus, model, driver) = Self.flat()
        try driver.prepare()
        #expect(throws: I2CError.self) { try driver.read() }  // reset values in the data registers
        model.registers[0xD0] = 0x58  // a BMP280 answers at the address
        var other = BME280(bus: bus)
        #expect { try other.prepare() } throws: { ($0 as? I2CError).map { if case .badValue = $0 { true } else { false } } ?? false }
        model.registers[0xD0] = 0x60
        bus.detach(0x76)
        #expect(throws: I2CError.noAcknowledge) { _ = try driver.trigger() }
        bus.attach(model, at: 0x76)  // plugged back in
        _ = try driver.trigger()
        #expect(try driver.read()[.temperature] == 25.08)
    }

    @Test("a temperature outside the chip's range is refused")
    func outOfRange() throws {
        var (_, model, driver) = Self.flat()
        try driver.prepare()
        model.adcTemperature = 1_000_000  // far beyond 85 °C with these trimming values
        _ = try driver.trigger()
        #expect(throws: I2CError.self) { try driver.read() }
    }

    @Test("a garbage transfer (every data byte 0xFF: no CRC on this chip) is refused as a bad value, not an arithmetic trap that takes the runtime down")
    func allOnes() throws {
        var (_, model, driver) = Self.flat()
        try driver.prepare()
        model.adcTemperature = 0xFFFFF
        model.adcPressure = 0xFFFFF
        model.adcHumidity = 0xFFFF
        _ = try driver.trigger()
        #expect { try driver.read() } throws: { ($0 as? I2CError).map { if case .badValue = $0 { true } else { false } } ?? false }
        // The extremes of every reading, with the example's trimming and with trimming read as
        // garbage too (every byte 0xFF, 0x00, 0x80): the compensation always returns.
        let trimmings = [Self.datasheet] + ([0xFF, 0x00, 0x80] as [UInt8]).map {
            BME280<SimulatedI2CBus>.Calibration(low: [UInt8](repeating: $0, count: 26), high: [UInt8](repeating: $0, count: 7))
        }
        var returned = 0
        for c in trimmings {
            for t: Int32 in [0, 0x7FFFF, 0xFFFFF] {
                for p: Int32 in [0, 0xFFFFF] {
                    for h: Int32 in [0, 0xFFFF] {
                        let r = BME280<SimulatedI2CBus>.compensate(adcT: t, adcP: p, adcH: h, c)
                        #expect(r.humidity <= 100 * 1024)
                        returned += 1
                    }
                }
            }
        }
        #expect(returned == 4 * 3 * 2 * 2)
    }
}
