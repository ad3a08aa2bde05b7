import KizunaCore
@testable import KizunaHardware

/// The error a driver call throws, or nil when it succeeds: lets a test state which fault a
/// transfer became with a plain `#expect(... == ...)`, and that no value came out with it.
func failure<T>(_ body: () throws -> T) -> I2CError? {
    do {
        _ = try body()
        return nil
    } catch let error as I2CError {
        return error
    } catch {
        return .notSupported("not an I2CError: \(error)")
    }
}

/// Whether the error is a refused value (whatever its message).
func isBadValue(_ error: I2CError?) -> Bool {
    if case .badValue = error { true } else { false }
}

/// Whether `value` is within `tolerance` of `expected` (datasheet numbers are given rounded).
func near(_ value: Double?, _ expected: Double, within tolerance: Double = 0.001) -> Bool {
    guard let value else { return false }
    return abs(value - expected) <= tolerance
}

/// Records what a driver asked to wait, instead of sleeping.
final class PauseLog {
    var spans: [Span] = []
    var pause: CommandPause { CommandPause { [unowned self] in self.spans.append($0) } }
}
