import Foundation
import KizunaCore
import Yams

/// A YAML node with where it came from (file, line, dotted key path), and typed readers
/// that fail with a `ConfigError` naming all three.
struct YAMLNode {
    let node: Node
    let file: String
    let path: String
    /// Lowers every duration's minimum to 1 s (tests of the whole device only).
    var shortTimers = false

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, key: path, message: message)
    }

    /// Parses a whole document.
    static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, key: "", message: "the file is empty")
            }
            return YAMLNode(node: node, file: file, path: "")
        } catch let e as ConfigError {
            throw e
        } catch let e as YamlError {
            throw ConfigError(file: file, line: Self.line(of: e), key: "", message: "not valid YAML: \(Self.problem(of: e))")
        } catch {
            throw ConfigError(file: file, line: nil, key: "", message: "not valid YAML: \(error)")
        }
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): m.line
        default: nil
        }
    }

    static func problem(of e: YamlError) -> String {
        switch e {
        case .scanner(_, let p, _, _), .parser(_, let p, _, _), .composer(_, let p, _, _): p
        default: "\(e)"
        }
    }

    func child(_ key: String, _ node: Node) -> YAMLNode {
        YAMLNode(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)", shortTimers: shortTimers)
    }

    var isNull: Bool {
        if case .scalar(let s) = node { return s.tag == .implicit && (s.string == "" || s.string == "~" || s.string == "null") && s.style == .plain }
        return false
    }

    /// The entries of a mapping, in file order. Unknown keys are refused (with a
    /// suggestion when one is close), so a typo never silently falls back to a default.
    func mapping(allowed: [String]? = nil) throws(ConfigError) -> [(key: String, value: YAMLNode)] {
        guard case .mapping(let m) = node else {
            throw error("expected a mapping (key: value lines), got \(kindName)")
        }
        var out: [(key: String, value: YAMLNode)] = []
        var seen: Set<String> = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else {
                throw YAMLNode(node: k, file: file, path: path).error("keys must be plain words")
            }
            let key = ks.string
            let entry = child(key, v)
            if let allowed, !allowed.contains(key) {
                var message = "unknown key"
                if let near = Self.closest(to: key, in: allowed) { message += " (did you mean '\(near)'?)" }
                message += "; expected one of: \(allowed.joined(separator: ", "))"
                throw ConfigError(file: file, line: k.mark?.line, key: entry.path, message: message)
            }
            guard seen.insert(key).inserted else {
                throw ConfigError(file: file, line: k.mark?.line, key: entry.path, message: "given twice")
            }
            out.append((key, entry))
        }
        return out
    }

    func sequence() throws(ConfigError) -> [YAMLNode] {
        guard case .sequence(let s) = node else { throw error("expected a list, got \(kindName)") }
        return s.enumerated().map { YAMLNode(node: $0.element, file: file, path: "\(path)[\($0.offset)]", shortTimers: shortTimers) }
    }

    var kindName: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s): "\"\(s.string)\""
        case .alias: "an alias"
        }
    }

    func string() throws(ConfigError) -> String {
        guard case .scalar(let s) = node, !isNull else { throw error("expected text, got \(kindName)") }
        return s.string
    }

    func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let s) = node else { throw error("expected true or false, got \(kindName)") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \"\(s.string)\"")
        }
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar(let s) = node else { throw error("expected a whole number, got \(kindName)") }
        let text = s.string
        let value: Int? = text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
        guard let v = value else { throw error("expected a whole number, got \"\(text)\"") }
        guard range.contains(v) else { throw error("\(v) is out of range (\(range.lowerBound) to \(range.upperBound))") }
        return v
    }

    func double(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar(let s) = node, let v = Double(s.string) else { throw error("expected a number, got \(kindName)") }
        guard range.contains(v) else { throw error("\(s.string) is out of range (\(range.lowerBound) to \(range.upperBound))") }
        return v
    }

    /// A percentage, `25%` or `25`.
    func percent(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar(let s) = node else { throw error("expected a percentage such as 25%, got \(kindName)") }
        let text = s.string.hasSuffix("%") ? String(s.string.dropLast()) : s.string
        guard let v = Double(text), v.isFinite else { throw error("expected a percentage such as 25%, got \"\(s.string)\"") }
        guard range.contains(v) else { throw error("\(s.string) is out of range (\(range.lowerBound)% to \(range.upperBound)%)") }
        return v
    }

    func span(in given: ClosedRange<Span>) throws(ConfigError) -> Span {
        let range = shortTimers ? min(given.lowerBound, .seconds(1)) ... given.upperBound : given
        guard case .scalar(let s) = node, let v = Self.parseSpan(s.string) else {
            throw error("expected a duration such as 30s, 15m, 3h, 1h30m or 2d, got \(kindName)")
        }
        guard range.contains(v) else { throw error("\(s.string) is out of range (\(range.lowerBound) to \(range.upperBound))") }
        return v
    }

    func timeOfDay() throws(ConfigError) -> TimeOfDay {
        guard case .scalar(let s) = node, let t = TimeOfDay(parsing: s.string) else {
            throw error("expected a time of day as HH:MM, got \(kindName)")
        }
        return t
    }

    /// `250ms`, `30s`, `15m`, `3h`, `2d`, and sums such as `1h30m`.
    static func parseSpan(_ text: String) -> Span? {
        var total: Int64 = 0
        var number: Int64? = nil
        var chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard !chars.isEmpty else { return nil }
        var i = 0
        var sawUnit = false
        while i < chars.count {
            let c = chars[i]
            if let d = c.wholeNumberValue, c.isASCII {
                number = (number ?? 0) * 10 + Int64(d)
                if number! > 1_000_000_000 { return nil }
                i += 1
                continue
            }
            guard let n = number else { return nil }
            let unit: Int64
            if c == "m", i + 1 < chars.count, chars[i + 1] == "s" { unit = 1_000_000; i += 1 }
            else if c == "s" { unit = 1_000_000_000 }
            else if c == "m" { unit = 60_000_000_000 }
            else if c == "h" { unit = 3_600_000_000_000 }
            else if c == "d" { unit = 86_400_000_000_000 }
            else { return nil }
            // A sum past Int64's 292 years is no duration (and must not trap the runtime).
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            number = nil
            sawUnit = true
            i += 1
        }
        chars.removeAll()
        guard number == nil, sawUnit else { return nil }
        return Span(nanoseconds: total)
    }

    /// The allowed word closest to a typo, if it is close enough to be a typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let w = Array(word)
        let best = candidates.map { ($0, distance(w, Array($0))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }
}

/// Durations as the config writes them (`250ms`, `30s`, `15m`, `3h`, `1h30m`, `2d`), for
/// command-line options too.
public enum DurationText {
    public static func parse(_ text: String) -> Span? { YAMLNode.parseSpan(text) }
}
