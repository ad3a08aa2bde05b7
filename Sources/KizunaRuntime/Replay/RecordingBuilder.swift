import KizunaCore

/// The recording's sensor names (as bytes) → engine sensors, resolved through the mapping
/// the first time each name is seen; the engine's registry holds only sensors that occur.
struct SensorTable {
    let mapping: ReplayMapping
    private var keys: [[UInt8]] = []
    /// Per key: the engine sensor's index, or -1 (ignored).
    private var slots: [Int32] = []
    private var last = -1
    private(set) var descriptors: [SensorDescriptor] = []
    /// Per engine sensor: an activity contact, whose every change is a moment of activity.
    private(set) var pulses: [Bool] = []
    private var byName: [String: Int32] = [:]

    init(mapping: ReplayMapping) { self.mapping = mapping }

    /// The sensor for the name `b[lo..<hi]`, or with `lo2 >= 0` for `b[lo..<hi]/b[lo2..<hi2]`.
    mutating func slot(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ lo2: Int = -1, _ hi2: Int = -1) -> Int32 {
        let n1 = hi - lo
        let n = lo2 >= 0 ? n1 + 1 + (hi2 - lo2) : n1
        @inline(__always) func same(_ k: Int) -> Bool {
            keys[k].withUnsafeBufferPointer { key in
                guard key.count == n else { return false }
                for j in 0..<n1 where key[j] != b[lo + j] { return false }
                if lo2 >= 0 {
                    guard key[n1] == 47 else { return false }
                    for j in 0..<(hi2 - lo2) where key[n1 + 1 + j] != b[lo2 + j] { return false }
                }
                return true
            }
        }
        if last >= 0, same(last) { return slots[last] }
        for k in keys.indices where same(k) {
            last = k
            return slots[k]
        }
        var key = [UInt8](UnsafeBufferPointer(rebasing: b[lo..<hi]))
        if lo2 >= 0 {
            key.append(47)
            key.append(contentsOf: UnsafeBufferPointer(rebasing: b[lo2..<hi2]))
        }
        let slot: Int32
        switch mapping.role(for: String(decoding: key, as: UTF8.self)) {
        case .ignore:
            slot = -1
        case .sensor(let d):
            if let s = byName[d.name] {
                slot = s
            } else {
                slot = Int32(descriptors.count)
                descriptors.append(d)
                pulses.append(d.isActivityContact)
                byName[d.name] = slot
            }
        }
        keys.append(key)
        slots.append(slot)
        last = keys.count - 1
        return slot
    }

    func kind(_ slot: Int32) -> SensorKind { descriptors[Int(slot)].kind }

    /// Whether the recording had a sensor named `key`.
    func hasSeen(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        return keys.contains(bytes)
    }
}

/// Collects a recording's events as the readers find them, then puts them in time order.
struct RecordingBuilder {
    var table: SensorTable
    let format: RecordingFormat
    var observations: [Observation] = []
    var times: [Int64] = []
    var other: [WallTime] = []
    var skipped = 0
    var inOrder = true
    var otherInOrder = true
    /// The clock of the times read (the first zone seen, for the Kizuna format).
    var clock: UTCOffset?

    init(format: RecordingFormat, mapping: ReplayMapping) {
        self.format = format
        self.table = SensorTable(mapping: mapping)
    }

    @inline(__always) mutating func add(_ o: Observation) {
        let t = o.time.wall.nanosecondsSinceEpoch
        if let last = times.last, t < last { inOrder = false }
        times.append(t)
        observations.append(o)
    }

    @inline(__always) mutating func level(_ slot: Int32, high: Bool, at wall: WallTime) {
        add(.level(SensorID(UInt16(slot)), high: high, at: Recording.stamp(wall)))
    }

    /// An activity contact (a cupboard, the fridge) opened or closed: someone was there at
    /// that moment, a rise and a fall (the PIR hold is the episode). Its level is not motion:
    /// a wardrobe left open a day and a half is no one moving in front of it (held high, it
    /// hid every silence and was reported a stuck PIR after 2 h). A report of the state it
    /// already had (a sensor's periodic report, a message received twice) is no one either:
    /// only a sign the system was up. In time order, from closed.
    /// Returns how many falls it made (observations that are not recorded events).
    func pulseActivityContacts(_ obs: inout [Observation], others: inout [WallTime]) -> Int {
        guard table.pulses.contains(true) else { return 0 }
        var derived = 0
        var open = [Bool](repeating: false, count: table.pulses.count)
        var out: [Observation] = []
        out.reserveCapacity(obs.count + obs.count / 8)
        var repeated = false
        for o in obs {
            guard case .level(let s, let high, let t) = o, table.pulses[Int(s.index)] else {
                out.append(o)
                continue
            }
            let i = Int(s.index)
            if high == open[i] {
                others.append(t.wall)
                repeated = true
                continue
            }
            open[i] = high
            out.append(.level(s, high: true, at: t))
            out.append(.level(s, high: false, at: t))
            derived += 1
        }
        obs = out
        if repeated { others.sort() }
        return derived
    }

    @inline(__always) mutating func otherEvent(at wall: WallTime) {
        if let last = other.last, wall < last { otherInOrder = false }
        other.append(wall)
    }

    /// A broken line: thrown, or counted when lenient.
    mutating func broken(_ error: RecordingError, lenient: Bool) throws(RecordingError) {
        guard lenient else { throw error }
        skipped += 1
    }

    func finish(local: UTCOffset?) -> Recording {
        var obs = observations
        if !inOrder {
            // Stable: events at the same instant keep their order in the files.
            let order = times.indices.sorted { times[$0] != times[$1] ? times[$0] < times[$1] : $0 < $1 }
            obs = order.map { observations[$0] }
        }
        var others = other
        if !otherInOrder { others.sort() }
        let derived = pulseActivityContacts(&obs, others: &others)
        let firstObs = obs.first?.time.wall, lastObs = obs.last?.time.wall
        let candidatesFirst = [firstObs, others.first].compactMap { $0 }
        let candidatesLast = [lastObs, others.last].compactMap { $0 }
        let zero = WallTime(nanosecondsSinceEpoch: 0)
        let clock = self.clock ?? .utc
        var recording = Recording(format: format, sensors: SensorRegistry(table.descriptors), observations: obs, otherEvents: others,
                         first: candidatesFirst.min() ?? zero, last: candidatesLast.max() ?? zero, skipped: skipped,
                         clock: clock, local: local ?? clock)
        recording.unseenMapped = table.mapping.listed.filter { !table.hasSeen($0) }
        recording.derived = derived
        return recording
    }
}
