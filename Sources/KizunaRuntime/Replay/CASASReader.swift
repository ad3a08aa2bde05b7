import KizunaCore

/// Reads WSU CASAS text recordings into a `RecordingBuilder`:
/// `date time sensor location state [label]` (space separated, the AL home) or
/// `date time<TAB>sensor<TAB>state<TAB>[label]` (the CIL homes): any run of spaces and tabs
/// separates the fields, the date from the time too.
///
/// The times carry no zone: they are the home's local clock, read as UTC (offset 0) and
/// printed back the same way, so a replay's output shows the times of the file.
/// The mapping key is `sensor/location` when the line has a location column, else `sensor`.
/// `ON`/`OPEN` is a high level, `OFF`/`CLOSE`/`CLOSED` a low one; lines of ignored sensors
/// (lights, or numeric readings in other CASAS homes) only show that the system was up.
enum CASASReader {
    static func read(_ b: UnsafeBufferPointer<UInt8>, file: String, into builder: inout RecordingBuilder, lenient: Bool) throws(RecordingError) {
        var lo = [Int](repeating: 0, count: 6)
        var hi = [Int](repeating: 0, count: 6)
        try forEachRecordLine(b, file: file, into: &builder, lenient: lenient) { start, end, builder, bad in
            // Up to six whitespace-separated fields.
            var n = 0
            var i = start
            while i < end, n < 6 {
                while i < end, b[i] == 32 || b[i] == 9 { i += 1 }
                guard i < end else { break }
                lo[n] = i
                while i < end, b[i] != 32, b[i] != 9 { i += 1 }
                hi[n] = i
                n += 1
            }
            if n == 0 { return }
            guard n >= 4 else { return bad("expected date, time, sensor and state") }
            guard hi[0] == lo[0] + 10, let wall = ByteTime.parse(b, date: lo[0], time: lo[1], hi[1], defaultOffset: .utc) else {
                return bad("bad date and time '\(b.text(lo[0], hi[1]))'")
            }
            // With a location column: sensor location state [label]; without: sensor state [label].
            let hasLocation = n >= 5 && (isState(b, lo[4], hi[4]) || !isState(b, lo[3], hi[3]))
            let s = hasLocation ? 4 : 3
            let slot = hasLocation ? builder.table.slot(b, lo[2], hi[2], lo[3], hi[3]) : builder.table.slot(b, lo[2], hi[2])
            guard slot >= 0 else {
                // A CIL line whose state is not one (`BedroomABed MAYBE Sleep`) reads as a sensor
                // and a location: if the sensor alone is one the engine has, the state is wrong.
                if hasLocation, !isState(b, lo[4], hi[4]), builder.table.slot(b, lo[2], hi[2]) >= 0 {
                    return bad("unknown state '\(b.text(lo[3], hi[3]))' for \(b.text(lo[2], hi[2])) (expected ON, OFF, OPEN or CLOSE)")
                }
                builder.otherEvent(at: wall)
                return
            }
            guard let high = level(b, lo[s], hi[s]) else {
                return bad("unknown state '\(b.text(lo[s], hi[s]))' for \(builder.table.descriptors[Int(slot)].name) (expected ON, OFF, OPEN or CLOSE)")
            }
            builder.level(slot, high: high, at: wall)
        }
    }

    static func isState(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool { level(b, lo, hi) != nil }

    @inline(__always) static func level(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool? {
        if b.matches(lo, hi, "ON") || b.matches(lo, hi, "OPEN") { return true }
        if b.matches(lo, hi, "OFF") || b.matches(lo, hi, "CLOSE") || b.matches(lo, hi, "CLOSED") { return false }
        return nil
    }
}
