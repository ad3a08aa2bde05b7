import KizunaCore

/// Small scanners over a recording's UTF-8 bytes: times and flat JSON objects, without
/// building strings or dictionaries per line (a year of a home's events is ~100 MB).
enum ByteTime {
    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fff…][Z|±HH:MM]` in `b[lo..<hi]`; without a zone the
    /// time is read in `defaultOffset`. The same grammar and dates as `CivilTime.parseISO8601`
    /// with seconds required (a year past 2262 would overflow: refused, as 30 February is).
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, defaultOffset: UTCOffset) -> WallTime? {
        guard hi - lo >= 19, b[lo + 10] == 84 || b[lo + 10] == 32 else { return nil }
        return parse(b, date: lo, time: lo + 11, hi, defaultOffset: defaultOffset)
    }

    /// The same, with the date at `date` (`YYYY-MM-DD`) and the time at `time`
    /// (`HH:MM:SS[.fff…][zone]`, up to `hi`): CASAS files put tabs or several spaces between.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, date lo: Int, time t: Int, _ hi: Int, defaultOffset: UTCOffset) -> WallTime? {
        guard t >= lo + 10, hi - t >= 8 else { return nil }
        var ok = true
        @inline(__always) func digit(_ i: Int) -> Int64 {
            let c = b[i]
            if c < 48 || c > 57 { ok = false }
            return Int64(c) &- 48
        }
        let y = digit(lo) * 1000 + digit(lo + 1) * 100 + digit(lo + 2) * 10 + digit(lo + 3)
        let mo = digit(lo + 5) * 10 + digit(lo + 6)
        let d = digit(lo + 8) * 10 + digit(lo + 9)
        let h = digit(t) * 10 + digit(t + 1)
        let mi = digit(t + 3) * 10 + digit(t + 4)
        let s = digit(t + 6) * 10 + digit(t + 7)
        guard ok, b[lo + 4] == 45, b[lo + 7] == 45, b[t + 2] == 58, b[t + 5] == 58,
              h < 24, mi < 60, s < 61, CivilTime.isDate(year: y, month: mo, day: d) else { return nil }
        var i = t + 8
        var nanos: Int64 = 0
        if i < hi, b[i] == 46 || b[i] == 44 {
            i += 1
            var digits = 0
            while i < hi, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48); digits += 1 }
                i += 1
            }
            guard digits > 0 else { return nil }
            while digits < 9 { nanos *= 10; digits += 1 }
        }
        var offset = defaultOffset.seconds
        if i < hi {
            if b[i] == 90, i + 1 == hi {  // Z
                offset = 0
            } else if hi - i == 6, b[i] == 43 || b[i] == 45, b[i + 3] == 58 {
                var zok = true
                @inline(__always) func zd(_ k: Int) -> Int64 {
                    let c = b[i + k]
                    if c < 48 || c > 57 { zok = false }
                    return Int64(c) &- 48
                }
                let oh = zd(1) * 10 + zd(2), om = zd(4) * 10 + zd(5)
                guard zok, oh <= 14, om < 60 else { return nil }
                offset = (b[i] == 45 ? -1 : 1) * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        let days = CivilTime.days(year: y, month: Int(mo), day: Int(d))
        let local = (days * 86_400 + h * 3600 + mi * 60 + s) * 1_000_000_000 + nanos
        return WallTime(nanosecondsSinceEpoch: local - offset * 1_000_000_000)
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether `self[lo..<hi]` holds exactly the bytes of `literal`.
    @inline(__always) func matches(_ lo: Int, _ hi: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard hi - lo == n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where self[lo + k] != p[k] { return false }
        return true
    }

    /// The text of `self[lo..<hi]` (for error messages and new sensor names only).
    func text(_ lo: Int, _ hi: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: self[lo..<hi]), as: UTF8.self) }
}

/// Walks the members of one flat JSON object (`{"k":v,…}`) in `b[lo..<hi]`. Values are
/// returned as byte ranges: strings without their quotes (escapes left as they are),
/// objects and arrays with their brackets, numbers and literals as written.
struct JSONObjectScanner {
    enum ValueKind { case string, object, other }
    struct Member {
        var keyLo: Int, keyHi: Int
        var valueLo: Int, valueHi: Int
        var kind: ValueKind
    }

    let b: UnsafeBufferPointer<UInt8>
    var i: Int
    let end: Int
    /// Set when the text is not a well-formed object.
    private(set) var failed = false
    var done = false

    init(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) {
        self.b = b
        self.end = hi
        self.i = lo
        skipSpace()
        if i < end, b[i] == 123 { i += 1 } else { failed = true; done = true }
    }

    @inline(__always) mutating func skipSpace() {
        while i < end, b[i] == 32 || b[i] == 9 || b[i] == 13 || b[i] == 10 { i += 1 }
    }

    /// From an opening quote at `i`: the index of the closing quote, or nil.
    @inline(__always) func stringEnd(from start: Int) -> Int? {
        var k = start + 1
        while k < end {
            let c = b[k]
            if c == 34 { return k }
            k += c == 92 ? 2 : 1
        }
        return nil
    }

    mutating func fail() -> Member? {
        failed = true
        done = true
        return nil
    }

    /// The next member, or nil at the end of the object (check `failed`).
    mutating func next() -> Member? {
        guard !done else { return nil }
        skipSpace()
        guard i < end else { return fail() }
        if b[i] == 125 { done = true; i += 1; return nil }
        if b[i] == 44 { i += 1; skipSpace() }
        guard i < end, b[i] == 34, let keyEnd = stringEnd(from: i) else { return fail() }
        let keyLo = i + 1
        i = keyEnd + 1
        skipSpace()
        guard i < end, b[i] == 58 else { return fail() }
        i += 1
        skipSpace()
        guard i < end else { return fail() }
        let c = b[i]
        if c == 34 {
            guard let e = stringEnd(from: i) else { return fail() }
            let m = Member(keyLo: keyLo, keyHi: keyEnd, valueLo: i + 1, valueHi: e, kind: .string)
            i = e + 1
            return m
        }
        if c == 123 || c == 91 {
            let start = i
            var depth = 0
            while i < end {
                let x = b[i]
                if x == 34 {
                    guard let e = stringEnd(from: i) else { return fail() }
                    i = e + 1
                    continue
                }
                if x == 123 || x == 91 { depth += 1 } else if x == 125 || x == 93 {
                    depth -= 1
                    if depth == 0 { i += 1; break }
                }
                i += 1
            }
            guard depth == 0 else { return fail() }
            return Member(keyLo: keyLo, keyHi: keyEnd, valueLo: start, valueHi: i, kind: c == 123 ? .object : .other)
        }
        let start = i
        while i < end, b[i] != 44, b[i] != 125, b[i] != 32, b[i] != 9, b[i] != 13 { i += 1 }
        guard i > start else { return fail() }
        return Member(keyLo: keyLo, keyHi: keyEnd, valueLo: start, valueHi: i, kind: .other)
    }
}

/// Calls `body` with each line of `b` (without its line break) and its 1-based number.
@inline(__always)
/// Every non-blank line of a recording, for a reader: `body` gets the line's bounds and a
/// `bad(message)` for a line it cannot take, which is then skipped and counted with
/// --lenient, or stops the reading with an error naming the file and the line.
func forEachRecordLine(_ b: UnsafeBufferPointer<UInt8>, file: String, into builder: inout RecordingBuilder, lenient: Bool,
                       _ body: (_ start: Int, _ end: Int, _ builder: inout RecordingBuilder, _ bad: (String) -> Void) -> Void) throws(RecordingError) {
    var failure: RecordingError?
    forEachLine(b) { start, end, number in
        guard failure == nil else { return }
        var k = start
        while k < end, b[k] == 32 || b[k] == 9 { k += 1 }
        if k == end { return }
        var broken: String?
        body(start, end, &builder) { broken = $0 }
        guard let broken else { return }
        do throws(RecordingError) {
            try builder.broken(RecordingError(file: file, line: number, message: broken), lenient: lenient)
        } catch {
            failure = error
        }
    }
    if let failure { throw failure }
}

func forEachLine(_ b: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int) throws -> Void) rethrows {
    var lo = 0
    var number = 0
    let n = b.count
    while lo < n {
        var hi = lo
        while hi < n, b[hi] != 10 { hi += 1 }
        number += 1
        var e = hi
        if e > lo, b[e - 1] == 13 { e -= 1 }
        try body(lo, e, number)
        lo = hi + 1
    }
}
