/// A channel's calibration, set by the technician against a reference instrument:
/// an offset (`calibrate temp 21.5` with the reference reading 21.5 °C), or a straight line
/// through two points (raw, reference). The raw value is always kept beside the result.
public enum Calibration: Sendable, Equatable {
    case none
    case offset(Double)
    /// Two (raw, reference) pairs; raw values must differ.
    case twoPoint(raw1: Double, reference1: Double, raw2: Double, reference2: Double)

    public func apply(_ raw: Double) -> Double {
        switch self {
        case .none: raw
        case .offset(let o): raw + o
        case .twoPoint(let r1, let f1, let r2, let f2): f1 + (raw - r1) * (f2 - f1) / (r2 - r1)
        }
    }
}
