import KizunaCore
import KizunaRuntime

/// `replay-speed FILE... --format F`: events per second for parse + replay (what
/// `kizuna replay` does, output aside) and for the replay alone on pre-parsed events.
/// Compare with Python's json module reading the same NEARS files line by line
/// (BENCHMARKS.md).
func benchmarkReplaySpeed(arguments: [String]) throws {
    var files: [String] = []
    var format = RecordingFormat.nears
    var i = 0
    while i < arguments.count {
        if arguments[i] == "--format", i + 1 < arguments.count, let f = RecordingFormat(rawValue: arguments[i + 1]) {
            format = f
            i += 2
        } else {
            files.append(arguments[i])
            i += 1
        }
    }
    if files.isEmpty { files = ["../shared/data/nears-0104"] }
    let t0 = monotonicNow()
    let recording = try RecordingLoader.load(files: files, format: format, mapping: nil, lenient: false)
    let parsed = monotonicNow()
    let settings = recording.engineSettings()
    var outcome = Replay.run(recording, settings: settings)
    let t1 = monotonicNow()
    let parseAndReplay = t1 - t0
    print("replay-speed: \(recording.eventCount) events (\(recording.observations.count) to the engine) over \(fixed(outcome.days, 1)) days, " +
          "\(outcome.gaps.count) gaps, \(outcome.steps.count) alarm steps")
    print("replay-speed: parse \(fixed(parsed - t0, 3)) s + replay \(fixed(t1 - parsed, 3)) s = \(fixed(parseAndReplay, 3)) s, " +
          "\(fixed(Double(recording.eventCount) / parseAndReplay / 1e6, 2)) M events/s")
    // The data gaps are the recording's, found once (as `kizuna evaluate` does for its
    // cuts); then the replay alone, repeated for two seconds.
    let g0 = monotonicNow()
    let gaps = DataGaps(recording, longerThan: .hours(6))
    let gapScan = monotonicNow() - g0
    var times: [Double] = []
    let r0 = monotonicNow()
    repeat {
        let t = monotonicNow()
        outcome = Replay.run(recording, settings: settings, gaps: gaps)
        times.append(monotonicNow() - t)
    } while monotonicNow() - r0 < 2
    times.sort()
    let median = times[times.count / 2], best = times[0]
    print("replay-speed: data gaps found once in \(fixed(gapScan * 1000, 2)) ms (\(gaps.list.count) gaps over \(recording.eventCount) events)")
    // Two rates, both honest: every recorded event is replayed (the ones that feed no sensor
    // still keep the system "up" for the data-gap check), and the observations are what
    // reaches the engine's rules. The median run, and the fastest (the least disturbed by
    // the other tenants of a shared machine).
    for (name, each) in [("median", median), ("fastest", best)] {
        print("replay-speed: replay alone, \(name) of \(times.count) runs: \(fixed(each * 1000, 2)) ms = " +
              "\(fixed(Double(recording.observations.count) / each / 1e6, 1)) M observations/s through the engine, " +
              "\(fixed(Double(recording.eventCount) / each / 1e6, 1)) M recorded events/s replayed")
    }
}
