import KizunaCore

/// Sensirion SGP40: a metal-oxide VOC sensor on a heated plate. It reports a raw signal in
/// ticks (proportional to the log of the sensing layer's resistance); turning that into
/// Sensirion's VOC index (a learned 0–500 scale) is the job of their algorithm, not of this
/// driver: `read()` gives the raw ticks.
///
/// The signal depends on humidity and temperature; the chip compensates for them on-chip
/// when each measurement command carries the current relative humidity and temperature
/// (from an SHT4x or a BME280 in the same room): give them with `compensate(humidity:
/// temperature:)`. Until then the datasheet's defaults are sent (50 %RH, 25 °C, words
/// 0x8000/0x6666), which leave compensation off.
///
/// `prepare()` reads the serial number rather than running the built-in self-test: the
/// self-test heats the plate for 250–320 ms (by datasheet version), longer than the loop
/// should wait on a chip, and is meant for production lines; a CRC-valid serial number
/// already proves that an SGP40 answers.
///
/// After a measurement the hotplate stays on (VOC measurement mode), as Sensirion's
/// algorithm expects one sample a second; `turnHeaterOff()` ends that.
public struct SGP40<Bus: I2CBus>: EnvironmentDriver {
    public let bus: Bus
    public let address: UInt8
    /// How the serial number's 1 ms and `measureRaw`'s 30 ms are waited.
    public var pause: CommandPause
    public let chip = "SGP40"
    public let quantities: [SensorKind] = [.voc]
    /// The chip's 48-bit serial number, read by `prepare()`.
    public private(set) var serialNumber: UInt64?
    /// The humidity (%RH) and temperature (°C) sent with the next measurement.
    public private(set) var humidity = 50.0
    public private(set) var temperature = 25.0

    public static var defaultAddress: UInt8 { 0x59 }
    /// sgp40_measure_raw: the answer is ready after 30 ms.
    public static var measurementTime: Span { .milliseconds(30) }

    public init(bus: Bus, address: UInt8 = 0x59, pause: CommandPause = .sleep) {
        self.bus = bus
        self.address = address
        self.pause = pause
    }

    /// The compensation words of the measure command: RH · 65535 / 100 and
    /// (T + 45) · 65535 / 175, rounded, within the words' ranges (0…100 %RH, -45…130 °C).
    /// A value that is not a number (a failed sensor's NaN) sends the default instead.
    public static func compensationWords(humidity: Double, temperature: Double) -> (humidity: UInt16, temperature: UInt16) {
        let h = humidity.isFinite ? min(max(humidity, 0), 100) : 50
        let t = temperature.isFinite ? min(max(temperature, -45), 130) : 25
        return (UInt16((h * 65535 / 100).rounded()), UInt16(((t + 45) * 65535 / 175).rounded()))
    }

    /// The measure command with its compensation arguments: `26 0F` then two words, each with its CRC.
    public static func measureCommand(humidity: Double, temperature: Double) -> [UInt8] {
        let w = compensationWords(humidity: humidity, temperature: temperature)
        return SensirionCRC.command(SGP40Command.measureRaw, [w.humidity, w.temperature])
    }

    /// Sets the humidity and temperature sent with the following measurements.
    public mutating func compensate(humidity: Double, temperature: Double) {
        self.humidity = humidity
        self.temperature = temperature
    }

    /// One raw measurement with the given compensation, waiting its 30 ms here: for the shell
    /// and tests. The poller uses `trigger()` and `read()`, which do not block.
    public func measureRaw(humidity: Double, temperature: Double) throws(I2CError) -> UInt16 {
        try bus.fetchWords(address, command: Self.measureCommand(humidity: humidity, temperature: temperature),
                           count: 1, after: Self.measurementTime, pause: pause)[0]
    }

    public mutating func prepare() throws(I2CError) {
        let w = try bus.fetchWords(address, command: SensirionCRC.command(SGP40Command.getSerialNumber), count: 3,
                                   after: .milliseconds(1), pause: pause)
        serialNumber = UInt64(w[0]) << 32 | UInt64(w[1]) << 16 | UInt64(w[2])
    }

    public mutating func trigger() throws(I2CError) -> Span {
        if serialNumber == nil { try prepare() }
        try bus.write(address, Self.measureCommand(humidity: humidity, temperature: temperature))
        return Self.measurementTime
    }

    /// The raw signal in ticks. No range is refused: the datasheet gives the signal no
    /// bounds, and the CRC already catches a corrupted word.
    public mutating func read() throws(I2CError) -> [SensorKind: Double] {
        let raw = try bus.readWords(address, count: 1)[0]
        return [.voc: Double(raw)]
    }

    /// Switches the hotplate off and returns the chip to idle (0x3615), e.g. at shutdown.
    public func turnHeaterOff() throws(I2CError) {
        try bus.write(address, SensirionCRC.command(SGP40Command.heaterOff))
    }
}

/// The SGP40's commands (datasheet, section 4).
enum SGP40Command {
    static let measureRaw: UInt16 = 0x260F
    static let selfTest: UInt16 = 0x280E
    static let heaterOff: UInt16 = 0x3615
    static let getSerialNumber: UInt16 = 0x3682
}
