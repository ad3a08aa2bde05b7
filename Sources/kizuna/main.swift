import ArgumentParser
import Foundation
import KizunaCore
import KizunaHardware
import KizunaRuntime
import KizunaStore

/// Exit status when the hardware the config needs is not there (sysexits' EX_UNAVAILABLE):
/// systemd restarts the service and it tries again.
let exitHardwareUnavailable: Int32 = 69

func loadInstallation(_ file: String, boards: String?, shortTimers: Bool = false) throws -> Installation {
    let installation: Installation
    do {
        installation = try ConfigLoader.load(file: file, boardsDirectory: BoardsDirectory.locate(explicit: boards), shortTimers: shortTimers)
    } catch {
        throw fail(error)
    }
    for w in installation.warnings { StandardOutput.error("kizuna: warning: \(w)\n") }
    return installation
}

struct Kizuna: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kizuna",
        abstract: "Watch-over runtime for a flat: confirms that the resident is moving around and calls for help early.",
        subcommands: [RunCommand.self, DemoCommand.self, ReplayCommand.self, EvaluateCommand.self, CheckConfig.self, GPIOCheckCommand.self,
                      ExportCommand.self, AlarmCommand.self, I2CScanCommand.self, ShellCommand.self, PINHashCommand.self]
    )
}

/// A recording for `replay` and `evaluate`: a mapping or recording error exits 2 naming the
/// file and line; lines skipped (`--lenient`) and mapped sensors never seen are said on stderr.
func loadRecording(files: [String], format: RecordingFormat, map: String?, lenient: Bool) throws -> Recording {
    let recording: Recording
    do {
        recording = try RecordingLoader.load(files: files, format: format, mapping: map, lenient: lenient)
    } catch let e as ConfigError {
        throw fail(e)
    } catch {
        StandardOutput.error("kizuna: \(error)\n")
        throw ExitCode(2)
    }
    if recording.skipped > 0 { StandardOutput.error("kizuna: warning: \(recording.skipped) broken lines skipped (--lenient)\n") }
    for key in recording.unseenMapped {
        StandardOutput.error("kizuna: warning: \(map ?? "mapping"): sensors.\(key) never occurs in the recording (misspelt?)\n")
    }
    return recording
}

/// Prints a config error and gives exit status 2 (the input is wrong, not the program).
func fail(_ error: ConfigError) -> ExitCode {
    StandardOutput.error("kizuna: \(error)\n")
    return ExitCode(2)
}

/// The options every command that reads an installation config shares.
struct InstallationOptions: ParsableArguments {
    @Option(help: "Installation config.")
    var config = "/etc/kizuna/kizuna.yaml"

    @Option(help: "The boards/ folder (default: found automatically).")
    var boards: String?

    @Flag(help: .hidden)
    var shortTimers = false

    func load() throws -> Installation { try loadInstallation(config, boards: boards, shortTimers: shortTimers) }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole runtime on the simulated board, playing a scenario.",
        discussion: "By default a simulated day (a collapse at 14:00) plays in about 24 seconds."
    )

    @Option(help: "Scenario name from boards/sim/scenarios, or a path to a scenario file.")
    var scenario = "collapse-day"

    @Option(help: ArgumentHelp("Virtual seconds per real second, or 'max'.", valueName: "N|max"))
    var speed = "3600"

    @Flag(help: "One JSON object per line for each state change and alarm step; nothing else on stdout.")
    var json = false

    @Option(help: "Installation config (default: boards/sim/kizuna.yaml).")
    var config: String?

    @Option(help: "The boards/ folder (default: found automatically).")
    var boards: String?

    @Flag(help: "List the scenarios and exit.")
    var listScenarios = false

    @Option(help: "Keep the flat's record in this SQLite file; a second run resumes from it (a simulated restart).")
    var store: String?

    @Option(help: ArgumentHelp("With --store: how long the simulated device was down before resuming.", valueName: "duration"))
    var downtime = "1m"

    @Option(help: .hidden)
    var debugStall: String?

    @Flag(help: .hidden)
    var shortTimers = false

    @Option(help: .hidden)
    var debugKillAt: String?

    func run() throws {
        if listScenarios {
            guard let dir = BoardsDirectory.locate(explicit: boards) else { throw fail(ConfigError(file: "boards", line: nil, key: "", message: "no boards/ folder found")) }
            for name in ScenarioLoader.available(boards: dir) { print(name) }
            return
        }
        let speedValue: Double?
        if speed == "max" {
            speedValue = nil
        } else if let v = Double(speed), v >= 1, v <= 10_000_000 {
            speedValue = v
        } else {
            throw ValidationError("--speed: expected a number from 1 to 10000000, or 'max'; got '\(speed)'")
        }
        var demo: Demo
        do {
            demo = try makeDemo(speed: speedValue)
        } catch {
            throw fail(error)
        }
        demo.storePath = store
        guard let down = DurationText.parse(downtime) else {
            throw ValidationError("--downtime: expected a duration such as 10m or 5h, got '\(downtime)'")
        }
        demo.downtime = down
        if let debugKillAt {
            guard let t = CivilTime.parseISO8601(debugKillAt, defaultOffset: demo.installation.settings.utcOffset) else {
                throw ValidationError("--debug-kill-at: an ISO-8601 time")
            }
            demo.killAt = t
        }
        if let debugStall {
            // AFTER:DURATION in real time, e.g. 1500ms:2s
            let parts = debugStall.split(separator: ":").map { DurationText.parse(String($0)) }
            guard parts.count == 2, let a = parts[0], let d = parts[1] else { throw ValidationError("--debug-stall: AFTER:DURATION") }
            demo.stall = (.nanoseconds(a.nanoseconds), .nanoseconds(d.nanoseconds))
        }
        do {
            _ = try demo.run()
        } catch {
            StandardOutput.error("kizuna: store \(store ?? ""): \(error)\n")
            throw ExitCode(1)
        }
    }

    func makeDemo(speed: Double?) throws(ConfigError) -> Demo {
        let (installation, scenario) = try Demo.load(config: config, scenario: scenario, boards: boards, shortTimers: shortTimers)
        return Demo(installation: installation, scenario: scenario, speed: speed,
                    style: json ? .json : .text, statusLine: !json && StandardOutput.isTerminal)
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Play a recording through the same engine as the device, in virtual time, as fast as it can.",
        discussion: """
            Times (--cut-at, --until, and every line printed) are on the recording's own clock: UTC for NEARS, \
            the file's local times read as UTC for CASAS, the zone of the file for kizuna. A stretch with no event \
            at all longer than --gap is reported as the system offline, never as an inactive resident.
            """
    )

    @Argument(help: "The recording's files (for nears: the day files, or their folder).")
    var files: [String]

    @Option(help: ArgumentHelp("casas, nears or kizuna.", valueName: "format"))
    var format: String

    @Option(help: ArgumentHelp("A mapping file (YAML): which sensors are PIRs, the door, activity contacts, ignored.", valueName: "file"))
    var map: String?

    @Option(help: "Installation config whose thresholds to use (its sensors are replaced by the recording's).")
    var config: String?

    @Option(help: "The boards/ folder (default: found automatically).")
    var boards: String?

    @Option(help: ArgumentHelp("Drop every event after this time (the resident stops).", valueName: "time"))
    var cutAt: String?

    @Option(help: ArgumentHelp("Keep the clock running to this time, so that timers fire after the last event.", valueName: "time"))
    var until: String?

    @Flag(help: "One JSON object per line for each state change, alarm step and gap, and a summary line.")
    var json = false

    @Flag(help: "Skip and count broken lines instead of stopping at the first.")
    var lenient = false

    @Option(help: ArgumentHelp("No event at all for longer than this is a data gap (system offline).", valueName: "duration"))
    var gap = "6h"

    func run() throws {
        guard let recordingFormat = RecordingFormat(rawValue: format) else {
            throw ValidationError("--format: expected casas, nears or kizuna; got '\(format)'")
        }
        guard let gapLimit = DurationText.parse(gap), gapLimit > .zero else {
            throw ValidationError("--gap: expected a duration such as 6h or 90m, got '\(gap)'")
        }
        let recording = try loadRecording(files: files, format: recordingFormat, map: map, lenient: lenient)
        let base = try config.map { try loadInstallation($0, boards: boards).settings }
        func time(_ text: String?, _ name: String) throws -> WallTime? {
            guard let text else { return nil }
            guard let t = CivilTime.parseISO8601(text, defaultOffset: recording.clock) else {
                throw ValidationError("\(name): expected an ISO-8601 time such as 2011-06-20T14:00:00, got '\(text)'")
            }
            return t
        }
        let cut = try time(cutAt, "--cut-at"), end = try time(until, "--until")
        let reporter = TimelineReporter(style: json ? .json : .text, sensors: recording.sensors, offset: recording.clock, statusLine: false)
        reporter.showDates = true
        let json = self.json
        let clock = recording.clock
        let outcome = Replay.run(recording, settings: recording.engineSettings(base: base), cutAt: cut, until: end, gapLimit: gapLimit,
                                 observe: { reporter.report($0) },
                                 offline: { from, to in
            if json {
                var j = JSONLine()
                j.add("type", "offline")
                j.add("from", CivilTime.iso8601(from, offset: clock, fractionDigits: 3))
                j.add("to", CivilTime.iso8601(to, offset: clock, fractionDigits: 3))
                reporter.line(j.text)
            } else {
                let a = CivilTime.iso8601(from, offset: clock), b = CivilTime.iso8601(to, offset: clock)
                reporter.line(" \(a.prefix(10)) \(a.dropFirst(11).prefix(8))  offline  no event at all until \(b): the system was offline (not the resident)")
            }
        })
        reporter.finish()
        StandardOutput.write((json ? ReplaySummary.json(outcome, recording: recording) : ReplaySummary.text(outcome, recording: recording)) + "\n")
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate an installation config; exit status 2 with file, line and key if it is wrong."
    )

    @Argument(help: "The kizuna.yaml to check.")
    var file: String

    @Option(help: "The boards/ folder (default: found automatically).")
    var boards: String?

    func run() throws {
        let i: Installation
        do {
            i = try ConfigLoader.load(file: file, boardsDirectory: BoardsDirectory.locate(explicit: boards))
        } catch {
            throw fail(error)
        }
        // What `run` only warns of is still wrong: the technician mends it now.
        if let first = i.warnings.first {
            for w in i.warnings.dropFirst() { StandardOutput.error("kizuna: \(w)\n") }
            throw fail(first)
        }
        do {
            let s = i.settings
            print("\(file): OK — device \(i.deviceID), flat \(i.flatID), board \(i.board.name), \(s.sensors.count) sensors")
            for (index, d) in s.sensors.sensors.enumerated() {
                let line = i.wiring.line(of: SensorID(index)).map { " on \($0)" } ?? ""
                print("  \(d.name)\(line)\(s.inverted[index] ? " (inverted)" : "")")
            }
            for o in i.wiring.outputs { print("  \(o.role.rawValue) on \(o.line)") }
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the runtime on the board's GPIO in real time, until SIGTERM or Ctrl-C."
    )

    @Flag(help: "One JSON object per line for each state change and alarm step.")
    var json = false

    @Flag(help: "JSON lines for every event too, with its kernel time stamp (for tests and diagnosis).")
    var trace = false

    @Flag(help: "Walk test: the buzzer follows every PIR and door contact; prints edge-to-buzzer latency at the end.")
    var walkTest = false

    @Option(help: .hidden)
    var seconds: Double?

    @Option(help: .hidden)
    var walkTestEdges: Int?

    @OptionGroup var installation: InstallationOptions

    func run() throws {
        let installation = try self.installation.load()
        guard !installation.board.isSimulated else {
            StandardOutput.error("kizuna: board '\(installation.board.name)' is simulated; use kizuna demo\n")
            throw ExitCode(2)
        }
        let device: DeviceRun
        do {
            device = try DeviceRun(installation: installation, style: json ? .json : .text, trace: trace, walkTest: walkTest,
                                   walkTestEdges: walkTestEdges, log: SystemLog.write)
        } catch let e as GPIOError {
            StandardOutput.error("kizuna: \(e)\n")
            throw ExitCode(exitHardwareUnavailable)
        } catch {
            StandardOutput.error("kizuna: store: \(error)\n")
            throw ExitCode(1)
        }
        if trace {
            var j = JSONLine()
            j.add("type", "ready")
            j.add("gpio", LinuxGPIO.api)
            j.add("board", installation.board.name)
            StandardOutput.write(j.text + "\n")
        }
        let end = seconds.map { SystemClock().now().monotonic + Span(nanoseconds: Int64($0 * 1e9)) } ?? .never
        device.run(until: end, log: SystemLog.write)
        if walkTest, let l = device.walkTestLatency {
            let text = "latency_us p50=\(Int(l.p50.rounded())) p99=\(Int(l.p99.rounded())) n=\(l.count)"
            if trace || json {
                var j = JSONLine()
                j.add("type", "latency")
                j.add("p50_us", l.p50)
                j.add("p99_us", l.p99)
                j.add("n", l.count)
                StandardOutput.write(j.text + "\n")
            } else {
                StandardOutput.write(text + "\n")
            }
        }
    }
}

struct GPIOCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpio-check",
        abstract: "Show each configured GPIO line: the chip and offset it resolved to, its value, what is missing or busy."
    )

    @OptionGroup var installation: InstallationOptions

    func run() throws {
        let installation = try self.installation.load()
        guard !installation.board.isSimulated else {
            StandardOutput.error("kizuna: board '\(installation.board.name)' is simulated: it has no GPIO lines to check\n")
            throw ExitCode(2)
        }
        print("GPIO through \(LinuxGPIO.api), board \(installation.board.name)")
        let reports = GPIOCheck.check(installation.wiring)
        for r in reports {
            let name = String(r.key.split(separator: ".").dropFirst().joined(separator: "."))
            let place = r.chipPath.map { "\($0) line \(r.offset ?? -1)" + (r.lineName.map { " (\($0))" } ?? "") } ?? r.requested
            let state: String
            switch r.status {
            case .ok: state = r.isOutput ? "output, free" : "value \(r.value.map(String.init) ?? "?")"
            case .missingChip(let label): state = "MISSING: no chip labelled '\(label)'"
            case .missingLine: state = "MISSING: no such line"
            case .busy(let consumer): state = "BUSY: held by '\(consumer)'"
            case .error(let e): state = "ERROR: \(e)"
            }
            print("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(place.padding(toLength: 34, withPad: " ", startingAt: 0)) \(state)")
        }
        let bad = reports.filter { !$0.isUsable }
        if !bad.isEmpty {
            print("\(bad.count) of \(reports.count) lines are not usable")
            throw ExitCode(exitHardwareUnavailable)
        }
        print("all \(reports.count) lines usable")
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the flat's events from the store to standard output (no server needed).",
        discussion: "For a technician with a laptop on the serial console. Times are ISO-8601; without a zone they are read in the flat's time zone."
    )

    @Option(help: "The SQLite file (default: store.path from the config).")
    var store: String?

    @Option(help: "Only events at or after this time.")
    var since: String?

    @Option(help: "Only events before this time.")
    var until: String?

    @Option(help: "Only events after this sequence number (a cursor).")
    var after: Int64 = 0

    @Option(help: "ndjson or csv.")
    var format = "ndjson"

    @OptionGroup var installation: InstallationOptions

    func run() throws {
        let installation = try self.installation.load()
        let offset = installation.settings.utcOffset
        guard let eventFormat = EventFormat(rawValue: format) else { throw ValidationError("--format: expected ndjson or csv, got '\(format)'") }
        func time(_ text: String?, _ name: String) throws -> WallTime? {
            guard let text else { return nil }
            guard let t = CivilTime.parseISO8601(text, defaultOffset: offset) else {
                throw ValidationError("--\(name): expected an ISO-8601 time such as 2026-07-01T09:00:00+09:00, got '\(text)'")
            }
            return t
        }
        let from = try time(since, "since"), to = try time(until, "until")
        guard let path = store ?? installation.store?.path else {
            throw ValidationError("no store: give --store FILE or set store.path in \(self.installation.config)")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            StandardOutput.error("kizuna: no store at \(path)\n")
            throw ExitCode(1)
        }
        let db = try FlatStore(path: path)
        if let header = eventFormat.header { StandardOutput.write(header) }
        try db.exportEvents(after: after, since: from, until: to) { page in
            var text = ""
            for e in page { text += eventFormat.line(e, offset: offset) }
            StandardOutput.write(text)
        }
    }
}

// `run` and `demo` stop on SIGINT/SIGTERM through a signalfd in its loop; the signals must be blocked
// before any thread starts, or a thread that does not block them is killed by them.
if ["run", "demo"].contains(CommandLine.arguments.dropFirst().first) { SignalWatcher.blockInThisProcess() }
Kizuna.main()

struct AlarmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarm",
        abstract: "Alarms of the running runtime.",
        subcommands: [AlarmTestCommand.self]
    )
}

struct AlarmTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send a test alarm through the whole path: the running runtime raises it and delivers it to every sink, marked as a test.",
        discussion: """
            Goes through the runtime's API on this machine (api.listen in the config) with a \
            technician or authority token, read from --token-file or $KIZUNA_TOKEN. Prints the \
            alarm id; watch it arrive at the webhook or Alertmanager, then check \
            /v1/status for the delivery.
            """
    )

    @Option(help: "A file holding the API token (default: $KIZUNA_TOKEN).")
    var tokenFile: String?

    @Option(help: "For https: the CA to trust (default: the API's own certificate from the config).")
    var caFile: String?

    @OptionGroup var installation: InstallationOptions

    func run() throws {
        let installation = try self.installation.load()
        var token = ProcessInfo.processInfo.environment["KIZUNA_TOKEN"] ?? ""
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else { throw ValidationError("--token-file: cannot read \(tokenFile)") }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !token.isEmpty else { throw ValidationError("no token: give --token-file FILE or set KIZUNA_TOKEN") }
        do {
            let endpoint = try TestAlarmRequest.endpoint(for: installation)
            let answer = try TestAlarmRequest.send(to: endpoint, token: token, caFile: caFile ?? installation.api?.certificate)
            print(answer)
        } catch {
            StandardOutput.error("kizuna: \(error)\n")
            throw ExitCode(1)
        }
    }
}

struct I2CScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i2c-scan",
        abstract: "List the addresses that acknowledge on an I2C bus, and the known chip at each.",
        discussion: "Without --bus, every adapter of this machine is scanned. Probing changes nothing on the chips (a quick write, or a byte read where a quick write could harm an EEPROM)."
    )

    @Option(help: "The bus number N of /dev/i2c-N (default: every bus).")
    var bus: Int?

    func run() throws {
        let adapters = I2CScan.adapters()
        let buses = bus.map { n in [(n, LinuxI2CBus.adapterName(n) ?? "?")] } ?? adapters
        guard !buses.isEmpty else {
            StandardOutput.error("kizuna: no I2C adapter (/dev/i2c-*): is the bus enabled (dtparam=i2c_arm=on) and i2c-dev loaded?\n")
            throw ExitCode(69)
        }
        var failed = false
        for (n, name) in buses {
            do {
                let b = try LinuxI2CBus(number: n)
                let found = I2CScan.scan(b)
                print("i2c-\(n) (\(name)): " + (found.isEmpty ? "nothing answers" : "\(found.count) device\(found.count == 1 ? "" : "s")"))
                for f in found {
                    print("  0x\(f.address < 16 ? "0" : "")\(String(f.address, radix: 16))  \(f.chip ?? "unknown chip")")
                }
            } catch {
                StandardOutput.error("kizuna: cannot open /dev/i2c-\(n): \(error)\(error == .io(EACCES) ? " (is this user in the i2c group?)" : "")\n")
                failed = true
            }
        }
        if failed { throw ExitCode(69) }
    }
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "False inactivity alarms over a recording, and detection latency over random cuts, routine vs a 12 h timer.")

    @Argument(help: "Recording files.")
    var files: [String]

    @Option(help: "casas, nears or kizuna.")
    var format: String

    @Option(help: "Sensor mapping file for the recording.")
    var map: String?

    @Option(help: "Installation config for the thresholds (default: built-in defaults with the routine on).")
    var config: String?

    @Option(help: "The boards/ folder (default: found automatically).")
    var boards: String?

    @Option(help: "How many random cuts (the resident stops moving).")
    var cuts: Int = 200

    @Option(help: "Seed of the cut times (same seed, same cuts).")
    var seed: UInt64 = 1

    @Option(help: "Also write every cut (time, away, at night, next sign of life, both latencies) to this file, tab-separated.")
    var perCut: String?

    @Flag(help: "Skip and count broken lines instead of stopping at the first.")
    var lenient = false

    func run() throws {
        guard let f = RecordingFormat(rawValue: format) else {
            throw ValidationError("--format: expected casas, nears or kizuna, got \"\(format)\"")
        }
        guard cuts >= 0 else { throw ValidationError("--cuts: expected a number of cuts, 0 or more, got \(cuts)") }
        let recording = try loadRecording(files: files, format: f, map: map, lenient: lenient)
        // The recording's sensors and its own clock (the night window and the routine's
        // slots are local times of the recording), the config's thresholds: with
        // `routine: off` there, its fixed limits are what is measured against the 12 h timer.
        let settings = recording.engineSettings(base: try config.map { try loadInstallation($0, boards: boards).settings })
        if settings.routine == nil { print("routine: off in \(config ?? "the config"): the column \"routine\" is its fixed limits") }
        let report = Evaluation.run(recording, settings: settings, cuts: cuts, seed: seed)
        print(Evaluation.describe(report), terminator: "")
        for a in report.falseAlarmSteps {
            print("false alarm: \(CivilTime.iso8601(a.at.wall, offset: recording.local)) \(a.kind.rawValue): \(a.reason.describe(recording.sensors))")
        }
        if let perCut {
            let offset = recording.local
            func t(_ w: WallTime?) -> String { w.map { CivilTime.iso8601($0, offset: offset) } ?? "-" }
            func h(_ s: Span?) -> String { s.map { String($0.seconds / 3600) } ?? "miss" }
            var text = "cut\taway\tnight\tnext_sign\troutine_h\tfixed_h\n"
            for c in report.perCut {
                text += "\(t(c.at))\t\(c.away)\t\(c.atNight)\t\(t(c.nextSign))\t\(h(c.routine))\t\(h(c.fixed))\n"
            }
            try text.write(toFile: perCut, atomically: true, encoding: .utf8)
        }
    }
}
