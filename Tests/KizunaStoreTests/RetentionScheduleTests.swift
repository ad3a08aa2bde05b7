import Foundation
import KizunaCore
import Testing
@testable import KizunaStore

/// When retention may delete by age: on the monotonic clock, and not from a wall clock that
/// just jumped ahead.
struct RetentionScheduleTests {
    static let hour: UInt64 = 3_600_000_000_000
    static let real = WallTime(secondsSinceEpoch: 1_782_867_600)   // 2026-07-01T01:00:00Z

    @Test("the first pass an hour after the start, then one an hour, whatever the wall clock does")
    func hourly() {
        var s = RetentionSchedule(start: 5 * Self.hour)
        #expect(!s.due(at: 5 * Self.hour))
        #expect(!s.due(at: 6 * Self.hour - 1))
        #expect(s.due(at: 6 * Self.hour))
        let ok1 = s.mayCount(from: Self.real, at: 6 * Self.hour)
        #expect(ok1)
        s.passed(at: 6 * Self.hour)
        #expect(!s.due(at: 6 * Self.hour + Self.hour / 2))
        #expect(s.due(at: 7 * Self.hour))
    }

    @Test("a pass after the clock jumped a year ahead is put off an hour; corrected meanwhile, the next pass counts from the true time")
    func clockAhead() {
        var s = RetentionSchedule(start: 0)
        let ok2 = s.mayCount(from: Self.real, at: Self.hour)
        #expect(ok2)
        s.passed(at: Self.hour)
        // An hour later the last event stored is stamped a year ahead: not counted from.
        let ahead = Self.real + .days(365)
        let ok3 = s.mayCount(from: ahead, at: 2 * Self.hour)
        #expect(!ok3)
        #expect(!s.due(at: 2 * Self.hour + 1))
        // NTP set it right: an hour later, counted from the true time (behind is harmless).
        #expect(s.due(at: 3 * Self.hour))
        let ok4 = s.mayCount(from: Self.real + .hours(2), at: 3 * Self.hour)
        #expect(ok4)
    }

    @Test("the wall clock moving with the monotonic one (a device up for days, or off for hours between two stores) is counted from")
    func steadyClock() {
        var s = RetentionSchedule(start: 0)
        let ok5 = s.mayCount(from: Self.real, at: Self.hour)
        #expect(ok5)
        // Two days on both clocks, and a quiet flat: the last event stored an hour old.
        let ok6 = s.mayCount(from: Self.real + .hours(47), at: 49 * Self.hour)
        #expect(ok6)
        // Half an hour more than the time passed: within the hour allowed.
        let ok7 = s.mayCount(from: Self.real + .hours(48) + .minutes(30), at: 50 * Self.hour)
        #expect(ok7)
    }

    @Test("a cutoff moves past the oldest row kept by no more than a day for each hour since the last pass, and a day")
    func cutoffBounded() {
        let s = RetentionSchedule(start: 0)
        let oldest = Self.real
        // Steady: what retention wants is within the bound.
        #expect(s.cutoff(wanted: oldest + .minutes(30), oldest: oldest, at: Self.hour) == oldest + .minutes(30))
        // A clock a year ahead wants everything gone: two days of it, an hour after the start.
        #expect(s.cutoff(wanted: oldest + .days(300), oldest: oldest, at: Self.hour) == oldest + .days(2))
        #expect(s.cutoff(wanted: oldest + .days(300), oldest: oldest, at: Self.hour - 1) == oldest + .days(1))
        #expect(s.cutoff(wanted: oldest + .days(300), oldest: nil, at: Self.hour) == oldest + .days(300))
    }

    @Test("through the store: a pass counting from a clock a year ahead deletes two days of a 40-day history, not all of it")
    func clockAheadThroughTheStore() throws {
        let (store, writer, dir) = try FlatStoreTests.store()
        defer { writer.stop(); try? FileManager.default.removeItem(at: dir) }
        writer.retentionEvents = .days(30)
        try store.bulkInsertForTesting(count: 40 * 24, start: Self.real, every: .hours(1))
        let schedule = RetentionSchedule(start: 0)
        let ahead = Self.real + .days(40 + 365)
        let deleted = try writer.prune(now: ahead, within: { wanted, oldest in schedule.cutoff(wanted: wanted, oldest: oldest, at: Self.hour) })
        #expect(deleted == 48)   // the first two days (the cutoff, 01:00 on the third, is kept)
        // Without the bound, the same pass deletes the whole history.
        #expect(try writer.prune(now: ahead) == 40 * 24 - 48)
    }
}
