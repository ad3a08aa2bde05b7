/// A length of time in nanoseconds.
///
/// The core uses its own 64-bit span rather than `Swift.Duration` (128-bit) because it is
/// on the per-event path; ±292 years is more than a flat will ever need.
public struct Span: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    @inlinable public static func nanoseconds(_ n: Int64) -> Span { Span(nanoseconds: n) }
    @inlinable public static func milliseconds(_ n: Int64) -> Span { Span(nanoseconds: n * 1_000_000) }
    @inlinable public static func seconds(_ n: Int64) -> Span { Span(nanoseconds: n * 1_000_000_000) }
    @inlinable public static func minutes(_ n: Int64) -> Span { .seconds(n * 60) }
    @inlinable public static func hours(_ n: Int64) -> Span { .seconds(n * 3600) }
    @inlinable public static func days(_ n: Int64) -> Span { .seconds(n * 86_400) }
    public static let zero = Span(nanoseconds: 0)

    @inlinable public static func < (a: Span, b: Span) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Span, b: Span) -> Span { Span(nanoseconds: a.nanoseconds + b.nanoseconds) }
    @inlinable public static func - (a: Span, b: Span) -> Span { Span(nanoseconds: a.nanoseconds - b.nanoseconds) }
    @inlinable public static func * (a: Span, k: Int64) -> Span { Span(nanoseconds: a.nanoseconds * k) }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// Short human form for reasons and the status line: `3h 05m`, `12m 30s`, `4.2s`, `250ms`.
    public var description: String {
        let ns = nanoseconds
        if ns < 0 { return "-" + Span(nanoseconds: -ns).description }
        if ns < 1_000_000_000 { return "\(ns / 1_000_000)ms" }
        let total = ns / 1_000_000_000
        let d = total / 86_400, h = (total % 86_400) / 3600, m = (total % 3600) / 60, s = total % 60
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if d > 0 { return "\(d)d \(two(h))h" }
        if h > 0 { return "\(h)h \(two(m))m" }
        if m > 0 { return "\(m)m \(two(s))s" }
        let tenths = (ns % 1_000_000_000) / 100_000_000
        return tenths == 0 ? "\(s)s" : "\(s).\(tenths)s"
    }
}
