import KizunaCore

/// Reads NEARS / DOMUS hub JSON lines into a `RecordingBuilder`:
/// `{"subject":"door","sensor":"contact","location":"entrance","sentAt":{"$date":"2023-05-03T14:02:23.039Z"},"state":"OPEN",…}`.
///
/// Only `motion` and `contact` events of mapped subjects reach the engine (`ON`/`OPEN`
/// high, `OFF`/`CLOSED` low); every other line (temperature, luminance, tamper, plugs,
/// ignored subjects) only shows that the hub was up. Times are UTC.
enum NEARSReader {
    static func read(_ b: UnsafeBufferPointer<UInt8>, file: String, into builder: inout RecordingBuilder, lenient: Bool) throws(RecordingError) {
        try forEachRecordLine(b, file: file, into: &builder, lenient: lenient) { start, end, builder, bad in
            var scanner = JSONObjectScanner(b, start, end)
            var subject = (lo: -1, hi: -1), sensor = (lo: -1, hi: -1), state = (lo: -1, hi: -1), date = (lo: -1, hi: -1)
            while let m = scanner.next() {
                if b.matches(m.keyLo, m.keyHi, "subject"), m.kind == .string {
                    subject = (m.valueLo, m.valueHi)
                } else if b.matches(m.keyLo, m.keyHi, "sensor"), m.kind == .string {
                    sensor = (m.valueLo, m.valueHi)
                } else if b.matches(m.keyLo, m.keyHi, "state") {
                    state = m.kind == .string ? (m.valueLo, m.valueHi) : (-1, -1)
                } else if b.matches(m.keyLo, m.keyHi, "sentAt"), m.kind == .object {
                    var inner = JSONObjectScanner(b, m.valueLo, m.valueHi)
                    while let d = inner.next() {
                        if d.kind == .string, b.matches(d.keyLo, d.keyHi, "$date") {
                            date = (d.valueLo, d.valueHi)
                            break
                        }
                    }
                }
            }
            guard !scanner.failed else { return bad("not a well-formed JSON object") }
            guard date.lo >= 0 else { return bad("no sentAt.$date") }
            guard let wall = ByteTime.parse(b, date.lo, date.hi, defaultOffset: .utc) else {
                return bad("bad sentAt.$date '\(b.text(date.lo, date.hi))'")
            }
            let binary = sensor.lo >= 0 && (b.matches(sensor.lo, sensor.hi, "motion") || b.matches(sensor.lo, sensor.hi, "contact"))
            guard binary, subject.lo >= 0 else {
                builder.otherEvent(at: wall)
                return
            }
            let slot = builder.table.slot(b, subject.lo, subject.hi)
            guard slot >= 0 else {
                builder.otherEvent(at: wall)
                return
            }
            guard state.lo >= 0, let high = CASASReader.level(b, state.lo, state.hi) else {
                let given = state.lo >= 0 ? "'\(b.text(state.lo, state.hi))'" : "none"
                return bad("unknown state \(given) for \(b.text(subject.lo, subject.hi)) (expected ON, OFF, OPEN or CLOSED)")
            }
            builder.level(slot, high: high, at: wall)
        }
    }
}
