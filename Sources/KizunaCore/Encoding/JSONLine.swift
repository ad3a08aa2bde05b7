/// Builds one JSON object per line, keys in the order given, without Foundation's
/// encoder (stable key order, no escaping surprises).
public struct JSONLine: Sendable {
    var parts: [String] = []
    public init() {}

    public mutating func add(_ key: String, _ value: String) { parts.append("\(Self.quote(key)):\(Self.quote(value))") }
    public mutating func add(_ key: String, _ value: Int) { parts.append("\(Self.quote(key)):\(value)") }
    public mutating func add(_ key: String, _ value: UInt64) { parts.append("\(Self.quote(key)):\(value)") }
    public mutating func add(_ key: String, _ value: Double) {
        parts.append("\(Self.quote(key)):\(value.isFinite ? "\(value)" : "null")")
    }
    public mutating func add(_ key: String, _ value: Bool) { parts.append("\(Self.quote(key)):\(value)") }
    /// A value that is already JSON (an object or array).
    public mutating func addRaw(_ key: String, _ json: String) { parts.append("\(Self.quote(key)):\(json)") }

    public mutating func addNull(_ key: String) { parts.append("\(Self.quote(key)):null") }

    public var text: String { "{" + parts.joined(separator: ",") + "}" }

    /// `[a,b,c]` from objects already encoded.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
