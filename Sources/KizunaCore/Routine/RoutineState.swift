/// The learned routine as a flat array of numbers, for the store: survives restarts so a
/// reboot does not throw away weeks of learning. Layout (version 2):
/// `[2, slotMinutes, memoryDays, firstSeconds, wakeMinutes, wakeDays, lastWakeDay,
/// rowDay × memoryDays, longest × (memoryDays × slots of the day)]` (days: -1 for none).
/// A version-1 state (the per-slot probabilities of the first model) is not taken.
public struct RoutineState: Sendable, Equatable {
    public var values: [Double]
    public init(values: [Double]) { self.values = values }
    public static let version = 2.0
}

extension RoutineModel {
    static let headerCount = 7

    public var state: RoutineState {
        var v: [Double] = [RoutineState.version, Double(1440 / perDay), Double(memory), Double(firstSeconds), wakeMinutes,
                           Double(wakeDays), lastWakeDay == .min ? -1 : Double(lastWakeDay)]
        v.reserveCapacity(Self.headerCount + rowDay.count + longest.count)
        v += rowDay.map { $0 == .min ? -1 : Double($0) }
        v += longest
        return RoutineState(values: v)
    }

    /// Puts back a saved state. A state of another version, slot size or memory is ignored
    /// (the model learns again, with the fixed limits meanwhile): returns whether it was taken.
    @discardableResult
    public mutating func restore(_ s: RoutineState) -> Bool {
        let v = s.values
        guard v.count == Self.headerCount + memory + longest.count, v[0] == RoutineState.version,
              Int(v[1]) == 1440 / perDay, Int(v[2]) == memory,
              v.allSatisfy({ $0.isFinite }) else { return false }
        firstSeconds = Int64(v[3])
        wakeMinutes = v[4]
        wakeDays = Int(v[5])
        lastWakeDay = v[6] < 0 ? .min : Int64(v[6])
        for r in 0..<memory { rowDay[r] = v[Self.headerCount + r] < 0 ? .min : Int64(v[Self.headerCount + r]) }
        let base = Self.headerCount + memory
        for i in longest.indices { longest[i] = max(0, v[base + i]) }
        rebuildWindowed()
        return true
    }
}
