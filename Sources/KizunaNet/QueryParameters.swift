import KizunaCore

/// A bad request: the parameter and what was wrong, for a 400 that names it.
public struct BadParameter: Error, Equatable {
    public var parameter: String
    public var message: String
}

/// Typed readers for query parameters, each failing with the parameter's name.
struct QueryReader {
    let values: [String: String]
    let offset: UTCOffset

    func time(_ name: String) throws(BadParameter) -> WallTime? {
        guard let text = values[name] else { return nil }
        guard let t = CivilTime.parseISO8601(text, defaultOffset: offset) else {
            throw BadParameter(parameter: name, message: "expected an ISO-8601 time such as 2026-07-01T09:00:00+09:00, got '\(text)'")
        }
        return t
    }

    func int(_ name: String, in range: ClosedRange<Int64>) throws(BadParameter) -> Int64? {
        guard let text = values[name] else { return nil }
        guard let v = Int64(text) else { throw BadParameter(parameter: name, message: "expected a whole number, got '\(text)'") }
        guard range.contains(v) else {
            throw BadParameter(parameter: name, message: "\(v) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return v
    }

    func choice(_ name: String, _ allowed: [String]) throws(BadParameter) -> String? {
        guard let text = values[name] else { return nil }
        guard allowed.contains(text) else {
            throw BadParameter(parameter: name, message: "expected one of \(allowed.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// Refuses parameters the endpoint does not know (a typo must not be ignored).
    func only(_ known: [String]) throws(BadParameter) {
        for k in values.keys.sorted() where !known.contains(k) {
            throw BadParameter(parameter: k, message: "unknown parameter; this endpoint takes: \(known.joined(separator: ", "))")
        }
    }
}
