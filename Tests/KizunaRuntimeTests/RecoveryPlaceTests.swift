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

    @Test("the silence under way may be learned after a stop of up to 15 min, a reboot included; not after a power cut or with no snapshot")
    func learnable() {
        #expect(Recovery.offBriefly(snapshot: Self.snapshot(boot: "b0"), now: Self.now(after: .minutes(12))))   // a reboot
        #expect(!Recovery.offBriefly(snapshot: Self.snapshot(boot: "b1"), now: Self.now(after: .minutes(16))))
        #expect(!Recovery.offBriefly(snapshot: Self.snapshot(boot: "b0"), now: Self.now(after: .hours(6))))
        #expect(!Recovery.offBriefly(snapshot: nil, now: Self.now(after: .minutes(2))))
    }
}

@Suite("Recovery: stuck sensors")
struct RecoveryStuckTests {
    @Test("the sensors whose stuck-value fault was open are found from the stored reasons, as the recorder wrote them; other sensor faults apart")
    func stuckSensors() {
        let sensors = SensorRegistry(["pir.living", "temperature.living", "humidity.living"].map { SensorDescriptor(name: $0)! })
        let t = sensors.id(named: "temperature.living")!, h = sensors.id(named: "humidity.living")!
        let at = Timestamp(monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(secondsSinceEpoch: 1_790_000_000))
        func restored(_ id: UInt64, _ kind: AlarmKind, _ s: SensorID, _ reason: AlarmReason) -> OpenAlarm {
            OpenAlarm(id: id, kind: kind, sensor: s, raisedAt: at, phase: .alarm, repeats: 0, deadline: .never,
                      reason: .restored(reason.describe(sensors)))
        }
        let open = [restored(1, .sensorFault, t, .sensorFault(t, .stuckValue)), restored(2, .sensorFault, h, .sensorFault(h, .noAcknowledge)),
                    restored(3, .pirStuck, sensors.id(named: "pir.living")!, .pirStuck(sensors.id(named: "pir.living")!, for: .hours(2)))]
        #expect(Recovery.stuckSensors(open) == [t])
        #expect(Recovery.faultySensors(open) == [h])   // its chip recovers after good answers in a row
    }
}
