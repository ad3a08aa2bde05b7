/// One shell command as the technician sees it: how to type it, what it does, and the words
/// Tab offers after it.
public struct CommandSpec: Sendable, Equatable {
    /// The command's name, e.g. "calibrate".
    public var name: String
    /// One line per form, each starting with the name, e.g. "calibrate temp|humidity REFERENCE [SENSOR]".
    public var usage: [String]
    /// One line for the overview.
    public var summary: String
    /// A few lines: what it does, units, limits, what it changes, examples.
    public var help: String
    /// Subcommand words for completion, e.g. ["temp", "humidity", "co2", "show", "reset"].
    public var words: [String]

    public init(name: String, usage: [String], summary: String, help: String, words: [String] = []) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.help = help
        self.words = words
    }
}

/// What a typed line amounts to.
public enum ShellParse: Equatable, Sendable {
    /// A blank line (or only spaces).
    case empty
    case request(ShellRequest)
    /// A known command used wrongly. `message`: first line what is wrong, then the usage lines
    /// ("usage: " before the first, aligned with seven spaces before the rest).
    case usage(command: String, message: String)
    /// The first word is no command.
    case unknown(word: String, suggestion: String?)
}

/// The shell's commands: parsing, help texts, Tab completion and typo suggestions.
public struct CommandTable: Sendable {
    public let commands: [CommandSpec]

    init(commands: [CommandSpec]) {
        self.commands = commands
    }

    public static let standard = CommandTable(commands: standardCommands)

    /// Other names for commands.
    static let aliases: [String: String] = ["exit": "logout", "quit": "logout", "?": "help"]

    /// Subcommand words accepted but not offered by Tab.
    static let hiddenWords: [String: [String]] = ["calibrate": ["temperature"]]

    /// The command called `name` (any case; aliases resolved).
    public func spec(_ name: String) -> CommandSpec? {
        let word = name.lowercased()
        let canonical = Self.aliases[word] ?? word
        return commands.first { $0.name == canonical }
    }

    // MARK: Parsing

    public func parse(_ line: String) -> ShellParse {
        let scanned = CommandWords.scan(line)
        guard let first = scanned.words.first else {
            return .empty
        }
        guard let command = spec(first) else {
            if first.isEmpty, let quote = scanned.openQuote {
                return .usage(command: "", message: CommandWordsError(quote: quote).description)
            }
            return .unknown(word: first, suggestion: suggestion(for: first))
        }
        if let quote = scanned.openQuote {
            return usage(command, "\(command.name): \(CommandWordsError(quote: quote).description)")
        }
        do {
            return .request(try request(command, Array(scanned.words.dropFirst())))
        } catch let misuse as Misuse {
            return usage(command, misuse.message)
        } catch {
            return usage(command, "\(command.name): \(error)")
        }
    }

    private func usage(_ command: CommandSpec, _ problem: String) -> ShellParse {
        .usage(command: command.name, message: problem + "\n" + Self.usageBlock(command.usage))
    }

    /// "usage: first form" and the other forms aligned under it.
    static func usageBlock(_ lines: [String]) -> String {
        lines.enumerated()
            .map { ($0.offset == 0 ? "usage: " : "       ") + $0.element }
            .joined(separator: "\n")
    }

    private func request(_ command: CommandSpec, _ args: [String]) throws -> ShellRequest {
        let name = command.name
        switch name {
        case "help":
            try Self.noMore(args, after: 1, name)
            guard let word = args.first else {
                return .help(nil)
            }
            guard let target = spec(word) else {
                throw Misuse("help: no command '\(word)'" + Self.didYouMean(suggestion(for: word)))
            }
            return .help(target.name)

        case "status":
            try Self.noMore(args, after: 0, name)
            return .status

        case "sensors":
            try Self.noMore(args, after: 0, name)
            return .sensors

        case "events":
            try Self.noMore(args, after: 1, name)
            guard let word = args.first else {
                return .events(20)
            }
            return .events(try Self.wholeNumber(word, "N", 1...500, name))

        case "watch":
            try Self.noMore(args, after: 0, name)
            return .watch

        case "walk-test":
            let sub = try subcommand(args, of: command)
            let label = "\(name) \(sub)"
            let rest = Array(args.dropFirst())
            switch sub {
            case "start":
                try Self.noMore(rest, after: 1, label)
                guard let word = rest.first else {
                    return .walkTestStart(minutes: 10)
                }
                return .walkTestStart(minutes: try Self.wholeNumber(word, "MINUTES", 1...30, label))
            case "stop":
                try Self.noMore(rest, after: 0, label)
                return .walkTestStop
            default:
                throw Misuse("\(name): unknown '\(sub)'")
            }

        case "buzzer":
            let sub = try subcommand(args, of: command)
            try Self.noMore(Array(args.dropFirst()), after: 0, "\(name) \(sub)")
            return .buzzerTest

        case "calibrate":
            let sub = try subcommand(args, of: command)
            let label = "\(name) \(sub)"
            let rest = Array(args.dropFirst())
            switch sub {
            case "show":
                try Self.noMore(rest, after: 0, label)
                return .calibrateShow
            case "reset":
                try Self.noMore(rest, after: 1, label)
                return .calibrateReset(sensor: rest.first)
            default:
                guard let quantity = CalibrationQuantity(word: sub) else {
                    throw Misuse("\(name): unknown '\(sub)'")
                }
                let valueName = quantity == .co2 ? "PPM" : "REFERENCE"
                guard let word = rest.first else {
                    throw Misuse("\(label): missing \(valueName) (\(quantity.rangeText))")
                }
                try Self.noMore(rest, after: 2, label)
                guard let value = Self.decimal(word), quantity.referenceRange.contains(value) else {
                    throw Misuse("\(label): \(valueName) must be a number from \(quantity.rangeText), got '\(word)'")
                }
                return .calibrate(quantity, reference: value, sensor: rest.count > 1 ? rest[1] : nil)
            }

        case "config":
            let sub = try subcommand(args, of: command)
            let label = "\(name) \(sub)"
            let rest = Array(args.dropFirst())
            switch sub {
            case "show":
                try Self.noMore(rest, after: 1, label)
                return .configShow(section: rest.first)
            case "get":
                guard let key = rest.first, !key.isEmpty else {
                    throw Misuse("\(label): missing KEY")
                }
                try Self.noMore(rest, after: 1, label)
                return .configGet(key: key)
            case "set":
                guard let key = rest.first, !key.isEmpty else {
                    throw Misuse("\(label): missing KEY and VALUE")
                }
                guard rest.count > 1 else {
                    throw Misuse("\(label): missing VALUE for '\(key)'")
                }
                return .configSet(key: key, value: rest.dropFirst().joined(separator: " "))
            case "diff":
                try Self.noMore(rest, after: 0, label)
                return .configDiff
            case "save":
                try Self.noMore(rest, after: 0, label)
                return .configSave
            case "revert":
                try Self.noMore(rest, after: 0, label)
                return .configRevert
            default:
                throw Misuse("\(name): unknown '\(sub)'")
            }

        case "i2c":
            let sub = try subcommand(args, of: command)
            let label = "\(name) \(sub)"
            let rest = Array(args.dropFirst())
            try Self.noMore(rest, after: 1, label)
            guard let word = rest.first else {
                return .i2cScan(bus: nil)
            }
            return .i2cScan(bus: try Self.wholeNumber(word, "BUS", 0...255, label))

        case "gpio":
            try Self.noMore(args, after: 0, name)
            return .gpio

        case "alarm":
            let sub = try subcommand(args, of: command)
            let label = "\(name) \(sub)"
            let rest = Array(args.dropFirst())
            switch sub {
            case "list":
                try Self.noMore(rest, after: 0, label)
                return .alarmList
            case "ack":
                guard let word = rest.first else {
                    throw Misuse("\(label): missing ID (alarm list shows it)")
                }
                try Self.noMore(rest, after: 1, label)
                let digits = word.hasPrefix("#") ? String(word.dropFirst()) : word
                guard let id = UInt64(digits) else {
                    throw Misuse("\(label): ID must be a whole number as alarm list shows it, got '\(word)'")
                }
                return .alarmAck(id: id)
            case "test":
                try Self.noMore(rest, after: 0, label)
                return .alarmTest
            default:
                throw Misuse("\(name): unknown '\(sub)'")
            }

        case "clock":
            try Self.noMore(args, after: 0, name)
            return .clock

        case "logout":
            try Self.noMore(args, after: 0, name)
            return .logout

        default:
            throw Misuse("\(name): not available here")
        }
    }

    /// The subcommand word (lowercased), or a misuse naming what was expected.
    private func subcommand(_ args: [String], of command: CommandSpec) throws -> String {
        guard let first = args.first else {
            throw Misuse("\(command.name): missing subcommand (\(Self.orList(command.words)))")
        }
        let word = first.lowercased()
        let accepted = command.words + (Self.hiddenWords[command.name] ?? [])
        guard accepted.contains(word) else {
            throw Misuse("\(command.name): unknown '\(first)'" + Self.didYouMean(Self.closest(to: word, in: accepted)))
        }
        return word
    }

    private static func noMore(_ args: [String], after limit: Int, _ label: String) throws {
        if args.count > limit {
            throw Misuse("\(label): too many arguments")
        }
    }

    private static func wholeNumber(_ word: String, _ what: String, _ range: ClosedRange<Int>, _ label: String) throws -> Int {
        guard let value = Int(word), range.contains(value) else {
            throw Misuse("\(label): \(what) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(word)'")
        }
        return value
    }

    /// A plain decimal number: an optional sign, digits, at most one decimal point. No exponent,
    /// no hex, no nan or inf, nothing after it.
    static func decimal(_ word: String) -> Double? {
        var digits = 0
        var points = 0
        for (index, character) in word.enumerated() {
            switch character {
            case "0"..."9":
                digits += 1
            case ".":
                points += 1
            case "-", "+":
                if index != 0 {
                    return nil
                }
            default:
                return nil
            }
        }
        guard digits > 0, points <= 1, let value = Double(word), value.isFinite else {
            return nil
        }
        return value
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    /// "a, b or c"
    static func orList(_ words: [String]) -> String {
        switch words.count {
        case 0: return ""
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " or " + words[words.count - 1]
        }
    }

    // MARK: Help

    /// `help` with no argument: every command with its summary, aligned, then a hint.
    public var overview: String {
        let width = commands.map(\.name.count).max() ?? 0
        var lines: [String] = []
        for command in commands {
            let padding = String(repeating: " ", count: width - command.name.count)
            lines.append("  \(command.name)\(padding)  \(command.summary)")
        }
        lines.append("")
        lines.append("help NAME for details; Tab completes")
        return lines.joined(separator: "\n")
    }

    /// `help NAME`: usage lines, a blank line, the help text. nil for an unknown name.
    public func helpText(for name: String) -> String? {
        guard let command = spec(name) else {
            return nil
        }
        return Self.usageBlock(command.usage) + "\n\n" + command.help
    }

    // MARK: Completion

    /// Candidates for the last (partial) word of `textBeforeCursor`, filtered by it, sorted.
    /// Command and subcommand words match in any case; sensor names and config keys as typed.
    public func completions(for textBeforeCursor: String, sensors: [String], configKeys: [String]) -> [String] {
        let scanned = CommandWords.scan(textBeforeCursor)
        var words = scanned.words
        let partial = scanned.endsOutsideWord ? "" : (words.popLast() ?? "")
        let lowerPartial = partial.lowercased()

        func keywords(_ candidates: [String]) -> [String] {
            Set(candidates.filter { $0.hasPrefix(lowerPartial) }).sorted()
        }
        func names(_ candidates: [String]) -> [String] {
            Set(candidates.filter { $0.hasPrefix(partial) }).sorted()
        }

        let commandNames = commands.map(\.name)
        guard let first = words.first else {
            return keywords(commandNames)
        }
        guard let command = spec(first) else {
            return []
        }
        let args = Array(words.dropFirst())
        switch command.name {
        case "help":
            return args.isEmpty ? keywords(commandNames) : []
        case "calibrate":
            guard let sub = args.first?.lowercased() else {
                return keywords(command.words)
            }
            switch sub {
            case "reset":
                return args.count == 1 ? names(sensors) : []
            case "temp", "temperature", "humidity", "co2":
                return args.count == 2 ? names(sensors) : []
            default:
                return []
            }
        case "config":
            guard let sub = args.first?.lowercased() else {
                return keywords(command.words)
            }
            guard args.count == 1 else {
                return []
            }
            switch sub {
            case "show":
                let sections = configKeys.compactMap { key -> String? in
                    guard let head = key.split(separator: ".", maxSplits: 1).first else {
                        return nil
                    }
                    return String(head)
                }
                return names(sections)
            case "get", "set":
                return names(configKeys)
            default:
                return []
            }
        default:
            return args.isEmpty ? keywords(command.words) : []
        }
    }

    // MARK: Suggestions

    /// The closest command name within edit distance 2 (a swap of two neighbouring letters
    /// counts 1), or else the one command that starts with `word`; nil otherwise.
    public func suggestion(for word: String) -> String? {
        var candidates = commands.map(\.name)
        for (alias, target) in Self.aliases.sorted(by: { $0.key < $1.key }) where alias != "?" && spec(target) != nil {
            candidates.append(alias)
        }
        return Self.closest(to: word, in: candidates)
    }

    /// The candidate nearest `word` (lowercased) within distance 2; on a tie the one `word`
    /// starts, then the first. Without any: the only candidate starting with `word`.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let typed = word.lowercased()
        guard !typed.isEmpty, typed.count <= 64 else {
            return nil
        }
        var best: (name: String, distance: Int, isPrefix: Bool)?
        for candidate in candidates {
            let distance = editDistance(typed, candidate)
            guard distance <= 2 else {
                continue
            }
            let isPrefix = candidate.hasPrefix(typed)
            if let current = best {
                if distance < current.distance || (distance == current.distance && isPrefix && !current.isPrefix) {
                    best = (candidate, distance, isPrefix)
                }
            } else {
                best = (candidate, distance, isPrefix)
            }
        }
        if let best {
            return best.name
        }
        let starting = candidates.filter { $0.hasPrefix(typed) }
        return starting.count == 1 ? starting[0] : nil
    }

    /// Levenshtein distance where swapping two neighbouring characters also counts 1
    /// (optimal string alignment).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let s = Array(a)
        let t = Array(b)
        if s.isEmpty {
            return t.count
        }
        if t.isEmpty {
            return s.count
        }
        var d = Array(repeating: Array(repeating: 0, count: t.count + 1), count: s.count + 1)
        for i in 0...s.count {
            d[i][0] = i
        }
        for j in 0...t.count {
            d[0][j] = j
        }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var value = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    value = min(value, d[i - 2][j - 2] + 1)
                }
                d[i][j] = value
            }
        }
        return d[s.count][t.count]
    }
}

/// A misused command: the first line of the usage message.
private struct Misuse: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}

// MARK: - The commands

extension CommandTable {
    static let standardCommands: [CommandSpec] = [
        CommandSpec(
            name: "help",
            usage: ["help [COMMAND]"],
            summary: "list the commands, or explain one (also ?)",
            help: """
                Without COMMAND: every command with one line about it.
                With COMMAND: how to type it, what it does, its units and limits, and what it
                changes. ? does the same as help.
                Tab completes commands, subcommands, sensor names and config keys.
                Every command you type is recorded in the audit log. The session ends by itself
                after some idle minutes; logout ends it at once.
                Examples: help
                          help calibrate
                """
        ),
        CommandSpec(
            name: "status",
            usage: ["status"],
            summary: "the unit at a glance: sensors, open alarms, clock",
            help: """
                Shows how the unit is doing on one screen: how long it has run, each sensor and
                whether it answers, open alarms, and whether the clock is synchronised.
                Read only: changes nothing.
                Example: status
                """
        ),
        CommandSpec(
            name: "sensors",
            usage: ["sensors"],
            summary: "every sensor with its latest reading",
            help: """
                Lists every configured sensor with its latest reading: motion (PIR) and door
                contacts as on/off, temperature in °C, humidity in %RH, CO2 in ppm. A calibrated
                sensor shows the calibrated and the raw value.
                The names shown are the SENSOR names calibrate takes.
                Read only: changes nothing.
                Example: sensors
                """
        ),
        CommandSpec(
            name: "events",
            usage: ["events [N]"],
            summary: "the last N events (default 20)",
            help: """
                Shows the most recent events from the flat's record: motion, doors, the help
                button, alarms and sensor faults, each with its time.
                N: how many, a whole number from 1 to 500; default 20.
                Read only: changes nothing.
                Examples: events
                          events 100
                """
        ),
        CommandSpec(
            name: "watch",
            usage: ["watch"],
            summary: "show events live as they happen; any key stops",
            help: """
                Prints every event the moment it happens (motion, doors, the help button,
                readings, alarms) until you press any key (or Ctrl-C). Use it to check a sensor
                while you work on it.
                Read only: changes nothing; alarms keep working as usual.
                Example: watch
                """
        ),
        CommandSpec(
            name: "walk-test",
            usage: ["walk-test start [MINUTES]", "walk-test stop"],
            summary: "check PIR, door and button: the buzzer sounds on each trigger",
            help: """
                start: the buzzer sounds on every PIR, door and help-button trigger, and each
                trigger is printed with its sensor name. Walk through every room, open the
                door, press the help button; each sensor should sound. Meanwhile the alarms'
                buzzer is held back, so walking around does not sound a pre-alarm, and the help
                button calls nobody (it is being tested). Other network alarms still go out.
                The test runs until you press any key (or Ctrl-C), and ends by itself after
                MINUTES: a whole number from 1 to 30; default 10 (the help button calls nobody meanwhile, so it cannot be left on for long).
                stop: ends a running walk test early.
                Examples: walk-test start
                          walk-test start 20
                """,
            words: ["start", "stop"]
        ),
        CommandSpec(
            name: "buzzer",
            usage: ["buzzer test"],
            summary: "sound the buzzer once to check it works",
            help: """
                Sounds the buzzer briefly, so you hear that it and its wiring work.
                Tell the resident first, so the sound does not worry them.
                Changes nothing.
                Example: buzzer test
                """,
            words: ["test"]
        ),
        CommandSpec(
            name: "calibrate",
            usage: [
                "calibrate temp|humidity REFERENCE [SENSOR]",
                "calibrate co2 PPM [SENSOR]",
                "calibrate show",
                "calibrate reset [SENSOR]",
            ],
            summary: "match a sensor to a reference instrument (temp, humidity, CO2)",
            help: """
                temp|humidity REFERENCE: put a reference instrument next to the sensor, let both
                settle, and type what the reference shows; the offset is set so the sensor reads
                REFERENCE now. Temperature -20 to 50 °C, humidity 0 to 100 %RH; a decimal point
                is fine (21.5). Raw and calibrated values are both kept.
                co2 PPM: runs the SCD4x forced recalibration, 400 to 2000 ppm. First keep the
                sensor in steady air at the reference for 3 minutes, e.g. outdoors at ~420 ppm.
                SENSOR: the name sensors shows; needed when there is more than one of the kind.
                show: every calibration with its offset.
                reset: removes the calibration (of SENSOR only, when given); readings are raw.
                A calibration is saved to the config file at once and survives a restart.
                Examples: calibrate temp 21.5
                          calibrate humidity 48 humidity.bathroom
                          calibrate co2 420
                """,
            words: ["temp", "humidity", "co2", "show", "reset"]
        ),
        CommandSpec(
            name: "config",
            usage: [
                "config show [SECTION]",
                "config get KEY",
                "config set KEY VALUE",
                "config diff",
                "config save",
                "config revert",
            ],
            summary: "show, change and save settings (kizuna.yaml)",
            help: """
                show [SECTION]: the settings in effect, or one section (e.g. config show rules).
                get KEY: one setting, e.g. config get alarms.repeat_every.
                set KEY VALUE: changes one setting. It is checked like the config file and takes
                effect at once when it can. Quote a value with spaces: "3-1204 east".
                diff: shows the unsaved changes.
                save: writes them to the config file atomically; the previous version is kept as
                kizuna.yaml.prev.
                revert: drops the unsaved changes; with none, goes back to the previous saved
                version (kizuna.yaml.prev).
                Unsaved changes are lost when the unit restarts.
                Examples: config set rules.door_open.night 10m
                          config save
                """,
            words: ["show", "get", "set", "diff", "save", "revert"]
        ),
        CommandSpec(
            name: "i2c",
            usage: ["i2c scan [BUS]"],
            summary: "list the devices answering on an I2C bus",
            help: """
                Probes the addresses on an I2C bus and lists the ones that answer, in hex
                (e.g. 0x76 for a BME280, 0x62 for an SCD4x). Use it to check wiring and addresses.
                BUS: the bus number, 0 to 255 (on a Raspberry Pi the header pins are bus 1);
                without it, the buses the configured sensors use.
                Changes nothing.
                Examples: i2c scan
                          i2c scan 1
                """,
            words: ["scan"]
        ),
        CommandSpec(
            name: "gpio",
            usage: ["gpio"],
            summary: "every configured GPIO line and its level",
            help: """
                Lists every configured GPIO line with its name, pin and current level: inputs
                (PIR, door, help button) and outputs (buzzer, status LED).
                Read only: changes nothing.
                Example: gpio
                """
        ),
        CommandSpec(
            name: "alarm",
            usage: ["alarm list", "alarm ack ID", "alarm test"],
            summary: "list, acknowledge or test alarms",
            help: """
                list: the open alarms, each with its ID.
                ack ID: acknowledges the open alarm ID (from alarm list) as the technician; it
                is no longer sent again. Only do this when someone has dealt with it.
                test: sends a test alarm to every receiver marked as a test, to check delivery
                end to end; other receivers get nothing.
                Examples: alarm list
                          alarm ack 12
                """,
            words: ["list", "ack", "test"]
        ),
        CommandSpec(
            name: "clock",
            usage: ["clock"],
            summary: "wall and monotonic time, and whether the clock is synchronised",
            help: """
                Shows the wall-clock time, the monotonic time, and whether the clock is
                synchronised. Day and night rules follow the wall clock, so check it after
                installing.
                Read only: changes nothing.
                Example: clock
                """
        ),
        CommandSpec(
            name: "logout",
            usage: ["logout"],
            summary: "end the session (also exit, quit)",
            help: """
                Ends this session; exit and quit do the same. A session also ends by itself
                after some idle minutes. The unit keeps running and watching over the flat.
                Example: logout
                """
        ),
    ]
}
