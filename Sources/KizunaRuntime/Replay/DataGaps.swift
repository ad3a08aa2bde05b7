import KizunaCore

/// A recording's data gaps: the stretches with no event at all (periodic readings and
/// ignored sensors included) for longer than a limit, when the system was offline and
/// nothing is known of the resident.
///
/// They are a property of the recording, found once by one pass over its times; a replay
/// repeated over the same recording (`kizuna evaluate`'s cuts, the benchmark) takes them
/// from here instead of walking the events that feed no sensor again each time.
public struct DataGaps: Sendable {
    /// How long a stretch with no event must last to be a gap.
    public let limit: Span
    /// In time order: from the last event before the gap to the first after it.
    public let list: [(from: WallTime, to: WallTime)]
    /// What they were found in (`isOf`): its span and number of events.
    let first: WallTime, last: WallTime, eventCount: Int

    public init(_ recording: Recording, longerThan limit: Span) {
        self.limit = limit
        first = recording.first
        last = recording.last
        eventCount = recording.eventCount
        let gapNs = limit.nanoseconds
        let observations = recording.observations
        let other = recording.otherEvents
        var found: [(from: WallTime, to: WallTime)] = []
        var lastSeen = recording.first.nanosecondsSinceEpoch
        var oi = 0, ob = 0
        // Both lists are sorted: walk them merged, in time order.
        while oi < other.count || ob < observations.count {
            let x: Int64
            if ob == observations.count || (oi < other.count && other[oi].nanosecondsSinceEpoch <= observations[ob].time.wall.nanosecondsSinceEpoch) {
                x = other[oi].nanosecondsSinceEpoch
                oi += 1
            } else {
                x = observations[ob].time.wall.nanosecondsSinceEpoch
                ob += 1
            }
            if x &- lastSeen > gapNs {
                found.append((WallTime(nanosecondsSinceEpoch: lastSeen), WallTime(nanosecondsSinceEpoch: x)))
            }
            if x > lastSeen { lastSeen = x }
        }
        list = found
    }

    /// Whether these are `recording`'s gaps for `limit` (as far as its span and size tell).
    public func isOf(_ recording: Recording, limit: Span) -> Bool {
        self.limit == limit && first == recording.first && last == recording.last && eventCount == recording.eventCount
    }
}
