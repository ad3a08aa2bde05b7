import KizunaCore

/// Reads the project's own NDJSON events (`kizuna export --format ndjson`, `/v1/events`)
/// into a `RecordingBuilder`: `{"seq":12,"at":"2026-07-01T09:00:00.000+09:00","sensor":"pir.living","kind":"motion-start"}`.
///
/// Filtered events go back in as the raw levels that make them again: motion start and
/// end as a PIR's rise and fall (the end at the time the export gives, which is the last
/// motion seen), door open and close as the contact's levels, a button press as a press
/// and release 200 ms later (its `button-release`, if any, only shows that the device was
/// up); readings, faults and recoveries as they are. Events the engine derives itself
/// (heat band, VOC rise) only show that the device was up. The
/// recording's clock is the zone of its first line.
enum KizunaEventReader {
    enum What { case level(Bool), press, reading, fault, recovered, derived }

    static func read(_ b: UnsafeBufferPointer<UInt8>, file: String, into builder: inout RecordingBuilder, lenient: Bool) throws(RecordingError) {
        try forEachRecordLine(b, file: file, into: &builder, lenient: lenient) { start, end, builder, bad in
            var scanner = JSONObjectScanner(b, start, end)
            var at = (lo: -1, hi: -1), sensor = (lo: -1, hi: -1), kind = (lo: -1, hi: -1), value = (lo: -1, hi: -1)
            while let m = scanner.next() {
                if b.matches(m.keyLo, m.keyHi, "at"), m.kind == .string {
                    at = (m.valueLo, m.valueHi)
                } else if b.matches(m.keyLo, m.keyHi, "sensor"), m.kind == .string {
                    sensor = (m.valueLo, m.valueHi)
                } else if b.matches(m.keyLo, m.keyHi, "kind"), m.kind == .string {
                    kind = (m.valueLo, m.valueHi)
                } else if b.matches(m.keyLo, m.keyHi, "value"), m.kind == .other {
                    value = (m.valueLo, m.valueHi)
                }
            }
            guard !scanner.failed else { return bad("not a well-formed JSON object") }
            guard at.lo >= 0 else { return bad("no \"at\"") }
            guard sensor.lo >= 0 else { return bad("no \"sensor\"") }
            guard kind.lo >= 0 else { return bad("no \"kind\"") }
            let clock = builder.clock ?? zone(b, at.lo, at.hi)
            guard let wall = ByteTime.parse(b, at.lo, at.hi, defaultOffset: clock) else {
                return bad("bad time '\(b.text(at.lo, at.hi))'")
            }
            if builder.clock == nil { builder.clock = clock }
            let what: What
            // A stray trigger is the PIR's output all the same: the replay's engine judges it again.
            if b.matches(kind.lo, kind.hi, "motion-start") || b.matches(kind.lo, kind.hi, "door-open")
                || b.matches(kind.lo, kind.hi, "stray-motion-start") {
                what = .level(true)
            } else if b.matches(kind.lo, kind.hi, "motion-end") || b.matches(kind.lo, kind.hi, "door-close")
                        || b.matches(kind.lo, kind.hi, "stray-motion-end") {
                what = .level(false)
            } else if b.matches(kind.lo, kind.hi, "button") {
                what = .press
            } else if b.matches(kind.lo, kind.hi, "reading") {
                what = .reading
            } else if b.matches(kind.lo, kind.hi, "fault") {
                what = .fault
            } else if b.matches(kind.lo, kind.hi, "recovered") {
                what = .recovered
            } else if b.matches(kind.lo, kind.hi, "heat-band") || b.matches(kind.lo, kind.hi, "voc-rise")
                        || b.matches(kind.lo, kind.hi, "button-release") {
                what = .derived
            } else {
                return bad("unknown kind '\(b.text(kind.lo, kind.hi))'")
            }
            let slot: Int32
            if case .derived = what { slot = -1 } else { slot = builder.table.slot(b, sensor.lo, sensor.hi) }
            guard slot >= 0 else {
                builder.otherEvent(at: wall)
                return
            }
            let id = SensorID(UInt16(slot))
            let t = Recording.stamp(wall)
            switch what {
            case .level(let high):
                builder.level(slot, high: high, at: wall)
            case .press:
                builder.level(slot, high: true, at: wall)
                builder.level(slot, high: false, at: wall + .milliseconds(200))
            case .reading, .fault:
                guard value.lo >= 0, let v = Double(b.text(value.lo, value.hi)) else { return bad("no numeric \"value\"") }
                if case .reading = what {
                    builder.add(.reading(id, value: v, at: t))
                } else {
                    let code = v >= 0 && v < 256 ? SensorFault(rawValue: UInt8(v)) : nil
                    builder.add(.fault(id, code ?? .offline, at: t))
                }
            case .recovered:
                builder.add(.recovered(id, at: t))
            case .derived:
                break
            }
        }
    }

    /// The zone written at the end of an ISO-8601 time (`Z`, `+09:00`), UTC if none.
    static func zone(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> UTCOffset {
        if hi > lo, b[hi - 1] == 90 { return .utc }
        if hi - lo > 6, b[hi - 6] == 43 || b[hi - 6] == 45, let o = UTCOffset(parsing: b.text(hi - 6, hi)) { return o }
        return .utc
    }
}
