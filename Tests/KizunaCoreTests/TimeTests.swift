import Testing
@testable import KizunaCore

@Suite("Time")
struct TimeTests {
    @Test("ISO-8601 round trip with the flat's offset", arguments: [
        "2026-07-01T16:59:02.500+09:00", "2011-06-15T01:03:39.149+00:00", "1999-12-31T23:59:59.000-05:30",
        "1900-01-01T00:00:00.000+09:00", "2199-12-31T23:59:59.999-05:00",
    ])
    func isoRoundTrip(_ text: String) {
        let w = CivilTime.parseISO8601(text, defaultOffset: .utc)!
        let offset = UTCOffset(parsing: String(text.suffix(6)))!
        let back = CivilTime.iso8601(w, offset: offset, fractionDigits: 3)
        #expect(back == (text.hasSuffix("+00:00") ? String(text.dropLast(6)) + "Z" : text))
    }

    @Test("a time without a zone is read on the given clock")
    func defaultOffset() {
        let a = CivilTime.parseISO8601("2026-07-01T09:00:00", defaultOffset: .japan)!
        let b = CivilTime.parseISO8601("2026-07-01T00:00:00Z", defaultOffset: .japan)!
        #expect(a == b)
    }

    @Test("bad timestamps are refused", arguments: ["2026-13-01T00:00", "2026-07-01", "2026-07-01T25:00", "2026-07-01T10:00:00+9",
                                                     "2300-01-01T00:00", "9999-12-31T23:59", "1600-01-01T00:00", "0000-01-01T00:00",
                                                     "2026-02-30T00:00", "2026-04-31T00:00", "2026-02-29T00:00", "2100-02-29T00:00"])
    func badTimestamps(_ text: String) {
        #expect(CivilTime.parseISO8601(text, defaultOffset: .utc) == nil)
    }

    @Test("the last day of each month is a date; leap days in leap years only")
    func lastDays() {
        for text in ["2026-01-31T00:00", "2026-02-28T00:00", "2028-02-29T00:00", "2000-02-29T00:00", "2026-04-30T00:00", "2026-12-31T23:59"] {
            #expect(CivilTime.parseISO8601(text, defaultOffset: .utc) != nil, "\(text)")
        }
        #expect(CivilTime.parseISO8601("2028-02-29T12:00", defaultOffset: .utc).map { CivilTime.iso8601($0, offset: .utc, fractionDigits: 0) } == "2028-02-29T12:00:00Z")
    }

    @Test("the night window wraps over midnight")
    func nightWindow() {
        let night = DailyWindow(start: TimeOfDay(hour: 22), end: TimeOfDay(hour: 7), offset: .japan)
        func at(_ s: String) -> WallTime { CivilTime.parseISO8601("2026-07-01T" + s, defaultOffset: .japan)! }
        #expect(night.contains(at("23:00")))
        #expect(night.contains(at("03:00")))
        #expect(!night.contains(at("07:00")))
        #expect(night.contains(at("22:00")))
        #expect(!night.contains(at("21:59:59")))
        #expect(night.nextBoundary(after: at("12:00")) == at("22:00"))
    }

    @Test("spans read well in reasons")
    func spanText() {
        #expect(Span.hours(3).description == "3h 00m")
        #expect((Span.minutes(12) + .seconds(30)).description == "12m 30s")
        #expect(Span.milliseconds(4200).description == "4.2s")
        #expect(Span.days(3).description == "3d 00h")
    }
}
