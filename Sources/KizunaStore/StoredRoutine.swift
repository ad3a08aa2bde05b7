import Foundation
import KizunaCore

/// The learned routine as stored: its numbers (`RoutineState.values`) as little-endian
/// float64, and when they were saved.
public struct StoredRoutine: Sendable, Equatable {
    public var saved: WallTime
    public var encoded: Data

    public init(saved: WallTime, encoded: Data) {
        self.saved = saved
        self.encoded = encoded
    }

    public init(_ state: RoutineState, saved: WallTime) {
        self.saved = saved
        var d = Data(capacity: state.values.count * 8)
        for v in state.values {
            withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) }
        }
        encoded = d
    }

    public var state: RoutineState {
        let bytes = [UInt8](encoded)
        var values: [Double] = []
        values.reserveCapacity(bytes.count / 8)
        var i = 0
        while i + 8 <= bytes.count {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            values.append(Double(bitPattern: bits))
            i += 8
        }
        return RoutineState(values: values)
    }
}
