import KizunaCore
import KizunaHardware

/// The chips Kizuna has drivers for, with the quantities each measures and its usual address.
public enum EnvironmentChip: String, CaseIterable, Sendable {
    case bme280, sht4x, sht3x, scd4x, sgp40, bh1750

    public var quantities: [SensorKind] {
        switch self {
        case .bme280: [.temperature, .pressure, .humidity]
        case .sht4x, .sht3x: [.temperature, .humidity]
        case .scd4x: [.co2, .temperature, .humidity]
        case .sgp40: [.voc]
        case .bh1750: [.light]
        }
    }

    public var defaultAddress: UInt8 {
        switch self {
        case .bme280: 0x76
        case .sht4x, .sht3x: 0x44
        case .scd4x: 0x62
        case .sgp40: 0x59
        case .bh1750: 0x23
        }
    }
}

/// An environment sensor of the config wired to a chip on an I2C bus.
public struct EnvironmentWire: Sendable {
    public var sensor: SensorID
    public var kind: SensorKind
    public var chip: EnvironmentChip
    public var bus: Int
    public var address: UInt8
    public var every: Span
    public var calibration: Calibration
    /// The config key, for messages.
    public var key: String
}

extension ConfigLoader {
    /// `{ i2c: { chip: bme280, bus: 1, address: 0x76 }, every: 30s, calibration: … }`.
    static func environmentWire(_ node: YAMLNode, sensor: SensorID, kind: SensorKind) throws(ConfigError) -> EnvironmentWire? {
        var wire: EnvironmentWire?
        var every = Span.seconds(30)
        var calibration = Calibration.none
        var sim = false
        for (k, v) in try node.mapping(allowed: ["source", "i2c", "every", "calibration"]) {
            switch k {
            case "source":
                let source = try v.string()
                guard source == "sim" else { throw v.error("unknown source '\(source)'; use i2c: { chip: …, bus: …, address: … } or source: sim") }
                sim = true
            case "every": every = try v.span(in: .seconds(1) ... .hours(1))
            case "calibration": calibration = try Self.calibration(v)
            default:
                var chip: EnvironmentChip?, bus = 1, address: UInt8?
                for (ik, iv) in try v.mapping(allowed: ["chip", "bus", "address"]) {
                    switch ik {
                    case "chip":
                        let name = try iv.string().lowercased()
                        guard let c = EnvironmentChip(rawValue: name) else {
                            throw iv.error("unknown chip '\(name)'; known: \(EnvironmentChip.allCases.map(\.rawValue).joined(separator: ", "))")
                        }
                        chip = c
                    case "bus": bus = try iv.int(in: 0...255)
                    default:
                        let text = try iv.string()
                        let value = text.lowercased().hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
                        guard let value, (0x03...0x77).contains(value) else { throw iv.error("expected a 7-bit address such as 0x76, got \"\(text)\"") }
                        address = UInt8(value)
                    }
                }
                guard let chip else { throw v.error("say which chip: chip: \(EnvironmentChip.allCases.map(\.rawValue).joined(separator: "|"))") }
                guard chip.quantities.contains(kind) else {
                    throw v.error("a \(chip.rawValue) does not measure \(kind.rawValue) (it measures \(chip.quantities.map(\.rawValue).joined(separator: ", ")))")
                }
                wire = EnvironmentWire(sensor: sensor, kind: kind, chip: chip, bus: bus, address: address ?? chip.defaultAddress,
                                       every: .zero, calibration: .none, key: node.path)
            }
        }
        guard sim || wire != nil else { throw node.error("say where it is: i2c: { chip: bme280, bus: 1, address: 0x76 } (or source: sim in a demo)") }
        wire?.every = every
        wire?.calibration = calibration
        return wire
    }

    /// `{ offset: -0.4 }` or `{ points: [[raw, reference], [raw, reference]] }`.
    static func calibration(_ node: YAMLNode) throws(ConfigError) -> Calibration {
        var result = Calibration.none
        let entries = try node.mapping(allowed: ["offset", "points"])
        if entries.count > 1, let second = entries.last?.1 {   // which one did the technician mean?
            throw second.error("give offset or points, not both")
        }
        for (k, v) in entries {
            if k == "offset" {
                result = .offset(try v.double(in: -1000...1000))
            } else {
                let points = try v.sequence()
                guard points.count == 2 else { throw v.error("two points: [[raw, reference], [raw, reference]]") }
                var pairs: [(Double, Double)] = []
                for p in points {
                    let xy = try p.sequence()
                    guard xy.count == 2 else { throw p.error("a point is [raw, reference]") }
                    pairs.append((try xy[0].double(in: -100_000...100_000), try xy[1].double(in: -100_000...100_000)))
                }
                guard pairs[0].0 != pairs[1].0 else { throw v.error("the two raw values must differ") }
                result = .twoPoint(raw1: pairs[0].0, reference1: pairs[0].1, raw2: pairs[1].0, reference2: pairs[1].1)
            }
        }
        return result
    }
}
