import Testing
@testable import KizunaShell

@Suite struct CommandTableTests {
    let table = CommandTable.standard

    private func usage(_ line: String) -> (command: String, message: String)? {
        if case .usage(let command, let message) = table.parse(line) {
            return (command, message)
        }
        return nil
    }

    // MARK: Words

    @Test func wordsSplitOnSpacesAndTabs() throws {
        #expect(try CommandWords.split("  events \t 20  ") == ["events", "20"])
        #expect(try CommandWords.split("") == [])
        #expect(try CommandWords.split("   ") == [])
    }

    @Test func wordsKeepSpacesInsideQuotes() throws {
        #expect(try CommandWords.split("config set device.flat \"3-1204  east\"") == ["config", "set", "device.flat", "3-1204  east"])
        #expect(try CommandWords.split("a 'b \"c\" d'") == ["a", "b \"c\" d"])
        #expect(try CommandWords.split("a\"b c\"d") == ["ab cd"])
        #expect(try CommandWords.split("x ''") == ["x", ""])
    }

    @Test func unterminatedQuoteThrows() {
        #expect(throws: CommandWordsError(quote: "\"")) { try CommandWords.split("config set a \"b c") }
        #expect(throws: CommandWordsError(quote: "'")) { try CommandWords.split("it's") }
        #expect(CommandWordsError(quote: "\"").description == "unterminated quote (\")")
    }

    // MARK: Every form

    @Test func everyFormParses() {
        let cases: [(String, ShellRequest)] = [
            ("help", .help(nil)),
            ("help calibrate", .help("calibrate")),
            ("help exit", .help("logout")),
            ("status", .status),
            ("sensors", .sensors),
            ("events", .events(20)),
            ("events 100", .events(100)),
            ("watch", .watch),
            ("walk-test start", .walkTestStart(minutes: 10)),
            ("walk-test start 25", .walkTestStart(minutes: 25)),
            ("walk-test stop", .walkTestStop),
            ("buzzer test", .buzzerTest),
            ("calibrate temp 21.5", .calibrate(.temperature, reference: 21.5, sensor: nil)),
            ("calibrate temperature 21.5 temperature.living", .calibrate(.temperature, reference: 21.5, sensor: "temperature.living")),
            ("calibrate humidity 48", .calibrate(.humidity, reference: 48, sensor: nil)),
            ("calibrate humidity 48.5 humidity.Bath", .calibrate(.humidity, reference: 48.5, sensor: "humidity.Bath")),
            ("calibrate co2 420", .calibrate(.co2, reference: 420, sensor: nil)),
            ("calibrate co2 420 co2.living", .calibrate(.co2, reference: 420, sensor: "co2.living")),
            ("calibrate temp -3.5", .calibrate(.temperature, reference: -3.5, sensor: nil)),
            ("calibrate show", .calibrateShow),
            ("calibrate reset", .calibrateReset(sensor: nil)),
            ("calibrate reset temperature.living", .calibrateReset(sensor: "temperature.living")),
            ("config show", .configShow(section: nil)),
            ("config show rules", .configShow(section: "rules")),
            ("config get alarms.repeat_every", .configGet(key: "alarms.repeat_every")),
            ("config set rules.door_open.night 10m", .configSet(key: "rules.door_open.night", value: "10m")),
            ("config diff", .configDiff),
            ("config save", .configSave),
            ("config revert", .configRevert),
            ("i2c scan", .i2cScan(bus: nil)),
            ("i2c scan 1", .i2cScan(bus: 1)),
            ("gpio", .gpio),
            ("alarm list", .alarmList),
            ("alarm ack 12", .alarmAck(id: 12)),
            ("alarm ack #12", .alarmAck(id: 12)),
            ("alarm test", .alarmTest),
            ("clock", .clock),
            ("logout", .logout),
        ]
        for (line, request) in cases {
            #expect(table.parse(line) == .request(request), "\(line)")
        }
    }

    @Test func blankLinesAreEmpty() {
        #expect(table.parse("") == .empty)
        #expect(table.parse("   \t ") == .empty)
    }

    // MARK: Limits

    @Test func rangesAreInclusiveAtBothEdges() {
        let accepted: [(String, ShellRequest)] = [
            ("events 1", .events(1)),
            ("events 500", .events(500)),
            ("walk-test start 1", .walkTestStart(minutes: 1)),
            ("walk-test start 30", .walkTestStart(minutes: 30)),
            ("i2c scan 0", .i2cScan(bus: 0)),
            ("i2c scan 255", .i2cScan(bus: 255)),
            ("calibrate temp -20", .calibrate(.temperature, reference: -20, sensor: nil)),
            ("calibrate temp 50", .calibrate(.temperature, reference: 50, sensor: nil)),
            ("calibrate humidity 0", .calibrate(.humidity, reference: 0, sensor: nil)),
            ("calibrate humidity 100", .calibrate(.humidity, reference: 100, sensor: nil)),
            ("calibrate co2 400", .calibrate(.co2, reference: 400, sensor: nil)),
            ("calibrate co2 2000", .calibrate(.co2, reference: 2000, sensor: nil)),
        ]
        for (line, request) in accepted {
            #expect(table.parse(line) == .request(request), "\(line)")
        }
        let refused: [(String, String)] = [
            ("events 0", "events"),
            ("events 501", "events"),
            ("walk-test start 0", "walk-test"),
            ("walk-test start 31", "walk-test"),
            ("i2c scan -1", "i2c"),
            ("i2c scan 256", "i2c"),
            ("calibrate temp -20.1", "calibrate"),
            ("calibrate temp 50.1", "calibrate"),
            ("calibrate humidity -0.5", "calibrate"),
            ("calibrate humidity 100.5", "calibrate"),
            ("calibrate co2 399", "calibrate"),
            ("calibrate co2 2001", "calibrate"),
        ]
        for (line, command) in refused {
            #expect(usage(line)?.command == command, "\(line)")
        }
    }

    @Test func numbersMustBePlainDecimals() {
        for word in ["abc", "nan", "NaN", "inf", "-inf", "infinity", "21.5x", "21,5", "1e1", "0x10", "2..1", "1-2", "", "."] {
            #expect(usage("calibrate temp '\(word)'")?.command == "calibrate", "\(word)")
        }
        #expect(CommandTable.decimal("21.5") == 21.5)
        #expect(CommandTable.decimal("+21") == 21)
        #expect(CommandTable.decimal("-0.5") == -0.5)
        #expect(CommandTable.decimal("nan") == nil)
        #expect(CommandTable.decimal("1e3") == nil)
    }

    // MARK: Misuse

    @Test func everyMisuseGivesUsage() {
        let cases: [(String, String, String?)] = [
            ("help a b", "help", "too many arguments"),
            ("status now", "status", "too many arguments"),
            ("sensors all", "sensors", "too many arguments"),
            ("events 10 20", "events", "events: too many arguments"),
            ("events many", "events", "N must be a whole number from 1 to 500, got 'many'"),
            ("watch it", "watch", "too many arguments"),
            ("walk-test", "walk-test", "missing subcommand (start or stop)"),
            ("walk-test strat", "walk-test", "walk-test: unknown 'strat'; did you mean 'start'?"),
            ("walk-test start 5 6", "walk-test", "walk-test start: too many arguments"),
            ("walk-test start ten", "walk-test", "MINUTES must be a whole number from 1 to 30, got 'ten'"),
            ("walk-test stop now", "walk-test", "walk-test stop: too many arguments"),
            ("buzzer", "buzzer", "missing subcommand (test)"),
            ("buzzer ring", "buzzer", "buzzer: unknown 'ring'"),
            ("buzzer test 2", "buzzer", "too many arguments"),
            ("calibrate", "calibrate", "missing subcommand (temp, humidity, co2, show or reset)"),
            ("calibrate tmp 21", "calibrate", "calibrate: unknown 'tmp'; did you mean 'temp'?"),
            ("calibrate temp", "calibrate", "calibrate temp: missing REFERENCE"),
            ("calibrate co2", "calibrate", "calibrate co2: missing PPM"),
            ("calibrate temp abc", "calibrate", "calibrate temp: REFERENCE must be a number from -20 to 50 °C, got 'abc'"),
            ("calibrate humidity 120", "calibrate", "REFERENCE must be a number from 0 to 100 %RH, got '120'"),
            ("calibrate co2 300", "calibrate", "PPM must be a number from 400 to 2000 ppm, got '300'"),
            ("calibrate temp 21 a b", "calibrate", "calibrate temp: too many arguments"),
            ("calibrate show all", "calibrate", "calibrate show: too many arguments"),
            ("calibrate reset a b", "calibrate", "calibrate reset: too many arguments"),
            ("config", "config", "missing subcommand"),
            ("config shwo", "config", "config: unknown 'shwo'; did you mean 'show'?"),
            ("config show a b", "config", "config show: too many arguments"),
            ("config get", "config", "config get: missing KEY"),
            ("config get a b", "config", "config get: too many arguments"),
            ("config set", "config", "config set: missing KEY and VALUE"),
            ("config set alarms.repeat_every", "config", "config set: missing VALUE for 'alarms.repeat_every'"),
            ("config diff x", "config", "too many arguments"),
            ("config save x", "config", "too many arguments"),
            ("config revert x", "config", "too many arguments"),
            ("config set device.flat \"3-1204", "config", "config: unterminated quote (\")"),
            ("i2c", "i2c", "missing subcommand (scan)"),
            ("i2c scan 1 2", "i2c", "i2c scan: too many arguments"),
            ("i2c scan one", "i2c", "BUS must be a whole number from 0 to 255, got 'one'"),
            ("gpio 17", "gpio", "too many arguments"),
            ("alarm", "alarm", "missing subcommand (list, ack or test)"),
            ("alarm ack", "alarm", "alarm ack: missing ID"),
            ("alarm ack x", "alarm", "ID must be a whole number"),
            ("alarm ack -1", "alarm", "ID must be a whole number"),
            ("alarm ack 1 2", "alarm", "alarm ack: too many arguments"),
            ("alarm list all", "alarm", "too many arguments"),
            ("alarm test 2", "alarm", "too many arguments"),
            ("clock utc", "clock", "too many arguments"),
            ("logout now", "logout", "too many arguments"),
            ("exit now", "logout", "too many arguments"),
            ("help nosuch", "help", "help: no command 'nosuch'"),
        ]
        for (line, command, fragment) in cases {
            let result = usage(line)
            #expect(result?.command == command, "\(line)")
            #expect(result?.message.contains("usage: ") == true, "\(line)")
            #expect(result?.message.contains(command) == true, "\(line)")
            if let fragment {
                #expect(result?.message.contains(fragment) == true, "\(line): \(result?.message ?? "no usage")")
            }
        }
    }

    @Test func usageMessageShowsEveryFormAligned() {
        let expected = """
            calibrate temp: REFERENCE must be a number from -20 to 50 °C, got 'abc'
            usage: calibrate temp|humidity REFERENCE [SENSOR]
                   calibrate co2 PPM [SENSOR]
                   calibrate show
                   calibrate reset [SENSOR]
            """
        #expect(table.parse("calibrate temp abc") == .usage(command: "calibrate", message: expected))
        #expect(table.parse("events 1 2") == .usage(command: "events", message: "events: too many arguments\nusage: events [N]"))
    }

    @Test func helpForAnUnknownCommandSuggests() {
        #expect(table.parse("help nosuch") == .usage(command: "help", message: "help: no command 'nosuch'\nusage: help [COMMAND]"))
        #expect(table.parse("help stauts")
            == .usage(command: "help", message: "help: no command 'stauts'; did you mean 'status'?\nusage: help [COMMAND]"))
    }

    // MARK: Names

    @Test func typosGetSuggestions() {
        #expect(table.suggestion(for: "stauts") == "status")
        #expect(table.suggestion(for: "calibrat") == "calibrate")
        #expect(table.suggestion(for: "xyz") == nil)
        #expect(table.suggestion(for: "wlak-test") == "walk-test")
        #expect(table.suggestion(for: "cal") == "calibrate")
        #expect(table.suggestion(for: "s") == nil)
        #expect(table.suggestion(for: "") == nil)
        #expect(table.parse("stauts") == .unknown(word: "stauts", suggestion: "status"))
        #expect(table.parse("xyz 1 2") == .unknown(word: "xyz", suggestion: nil))
    }

    @Test func editDistanceCountsASwapAsOne() {
        #expect(CommandTable.editDistance("stauts", "status") == 1)
        #expect(CommandTable.editDistance("kitten", "sitting") == 3)
        #expect(CommandTable.editDistance("", "abc") == 3)
        #expect(CommandTable.editDistance("gpio", "gpio") == 0)
    }

    @Test func commandNamesIgnoreCase() {
        #expect(table.parse("STATUS") == .request(.status))
        #expect(table.parse("Calibrate TEMP 21.5 Living") == .request(.calibrate(.temperature, reference: 21.5, sensor: "Living")))
        #expect(table.parse("CONFIG SET Device.Flat Value") == .request(.configSet(key: "Device.Flat", value: "Value")))
        #expect(table.parse("Walk-Test Start") == .request(.walkTestStart(minutes: 10)))
    }

    @Test func aliases() {
        #expect(table.parse("exit") == .request(.logout))
        #expect(table.parse("quit") == .request(.logout))
        #expect(table.parse("QUIT") == .request(.logout))
        #expect(table.parse("?") == .request(.help(nil)))
        #expect(table.parse("? config") == .request(.help("config")))
        #expect(table.parse("help ?") == .request(.help("help")))
        #expect(table.spec("exit")?.name == "logout")
    }

    // MARK: Quotes

    @Test func quotedConfigValues() {
        #expect(table.parse("config set device.flat \"3-1204  east\"") == .request(.configSet(key: "device.flat", value: "3-1204  east")))
        #expect(table.parse("config set device.flat '3-1204 east'") == .request(.configSet(key: "device.flat", value: "3-1204 east")))
        #expect(table.parse("config set device.flat 3-1204    east  wing") == .request(.configSet(key: "device.flat", value: "3-1204 east wing")))
        #expect(table.parse("config set device.flat \"\"") == .request(.configSet(key: "device.flat", value: "")))
        #expect(table.parse("calibrate reset \"temp sensor\"") == .request(.calibrateReset(sensor: "temp sensor")))
        #expect(usage("config set device.flat 'east")?.message.hasPrefix("config: unterminated quote (')\nusage: ") == true)
    }

    // MARK: Completion

    private let sensors = ["temperature.living", "humidity.living", "co2.living", "pir.kitchen"]
    private let keys = ["alarms.repeat_every", "alarms.prealarm_grace", "rules.door_open.night", "rules.inactivity.day", "timezone"]

    private func complete(_ text: String) -> [String] {
        table.completions(for: text, sensors: sensors, configKeys: keys)
    }

    @Test func completesCommandNames() {
        #expect(complete("") == table.commands.map(\.name).sorted())
        #expect(complete("c") == ["calibrate", "clock", "config"])
        #expect(complete("ca") == ["calibrate"])
        #expect(complete("CA") == ["calibrate"])
        #expect(complete("w") == ["walk-test", "watch"])
        #expect(complete("zz") == [])
        #expect(complete("help ") == table.commands.map(\.name).sorted())
        #expect(complete("help c") == ["calibrate", "clock", "config"])
        #expect(complete("? ev") == ["events"])
        #expect(complete("help calibrate ") == [])
    }

    @Test func completesSubcommands() {
        #expect(complete("calibrate ") == ["co2", "humidity", "reset", "show", "temp"])
        #expect(complete("calibrate t") == ["temp"])
        #expect(complete("config ") == ["diff", "get", "revert", "save", "set", "show"])
        #expect(complete("config s") == ["save", "set", "show"])
        #expect(complete("walk-test ") == ["start", "stop"])
        #expect(complete("buzzer ") == ["test"])
        #expect(complete("i2c ") == ["scan"])
        #expect(complete("alarm a") == ["ack"])
        #expect(complete("alarm ") == ["ack", "list", "test"])
        #expect(complete("status ") == [])
        #expect(complete("walk-test start ") == [])
        #expect(complete("nosuch ") == [])
    }

    @Test func completesSensorNames() {
        #expect(complete("calibrate temp 21.5 ") == sensors.sorted())
        #expect(complete("calibrate temp 21.5 te") == ["temperature.living"])
        #expect(complete("calibrate humidity 48 h") == ["humidity.living"])
        #expect(complete("calibrate co2 420 ") == sensors.sorted())
        #expect(complete("calibrate reset ") == sensors.sorted())
        #expect(complete("calibrate reset pir") == ["pir.kitchen"])
        #expect(complete("calibrate temp ") == [])
        #expect(complete("calibrate temp 21.5 temperature.living ") == [])
        #expect(complete("calibrate show ") == [])
    }

    @Test func completesConfigKeysAndSections() {
        #expect(complete("config set ") == keys.sorted())
        #expect(complete("config get ") == keys.sorted())
        #expect(complete("config set rules.") == ["rules.door_open.night", "rules.inactivity.day"])
        #expect(complete("config show ") == ["alarms", "rules", "timezone"])
        #expect(complete("config show r") == ["rules"])
        #expect(complete("config set timezone ") == [])
        #expect(complete("config diff ") == [])
    }

    // MARK: Help

    @Test func overviewListsEveryCommand() {
        let overview = table.overview
        for command in table.commands {
            #expect(overview.contains("  \(command.name) "), "\(command.name)")
            #expect(overview.contains(command.summary), "\(command.name)")
        }
        #expect(overview.hasSuffix("help NAME for details; Tab completes"))
        let names = ["help", "status", "sensors", "events", "watch", "walk-test", "buzzer", "calibrate",
                     "config", "i2c", "gpio", "alarm", "clock", "logout"]
        #expect(table.commands.map(\.name) == names)
    }

    @Test func helpTextForEveryCommand() {
        for command in table.commands {
            let text = table.helpText(for: command.name)
            #expect(text != nil, "\(command.name)")
            for line in command.usage {
                #expect(text?.contains(line) == true, "\(command.name): \(line)")
            }
            #expect(text?.hasPrefix("usage: \(command.usage[0])") == true, "\(command.name)")
            #expect(text?.contains(command.help) == true, "\(command.name)")
            #expect(!command.summary.isEmpty && !command.help.isEmpty, "\(command.name)")
        }
        #expect(table.helpText(for: "quit") == table.helpText(for: "logout"))
        #expect(table.helpText(for: "CONFIG") == table.helpText(for: "config"))
        #expect(table.helpText(for: "nosuch") == nil)
    }

    @Test func usageLinesStartWithTheName() {
        for command in table.commands {
            #expect(!command.usage.isEmpty, "\(command.name)")
            for line in command.usage {
                #expect(line == command.name || line.hasPrefix(command.name + " "), "\(line)")
            }
        }
    }

    @Test func helpTextsStateTheFacts() {
        let walk = table.helpText(for: "walk-test") ?? ""
        #expect(walk.contains("any key") && walk.contains("default 10") && walk.contains("30"))
        #expect(table.helpText(for: "watch")?.contains("any key") == true)
        let config = table.helpText(for: "config") ?? ""
        #expect(config.contains("kizuna.yaml.prev") && config.contains("atomically"))
        let calibrate = table.helpText(for: "calibrate") ?? ""
        #expect(calibrate.contains("3 minutes") && calibrate.contains("°C") && calibrate.contains("%RH"))
    }
}
