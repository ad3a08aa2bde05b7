import CAllocCounter
import Foundation
import KizunaCore

/// `uci-occupancy [FILE...]`: how well `EnvironmentPresence` (light and CO2 only) agrees with
/// the ground truth of the UCI Occupancy Detection recordings (an office, one row a minute;
/// ../shared/data/uci-occupancy, see ../shared/data/SOURCES.md), next to trivial baselines.
/// For each: the share of minutes that agree, the confusion counts, and the lag: for each
/// change of the ground truth, the minutes until the estimate agrees with it (0 when it
/// already did), counted only if that happens before the ground truth changes again.
/// Each file is replayed through a fresh estimator (the files are separate recordings).
func benchmarkUCIOccupancy(files: [String]) throws {
    guard !files.isEmpty else { throw UCIFormatError(file: "../shared/data/uci-occupancy", line: 0, reason: "no .txt files") }
    var recordings: [(name: String, rows: [UCIRow])] = []
    for path in files {
        let name = path.split(separator: "/").last.map { String($0) } ?? path
        recordings.append((name: name, rows: try readUCIOccupancy(path)))
    }
    let rows = recordings.reduce(0) { $0 + $1.rows.count }
    let occupied = recordings.reduce(0) { $0 + $1.rows.filter(\.occupied).count }
    print("uci-occupancy: \(recordings.count) files, \(rows) rows (one a minute), \(occupied) occupied")

    func instant(_ row: UCIRow) -> MonotonicInstant { MonotonicInstant(nanoseconds: row.seconds * 1_000_000_000) }
    let predictors: [(String, ([UCIRow]) -> [Bool])] = [
        ("estimator", { rows in
            var presence = EnvironmentPresence()
            return rows.map { presence.update(co2: $0.co2, light: $0.light, at: instant($0)) }
        }),
        ("always occupied", { rows in rows.map { _ in true } }),
        ("light ≥ 300 lx", { rows in rows.map { $0.light >= 300 } }),
        ("CO2 ≥ 800 ppm", { rows in rows.map { $0.co2 >= 800 } }),
        ("breathing only (no light sensor)", { rows in
            var presence = EnvironmentPresence()
            return rows.map { presence.update(co2: $0.co2, light: nil, at: instant($0)) }
        }),
    ]
    for (name, predict) in predictors {
        var total = UCITally()
        var lines: [String] = []
        for recording in recordings {
            var tally = UCITally()
            tally.add(recording.rows, predict(recording.rows))
            total.merge(tally)
            lines.append("uci-occupancy: \(name): \(recording.name) \(tally.rows) rows, " +
                         "accuracy \(fixed(100 * tally.accuracy, 2)) %; \(tally.confusion)")
        }
        print("uci-occupancy: \(name): accuracy \(fixed(100 * total.accuracy, 2)) %; \(total.confusion)")
        for line in lines { print(line) }
        for (to, words) in [(true, "empty → occupied"), (false, "occupied → empty")] {
            print("uci-occupancy: \(name): lag \(words): \(total.lagText(to: to, long: false)); " +
                  "of those lasting ≥ 15 min: \(total.lagText(to: to, long: true))")
        }
    }

    // The estimator's own cost: every row of every file, 20 times, nothing stored.
    var present = 0
    let passes = 20
    let allocationsBefore = kz_allocation_count()
    let t0 = monotonicNow()
    for _ in 0..<passes {
        for recording in recordings {
            var presence = EnvironmentPresence()
            for row in recording.rows {
                if presence.update(co2: row.co2, light: row.light, at: instant(row)) { present &+= 1 }
            }
        }
    }
    let elapsed = monotonicNow() - t0
    let allocations = kz_allocation_count() - allocationsBefore
    let updates = passes * rows
    print("uci-occupancy: estimator: \(updates) updates in \(fixed(elapsed, 3)) s = " +
          "\(fixed(elapsed / Double(updates) * 1e9, 1)) ns/update, \(allocations) heap allocations " +
          "(\(present / passes) present per pass)")
}

/// The `.txt` files of the UCI folder, sorted.
func uciOccupancyFiles(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".txt") }.sorted().map { folder + "/" + $0 }
}

/// One minute of a UCI recording: its time and the columns used here.
struct UCIRow {
    var seconds: Int64
    var light: Double
    var co2: Double
    var occupied: Bool
}

struct UCIFormatError: Error, CustomStringConvertible {
    var file: String
    var line: Int
    var reason: String
    var description: String { "\(file):\(line): \(reason)" }
}

/// Reads a UCI file: a header of 7 names, then rows of 8 fields (a row index first):
/// `"140","2015-02-02 14:19:00",23.7,26.272,585.2,749.2,0.0047641630,1` (index, date,
/// temperature, humidity, light, CO2, humidity ratio, occupancy); quotes are optional.
func readUCIOccupancy(_ path: String) throws -> [UCIRow] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var rows: [UCIRow] = []
    for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() where i > 0 {
        if line.allSatisfy({ $0 == " " }) { continue }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { unquoted($0) }
        func fail(_ reason: String) -> UCIFormatError { UCIFormatError(file: path, line: i + 1, reason: reason) }
        guard fields.count == 8 else { throw fail("\(fields.count) fields, expected 8 (index, date, 5 measurements, occupancy)") }
        guard let seconds = uciSeconds(fields[1]) else { throw fail("date `\(fields[1])` is not YYYY-MM-DD HH:MM:SS") }
        guard let light = Double(fields[4]), let co2 = Double(fields[5]) else { throw fail("light `\(fields[4])` or CO2 `\(fields[5])` is not a number") }
        guard fields[7] == "0" || fields[7] == "1" else { throw fail("occupancy `\(fields[7])` is not 0 or 1") }
        rows.append(UCIRow(seconds: seconds, light: light, co2: co2, occupied: fields[7] == "1"))
    }
    return rows
}

private func unquoted(_ field: Substring) -> String {
    var f = field.drop(while: { $0 == " " })
    while f.last == " " { f = f.dropLast() }
    if f.count >= 2, f.first == "\"", f.last == "\"" { f = f.dropFirst().dropLast() }
    return String(f)
}

/// `2015-02-02 14:19:00` (the recording's local clock, taken as UTC) → seconds since 1970.
private func uciSeconds(_ text: String) -> Int64? {
    let u = Array(text.utf8)
    guard u.count == 19, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: " "),
          u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":") else { return nil }
    func number(_ range: Range<Int>) -> Int64? {
        var v: Int64 = 0
        for i in range {
            guard u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int64(u[i] - UInt8(ascii: "0"))
        }
        return v
    }
    guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
          let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19),
          (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
    return CivilTime.days(year: y, month: Int(mo), day: Int(d)) * 86_400 + h * 3600 + mi * 60 + s
}

/// Agreement of one predictor with the ground truth.
struct UCITally {
    var tp = 0, fp = 0, tn = 0, fn = 0
    /// Per direction (index 1: to occupied, 0: to empty): ground-truth changes, and the lags
    /// (minutes) of those the estimate agreed with before the next change; `long`: only the
    /// changes that begin an episode of at least 15 minutes.
    var transitions = [0, 0], longTransitions = [0, 0]
    var lags: [[Int64]] = [[], []], longLags: [[Int64]] = [[], []]

    var rows: Int { tp + fp + tn + fn }
    var accuracy: Double { rows == 0 ? 0 : Double(tp + tn) / Double(rows) }
    var confusion: String { "tp \(tp) fp \(fp) tn \(tn) fn \(fn)" }

    mutating func add(_ rows: [UCIRow], _ predicted: [Bool]) {
        for (row, p) in zip(rows, predicted) {
            switch (row.occupied, p) {
            case (true, true): tp += 1
            case (true, false): fn += 1
            case (false, true): fp += 1
            case (false, false): tn += 1
            }
        }
        let changes = rows.indices.dropFirst().filter { rows[$0].occupied != rows[$0 - 1].occupied }
        for (k, i) in changes.enumerated() {
            let to = rows[i].occupied
            let end = k + 1 < changes.count ? changes[k + 1] : rows.count
            let episodeEnd = end < rows.count ? rows[end].seconds : rows[rows.count - 1].seconds
            let long = episodeEnd - rows[i].seconds >= 15 * 60
            let d = to ? 1 : 0
            transitions[d] += 1
            if long { longTransitions[d] += 1 }
            if let j = (i..<end).first(where: { predicted[$0] == to }) {
                let lag = (rows[j].seconds - rows[i].seconds + 30) / 60
                lags[d].append(lag)
                if long { longLags[d].append(lag) }
            }
        }
    }

    mutating func merge(_ other: UCITally) {
        tp += other.tp; fp += other.fp; tn += other.tn; fn += other.fn
        for d in 0..<2 {
            transitions[d] += other.transitions[d]
            longTransitions[d] += other.longTransitions[d]
            lags[d] += other.lags[d]
            longLags[d] += other.longLags[d]
        }
    }

    func lagText(to: Bool, long: Bool) -> String {
        let d = to ? 1 : 0
        let values = (long ? longLags[d] : lags[d]).sorted()
        let n = long ? longTransitions[d] : transitions[d]
        guard let last = values.last else { return "\(n) changes, none agreed" }
        func rank(_ p: Double) -> Int64 { values[min(values.count - 1, Int(p * Double(values.count)))] }
        return "\(values.count) of \(n) agreed before the next change, median \(rank(0.5)) min, p90 \(rank(0.9)) min, max \(last) min"
    }
}
