/// What an environment alarm saw, carried in its reason: the value, the bound it held
/// past, and for how long. Rendered to words by `describe`.
public struct EnvironmentEvidence: Sendable, Equatable {
    public enum Quantity: String, Sendable {
        case wbgt, temperature, co2
    }

    public var quantity: Quantity
    /// The last reading (WBGT estimate, °C, ppm).
    public var value: Double
    /// The bound held past: a threshold when raised, threshold ∓ hysteresis when eased.
    public var bound: Double
    /// The readings were at or above `bound` (otherwise below it).
    public var atOrAbove: Bool
    /// How long they have been.
    public var held: Span
    /// For heat alarms: the band entered.
    public var band: HeatBand?
    /// For a WBGT estimate: what it was estimated from.
    public var temperature: Double?
    public var humidity: Double?
    /// The condition was reached while the resident was away; raised on their return.
    public var cameHome: Bool

    public init(quantity: Quantity, value: Double, bound: Double, atOrAbove: Bool, held: Span, band: HeatBand? = nil,
                temperature: Double? = nil, humidity: Double? = nil, cameHome: Bool = false) {
        self.quantity = quantity
        self.value = value
        self.bound = bound
        self.atOrAbove = atOrAbove
        self.held = held
        self.band = band
        self.temperature = temperature
        self.humidity = humidity
        self.cameHome = cameHome
    }

    /// `WBGT 28.2 in living (31.0 °C, 60 %RH): severe warning (厳重警戒, WBGT ≥ 28.0) for 10m 00s`,
    /// `9.5 °C in bedroom: below 10.0 °C for 2h 00m`, `CO2 1500 ppm in living: at or above 1500 ppm for 30m 00s`.
    public func describe(room: String) -> String {
        var text = "\(Self.format(value, quantity)) in \(room)"
        if quantity == .wbgt, let t = temperature, let h = humidity {
            text += " (\(Self.fixed(t, 1)) °C, \(Self.fixed(h, 0)) %RH)"
        } else if band != nil, quantity == .temperature {
            text += " (no humidity reading)"
        }
        if let band, atOrAbove {
            let bound = quantity == .wbgt ? "WBGT ≥ \(Self.fixed(self.bound, 1))" : "≥ \(Self.format(self.bound, quantity))"
            text += ": \(band.name) (\(band.japanese), \(bound)) for \(held)"
        } else {
            let bound = switch quantity {
            case .wbgt: Self.fixed(self.bound, 1)
            case .temperature: Self.format(self.bound, quantity)
            case .co2: "\(Self.fixed(self.bound, 0)) ppm"
            }
            text += ": \(atOrAbove ? "at or above" : "below") \(bound) for \(held)"
        }
        if cameHome { text += ", found on coming home" }
        return text
    }

    static func format(_ v: Double, _ q: Quantity) -> String {
        switch q {
        case .wbgt: "WBGT \(fixed(v, 1))"
        case .temperature: "\(fixed(v, 1)) °C"
        case .co2: "CO2 \(fixed(v, 0)) ppm"
        }
    }

    /// `x` rounded to `digits` decimals, without Foundation: `28.2`, `-0.5`, `1500`.
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "-" }
        guard abs(x) < 1e12 else { return "\(x)" }
        var scale: Int64 = 1
        for _ in 0..<max(0, digits) { scale *= 10 }
        let n = Int64((abs(x) * Double(scale)).rounded())
        let whole = n / scale, fraction = n % scale
        var text = (x < 0 && n != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }
}
