import Foundation
import KizunaCore
import KizunaHardware
import KizunaShell

/// One command of a logged-in session: its output goes to the connection as it is made
/// (`watch` and the walk test stream until a key or their limit).
struct ShellSession {
    let host: ShellHost
    let connection: ControlConnection

    var offset: UTCOffset { host.installation.settings.utcOffset }
    var sensors: SensorRegistry { host.installation.sensors }

    func say(_ text: String) {
        connection.send(.init(out: text.hasSuffix("\n") ? text : text + "\n"))
    }

    /// Runs a request; false when it failed (the client shows the prompt either way).
    func execute(_ request: ShellRequest) -> Bool {
        switch request {
        case .help(let name):
            if let name {
                guard let text = host.table.helpText(for: name) else {
                    say("help: no command '\(name)'")
                    return false
                }
                say(text)
            } else {
                say(host.table.overview)
            }
            return true
        case .status: say(statusText()); return true
        case .sensors: say(sensorsText()); return true
        case .events(let n): say(eventsText(n)); return true
        case .watch: watch(); return true
        case .walkTestStart(let minutes): return walkTest(minutes: minutes)
        case .walkTestStop: return stopWalkTest()
        case .buzzerTest: return buzzerTest()
        case .calibrate(let quantity, let reference, let sensor): return calibrate(quantity, reference: reference, sensor: sensor)
        case .calibrateShow: say(calibrationText()); return true
        case .calibrateReset(let sensor): return resetCalibration(sensor)
        case .configShow(let section): return configShow(section)
        case .configGet(let key): return configGet(key)
        case .configSet(let key, let value): return configSet(key, value)
        case .configDiff: return configDiff()
        case .configSave: return configSave()
        case .configRevert: return configRevert()
        case .i2cScan(let bus): return i2cScan(bus)
        case .gpio: say(gpioText()); return true
        case .alarmList: say(alarmsText()); return true
        case .alarmAck(let id): return acknowledge(id)
        case .alarmTest: return testAlarm()
        case .clock: say(clockText()); return true
        case .logout: return true  // handled by the host
        }
    }

    // MARK: - Formatting

    func clock(_ wall: WallTime) -> String {
        let iso = CivilTime.iso8601(wall, offset: offset)
        return String(iso.split(separator: "T").last?.prefix(8) ?? "")
    }

    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

    static func number(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
}
