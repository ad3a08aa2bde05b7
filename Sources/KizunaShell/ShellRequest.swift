/// What `calibrate` adjusts.
public enum CalibrationQuantity: String, Sendable, Equatable {
    case temperature, humidity, co2
}

extension CalibrationQuantity {
    /// The unit a reference value is given in: °C, %RH or ppm.
    public var unit: String {
        switch self {
        case .temperature: "°C"
        case .humidity: "%RH"
        case .co2: "ppm"
        }
    }

    /// The reference values `calibrate` accepts. CO2: the SCD4x forced-recalibration range.
    public var referenceRange: ClosedRange<Double> {
        switch self {
        case .temperature: -20...50
        case .humidity: 0...100
        case .co2: 400...2000
        }
    }

    /// The word the shell takes for it: `temp` or `temperature`, `humidity`, `co2` (any case).
    init?(word: String) {
        switch word.lowercased() {
        case "temp", "temperature": self = .temperature
        case "humidity": self = .humidity
        case "co2": self = .co2
        default: return nil
        }
    }

    /// "-20 to 50 °C", for messages.
    var rangeText: String {
        "\(Int(referenceRange.lowerBound)) to \(Int(referenceRange.upperBound)) \(unit)"
    }
}

/// One shell command, parsed and checked (numbers in range, the right number of words).
/// The runtime executes it; names (sensors, config keys, sections) are checked there.
public enum ShellRequest: Equatable, Sendable {
    /// `help [COMMAND]`; the command's canonical name (aliases resolved).
    case help(String?)
    case status
    case sensors
    /// `events [N]`: default 20, 1...500.
    case events(Int)
    case watch
    /// `walk-test start [MINUTES]`: default 10, 1...30.
    case walkTestStart(minutes: Int)
    case walkTestStop
    /// `buzzer test`
    case buzzerTest
    /// `calibrate temp|humidity REFERENCE [SENSOR]`, `calibrate co2 PPM [SENSOR]`.
    case calibrate(CalibrationQuantity, reference: Double, sensor: String?)
    case calibrateShow
    case calibrateReset(sensor: String?)
    case configShow(section: String?)
    case configGet(key: String)
    /// The value is the remaining words joined by one space (quote it to keep several spaces).
    case configSet(key: String, value: String)
    case configDiff, configSave, configRevert
    /// `i2c scan [BUS]`: 0...255.
    case i2cScan(bus: Int?)
    case gpio
    case alarmList, alarmAck(id: UInt64), alarmTest
    case clock
    case logout
}
