/// The learned routine as a flat array of numbers, for the store: survives restarts so a
/// reboot does not throw away weeks of learning. Layout (version 1):
/// `[1, slotMinutes, firstSeconds, wakeMinutes, wakeDays, lastWakeDay, daily…, weekly…]`.
public struct RoutineState: Sendable, Equatable {
    public var values: [Double]
    public init(values: [Double]) { self.values = values }
    public static let version = 1.0
}

extension RoutineModel {
    public var state: RoutineState {
        var v: [Double] = [RoutineState.version, Double(perDay == 0 ? 0 : 1440 / perDay), Double(firstSeconds), wakeMinutes,
                           Double(wakeDays), lastWakeDay == .min ? -1 : Double(lastWakeDay)]
        v.reserveCapacity(6 + daily.count + weekly.count)
        v += daily
        v += weekly
        return v.isEmpty ? RoutineState(values: []) : RoutineState(values: v)
    }

    /// Puts back a saved state. A state of another version or slot size is ignored (the
    /// model learns again, with the fixed limits meanwhile): returns whether it was taken.
    @discardableResult
    public mutating func restore(_ s: RoutineState) -> Bool {
        let v = s.values
        guard v.count == 6 + perDay * 8, v[0] == RoutineState.version, Int(v[1]) == 1440 / perDay else { return false }
        firstSeconds = Int64(v[2])
        wakeMinutes = v[3]
        wakeDays = Int(v[4])
        lastWakeDay = v[5] < 0 ? .min : Int64(v[5])
        for i in 0..<perDay { daily[i] = v[6 + i] }
        for i in 0..<(perDay * 7) { weekly[i] = v[6 + perDay + i] }
        return true
    }
}
