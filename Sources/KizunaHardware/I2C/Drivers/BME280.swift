import KizunaCore

/// Bosch BME280: temperature, pressure, humidity; register-based (works on SMBus-only
/// adapters). Forced mode: each `trigger()` starts one conversion (1× oversampling, filter
/// off: the chip then sleeps, drawing ~0.1 µA, which also keeps it from warming itself);
/// `read()` applies the datasheet's integer compensation with the chip's own calibration,
/// read once in `prepare()`.
public struct BME280<Bus: I2CBus>: EnvironmentDriver {
    public let bus: Bus
    public let address: UInt8
    public var calibration: Calibration?
    public let chip = "BME280"
    public let quantities: [SensorKind] = [.temperature, .pressure, .humidity]

    public static var chipID: UInt8 { 0x60 }
    /// Conversion time at 1× oversampling of all three (datasheet 9.1: max 9.3 ms).
    public static var conversionTime: Span { .milliseconds(10) }

    public init(bus: Bus, address: UInt8 = 0x76) {
        self.bus = bus
        self.address = address
    }

    /// The chip's trimming coefficients (datasheet 4.2.2).
    public struct Calibration: Equatable, Sendable {
        public var t1: UInt16, t2: Int16, t3: Int16
        public var p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16, p7: Int16, p8: Int16, p9: Int16
        public var h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8

        /// From registers 0x88…0xA1 (26 bytes) and 0xE1…0xE7 (7 bytes).
        public init(low a: [UInt8], high b: [UInt8]) {
            func u16(_ i: Int) -> UInt16 { UInt16(a[i]) | UInt16(a[i + 1]) << 8 }
            func s16(_ i: Int) -> Int16 { Int16(bitPattern: u16(i)) }
            t1 = u16(0); t2 = s16(2); t3 = s16(4)
            p1 = u16(6); p2 = s16(8); p3 = s16(10); p4 = s16(12); p5 = s16(14); p6 = s16(16); p7 = s16(18); p8 = s16(20); p9 = s16(22)
            h1 = a[25]
            h2 = Int16(bitPattern: UInt16(b[0]) | UInt16(b[1]) << 8)
            h3 = b[2]
            // 12-bit signed values split over three registers.
            h4 = Int16(Int8(bitPattern: b[3])) * 16 | Int16(b[4] & 0x0F)
            h5 = Int16(Int8(bitPattern: b[5])) * 16 | Int16(b[4] >> 4)
            h6 = Int8(bitPattern: b[6])
        }

        public init(t1: UInt16, t2: Int16, t3: Int16, p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16, p7: Int16,
                    p8: Int16, p9: Int16, h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8) {
            self.t1 = t1; self.t2 = t2; self.t3 = t3
            self.p1 = p1; self.p2 = p2; self.p3 = p3; self.p4 = p4; self.p5 = p5; self.p6 = p6; self.p7 = p7; self.p8 = p8; self.p9 = p9
            self.h1 = h1; self.h2 = h2; self.h3 = h3; self.h4 = h4; self.h5 = h5; self.h6 = h6
        }

        /// The registers these coefficients come from (for device models).
        public var registers: (low: [UInt8], high: [UInt8]) {
            var a: [UInt8] = []
            func put(_ v: UInt16) { a.append(UInt8(v & 0xFF)); a.append(UInt8(v >> 8)) }
            put(t1); put(UInt16(bitPattern: t2)); put(UInt16(bitPattern: t3))
            put(p1)
            for p in [p2, p3, p4, p5, p6, p7, p8, p9] { put(UInt16(bitPattern: p)) }
            a.append(0)  // 0xA0 is reserved
            a.append(h1)
            let h2u = UInt16(bitPattern: h2)
            let b: [UInt8] = [UInt8(h2u & 0xFF), UInt8(h2u >> 8), h3,
                              UInt8(truncatingIfNeeded: h4 >> 4), UInt8(truncatingIfNeeded: (h4 & 0x0F) | ((h5 & 0x0F) << 4)),
                              UInt8(truncatingIfNeeded: h5 >> 4), UInt8(bitPattern: h6)]
            return (a, b)
        }
    }

    /// Compensated values: temperature in 0.01 °C, pressure in Pa (Q24.8), humidity in %RH (Q22.10).
    public struct Raw: Equatable, Sendable {
        public var temperature: Int32
        public var pressure: UInt32
        public var humidity: UInt32
    }

    public mutating func prepare() throws(I2CError) {
        let id = try bus.readRegisters(address, from: 0xD0, count: 1)[0]
        guard id == Self.chipID else { throw .badValue("chip id 0x\(String(id, radix: 16)) at 0x\(String(address, radix: 16)), expected 0x60 (BME280)") }
        let low = try bus.readRegisters(address, from: 0x88, count: 26)
        let high = try bus.readRegisters(address, from: 0xE1, count: 7)
        let c = Calibration(low: low, high: high)
        // An erased or unreadable trimming area reads 0x00 or 0xFF throughout.
        guard c.t1 != 0, c.t1 != 0xFFFF, c.p1 != 0, c.p1 != 0xFFFF else { throw .badValue("calibration registers are blank") }
        calibration = c
    }

    public mutating func trigger() throws(I2CError) -> Span {
        if calibration == nil { try prepare() }
        try bus.writeRegister(address, 0xF2, 0x01)  // humidity 1× (takes effect with ctrl_meas)
        try bus.writeRegister(address, 0xF4, 0x25)  // temperature 1×, pressure 1×, forced mode
        return Self.conversionTime
    }

    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        guard let c = calibration else { throw .badValue("not prepared") }
        let d = try bus.readRegisters(address, from: 0xF7, count: 8)
        let adcP = Int32(d[0]) << 12 | Int32(d[1]) << 4 | Int32(d[2]) >> 4
        let adcT = Int32(d[3]) << 12 | Int32(d[4]) << 4 | Int32(d[5]) >> 4
        let adcH = Int32(d[6]) << 8 | Int32(d[7])
        // 0x80000 / 0x8000 are the reset values: no conversion has happened.
        guard adcT != 0x80000, adcP != 0x80000 else { throw .badValue("no conversion (reset values)") }
        let r = Self.compensate(adcT: adcT, adcP: adcP, adcH: adcH, c)
        let t = Double(r.temperature) / 100
        let p = Double(r.pressure) / 256 / 100
        let h = Double(r.humidity) / 1024
        // Outside the chip's operating range: not a reading.
        guard (-40...85).contains(t), (300...1100).contains(p) else { throw .badValue("T \(t) °C, p \(p) hPa out of range") }
        var out: [SensorKind: Double] = [.temperature: t, .pressure: p]
        if adcH != 0x8000 { out[.humidity] = h }
        return out
    }

    /// The datasheet's integer compensation (section 4.2.3, 32-bit T and H, 64-bit P), in
    /// wrapping arithmetic as the C reference does it: the BME280 sends no CRC, and a garbage
    /// transfer (all 0xFF from a chip that lets the data line float) overflows Int32 in the
    /// humidity steps. Swift would trap and take the whole runtime down; wrapped, the result
    /// is nonsense that `read()` refuses by its range check.
    public static func compensate(adcT: Int32, adcP: Int32, adcH: Int32, _ c: Calibration) -> Raw {
        let t1 = Int32(c.t1), t2 = Int32(c.t2), t3 = Int32(c.t3)
        let v1 = (((adcT >> 3) &- (t1 << 1)) &* t2) >> 11
        let v2 = (((((adcT >> 4) &- t1) &* ((adcT >> 4) &- t1)) >> 12) &* t3) >> 14
        let tFine = v1 &+ v2
        let temperature = (tFine &* 5 &+ 128) >> 8

        var p1 = Int64(tFine) &- 128_000
        var p2 = p1 &* p1 &* Int64(c.p6)
        p2 = p2 &+ ((p1 &* Int64(c.p5)) << 17)
        p2 = p2 &+ (Int64(c.p4) << 35)
        p1 = ((p1 &* p1 &* Int64(c.p3)) >> 8) &+ ((p1 &* Int64(c.p2)) << 12)
        p1 = (((Int64(1) << 47) &+ p1) &* Int64(c.p1)) >> 33
        var pressure: UInt32 = 0
        if p1 != 0 {
            var p = 1_048_576 &- Int64(adcP)
            p = (((p << 31) &- p2) &* 3125).dividedReportingOverflow(by: p1).partialValue
            let q1 = (Int64(c.p9) &* (p >> 13) &* (p >> 13)) >> 25
            let q2 = (Int64(c.p8) &* p) >> 19
            p = ((p &+ q1 &+ q2) >> 8) &+ (Int64(c.p7) << 4)
            pressure = UInt32(clamping: p)
        }

        var h = tFine &- 76_800
        let a = ((adcH << 14) &- (Int32(c.h4) << 20) &- (Int32(c.h5) &* h) &+ 16_384) >> 15
        let b = (((((h &* Int32(c.h6)) >> 10) &* (((h &* Int32(c.h3)) >> 11) &+ 32_768)) >> 10) &+ 2_097_152) &* Int32(c.h2) &+ 8192
        h = a &* (b >> 14)
        h = h &- (((((h >> 15) &* (h >> 15)) >> 7) &* Int32(c.h1)) >> 4)
        h = min(max(h, 0), 419_430_400)
        return Raw(temperature: temperature, pressure: pressure, humidity: UInt32(h >> 12))
    }
}
