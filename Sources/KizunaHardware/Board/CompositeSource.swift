import KizunaCore

/// Several input sources as one (the board's GPIO and its I2C sensors): every descriptor,
/// the earliest deadline, each source's observations in turn. The first source gives the
/// two-level inputs' initial levels.
public final class CompositeSource: InputSource {
    public let sources: [InputSource]

    public init(_ sources: [InputSource]) { self.sources = sources }

    public var pollDescriptors: [Int32] { sources.flatMap(\.pollDescriptors) }

    public func nextDeadline() -> MonotonicInstant {
        sources.reduce(MonotonicInstant.never) { min($0, $1.nextDeadline()) }
    }

    public func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        for s in sources { s.collect(upTo: now, into: &observations) }
    }

    public func initialLevels() -> [(SensorID, Bool)] { sources.flatMap { $0.initialLevels() } }
}
