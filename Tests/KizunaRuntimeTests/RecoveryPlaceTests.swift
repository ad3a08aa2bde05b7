import KizunaCore
import KizunaStore
import Testing
@testable import KizunaRuntime

/// After a restart, whether the silence under way is still judged by where it began.
@Suite("Recovery: the place of the silence under way")
struct RecoveryPlaceTests {
    static let saved = WallTime(secondsSinceEpoch: 1_790_000_000)

    static func snapshot(boot: String) -> StoredSnapshot {
        StoredSnapshot(occupancy: "home", saved: saved, bootID: boot, savedMonotonic: MonotonicInstant(nanoseconds: 7))
    }

    static func now(after span: Span) -> Timestamp {
        Timestamp(monotonic: MonotonicInstant(nanoseconds: 1_000_000_000), wall: saved + span)
    }

    @Test("kept after a restart within the same boot and 15 min; lost after a reboot, a longer stop, or with no snapshot")
    func kept() {
        #expect(Recovery.placeStillKnown(snapshot: Self.snapshot(boot: "b1"), now: Self.now(after: .minutes(12)), bootID: "b1"))
        #expect(Recovery.placeStillKnown(snapshot: Self.snapshot(boot: "b1"), now: Self.now(after: .minutes(15)), bootID: "b1"))
        #expect(!Recovery.placeStillKnown(snapshot: Self.snapshot(boot: "b1"), now: Self.now(after: .minutes(16)), bootID: "b1"))
        #expect(!Recovery.placeStillKnown(snapshot: Self.snapshot(boot: "b0"), now: Self.now(after: .minutes(2)), bootID: "b1"))
        #expect(!Recovery.placeStillKnown(snapshot: nil, now: Self.now(after: .minutes(2)), bootID: "b1"))
    }
}
