import ArgumentParser
import Foundation
import KizunaCore
import KizunaRuntime

struct Kizuna: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kizuna",
        abstract: "Watch-over runtime for a flat: confirms that the resident is moving around and calls for help early.",
        subcommands: [DemoCommand.self, CheckConfig.self]
    )
}

/// Prints a config error and gives exit status 2 (the input is wrong, not the program).
func fail(_ error: ConfigError) -> ExitCode {
    StandardOutput.error("kizuna: \(error)\n")
    return ExitCode(2)
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
        let demo: Demo
        do {
            demo = try makeDemo(speed: speedValue)
        } catch {
            throw fail(error)
        }
        _ = demo.run()
    }

    func makeDemo(speed: Double?) throws(ConfigError) -> Demo {
        let (installation, scenario) = try Demo.load(config: config, scenario: scenario, boards: boards)
        return Demo(installation: installation, scenario: scenario, speed: speed,
                    style: json ? .json : .text, statusLine: !json && StandardOutput.isTerminal)
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
        do {
            let s = i.settings
            print("\(file): OK — device \(i.deviceID), flat \(i.flatID), board \(i.board.name), \(s.sensors.count) sensors")
            for (index, d) in s.sensors.sensors.enumerated() {
                let line = i.wiring.line(of: SensorID(index)).map { " on \($0)" } ?? ""
                print("  \(d.name)\(line)\(s.inverted[index] ? " (inverted)" : "")")
            }
            for (role, line) in i.wiring.outputs { print("  \(role.rawValue) on \(line)") }
        }
    }
}

Kizuna.main()
