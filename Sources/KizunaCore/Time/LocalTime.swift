/// The flat's local time: a fixed offset from UTC.
///
/// Japan has no daylight saving time, so a fixed offset is exact there; the core stays free
/// of a time-zone database. (A zone with DST would need the runtime to update the offset.)
public struct UTCOffset: Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }
    public static let utc = UTCOffset(seconds: 0)
    public static let japan = UTCOffset(seconds: 9 * 3600)

    /// Parses `+09:00`, `-05:30`, `Z`, `UTC`.
    public init?(parsing text: String) {
        if text == "Z" || text == "UTC" { self.seconds = 0; return }
        let chars = Array(text.utf8)
        guard chars.count == 6, chars[0] == UInt8(ascii: "+") || chars[0] == UInt8(ascii: "-"),
              chars[3] == UInt8(ascii: ":"),
              let h = Int64(String(decoding: chars[1...2], as: UTF8.self)),
              let m = Int64(String(decoding: chars[4...5], as: UTF8.self)), h <= 14, m < 60
        else { return nil }
        let s = h * 3600 + m * 60
        self.seconds = chars[0] == UInt8(ascii: "-") ? -s : s
    }

    public var description: String {
        if seconds == 0 { return "Z" }
        let a = abs(seconds)
        let h = a / 3600, m = (a % 3600) / 60
        return (seconds < 0 ? "-" : "+") + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}

/// Minute of the local day, 0 ..< 1440.
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var minutes: Int
    public init(hour: Int, minute: Int = 0) { self.minutes = hour * 60 + minute }
    public init(minutes: Int) { self.minutes = minutes }
    public static func < (a: Self, b: Self) -> Bool { a.minutes < b.minutes }

    /// Parses `HH:MM`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        self.minutes = h * 60 + m
    }

    public var description: String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}

/// Calendar arithmetic on wall times, without Foundation.
public enum CivilTime {
    /// Days since 1970-01-01 → (year, month, day). Howard Hinnant's algorithm.
    public static func date(fromDays z0: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// (year, month, day) → days since 1970-01-01.
    public static func days(year y0: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Whether `year-month-day` is a date this clock can hold: years 1900–2199 (64-bit
    /// nanoseconds hold 1678–2262 only: any other would trap on overflow), and a day the month
    /// has (30 February is no date, not 2 March: the caller gets its error, not other rows).
    @inlinable public static func isDate(year y: Int64, month mo: Int64, day d: Int64) -> Bool {
        guard (1900...2199).contains(y), (1...12).contains(mo), d >= 1 else { return false }
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let last: Int64 = switch mo {
        case 2: leap ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
        return d <= last
    }

    /// Floor division that rounds toward minus infinity.
    @inlinable static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Nanoseconds since local midnight of the local day containing `wall`.
    @inlinable public static func nanosecondsIntoLocalDay(_ wall: WallTime, offset: UTCOffset) -> Int64 {
        let local = wall.nanosecondsSinceEpoch + offset.seconds * 1_000_000_000
        let day: Int64 = 86_400_000_000_000
        return local - floorDiv(local, day) * day
    }

    public static func timeOfDay(_ wall: WallTime, offset: UTCOffset) -> TimeOfDay {
        TimeOfDay(minutes: Int(nanosecondsIntoLocalDay(wall, offset: offset) / 60_000_000_000))
    }

    /// ISO-8601 with the given offset, seconds precision unless `fractionDigits` > 0:
    /// `2026-07-01T17:00:00+09:00`.
    public static func iso8601(_ wall: WallTime, offset: UTCOffset, fractionDigits: Int = 0) -> String {
        let local = wall.nanosecondsSinceEpoch + offset.seconds * 1_000_000_000
        let secs = floorDiv(local, 1_000_000_000)
        let nanos = local - secs * 1_000_000_000
        let days = floorDiv(secs, 86_400)
        let sod = secs - days * 86_400
        let (y, mo, d) = date(fromDays: days)
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        var out = "\(pad(y, 4))-\(pad(Int64(mo), 2))-\(pad(Int64(d), 2))T"
        out += "\(pad(sod / 3600, 2)):\(pad((sod % 3600) / 60, 2)):\(pad(sod % 60, 2))"
        if fractionDigits > 0 {
            var frac = nanos
            for _ in 0..<(9 - min(fractionDigits, 9)) { frac /= 10 }
            out += "." + pad(frac, min(fractionDigits, 9))
        }
        return out + offset.description
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`; without a zone the time is read in
    /// `defaultOffset` (the recording's or the flat's own clock). Years 1900–2199: any other
    /// is refused (nil), never a trap on overflow (an API query must get its 400).
    public static func parseISO8601(_ text: String, defaultOffset: UTCOffset) -> WallTime? {
        let u = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= u.count else { return nil }
            var v: Int64 = 0
            for i in r {
                let c = u[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard u.count >= 16, u[4] == 45, u[7] == 45, u[10] == 84 || u[10] == 32, u[13] == 58,
              let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              let h = num(11..<13), let mi = num(14..<16),
              h < 24, mi < 60, isDate(year: y, month: mo, day: d) else { return nil }
        var i = 16
        var s: Int64 = 0, nanos: Int64 = 0
        if i < u.count, u[i] == 58 {
            guard let sv = num(17..<19), sv < 61 else { return nil }
            s = sv; i = 19
            if i < u.count, u[i] == 46 || u[i] == 44 {
                i += 1
                var digits = 0
                while i < u.count, u[i] >= 48, u[i] <= 57 {
                    if digits < 9 { nanos = nanos * 10 + Int64(u[i] - 48); digits += 1 }
                    i += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<9 { nanos *= 10 }
            }
        }
        var offset = defaultOffset
        if i < u.count {
            guard let o = UTCOffset(parsing: String(decoding: u[i...], as: UTF8.self)) else { return nil }
            offset = o
        }
        let days = self.days(year: y, month: Int(mo), day: Int(d))
        let local = ((days * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000_000) + nanos
        return WallTime(nanosecondsSinceEpoch: local - offset.seconds * 1_000_000_000)
    }
}
