import Foundation
import KizunaCore
import KizunaHardware
import KizunaShell

/// `config` and `i2c scan`.
extension ShellSession {
    func liveConfig(_ command: String) -> LiveConfig? {
        if host.config == nil { say("\(command): the config file could not be read when the runtime started; edit it on disk") }
        return host.config
    }

    func configShow(_ section: String?) -> Bool {
        guard let config = liveConfig("config show") else { return false }
        do throws(ConfigError) {
            guard let text = try config.show(section) else {
                say("config show: no section '\(section ?? "")'")
                return false
            }
            say(text)
            return true
        } catch {
            say("config show: \(error)")
            return false
        }
    }

    func configGet(_ key: String) -> Bool {
        guard let config = liveConfig("config get") else { return false }
        do throws(ConfigError) {
            guard let value = try config.get(key) else {
                say("config get: \(key) is not set (the default applies)")
                return false
            }
            say(value)
            return true
        } catch {
            say("config get: \(error)")
            return false
        }
    }

    func configSet(_ key: String, _ value: String) -> Bool {
        guard let config = liveConfig("config set") else { return false }
        do throws(ConfigError) {
            let outcome = try config.set(key, to: value)
            say("\(key) = \(value): \(outcome.summary); not saved yet (config save writes it, config revert drops it)")
            return true
        } catch {
            say("config set: \(key): refused, nothing changed: \(error)")
            return false
        }
    }

    func configDiff() -> Bool {
        guard let config = liveConfig("config diff") else { return false }
        let lines = config.diff()
        say(lines.isEmpty ? "no unsaved changes" : lines.joined(separator: "\n"))
        return true
    }

    func configSave() -> Bool {
        guard let config = liveConfig("config save") else { return false }
        guard config.hasUnsavedChanges else {
            say("nothing to save: no unsaved changes")
            return true
        }
        do throws(ConfigError) {
            try config.save()
            say("saved to \(config.path) (the previous version is \(config.path).prev)")
            host.log("info: config saved from the shell")
            return true
        } catch {
            say("config save: \(error)")
            return false
        }
    }

    func configRevert() -> Bool {
        guard let config = liveConfig("config revert") else { return false }
        do throws(ConfigError) {
            let (what, outcome) = try config.revert()
            say("\(what): \(outcome.summary)")
            return true
        } catch {
            say("config revert: \(error)")
            return false
        }
    }

    func i2cScan(_ bus: Int?) -> Bool {
        var buses = host.buses
        if let bus, buses[bus] == nil {
            guard !host.installation.board.isSimulated else {
                say("i2c scan: the simulated board has no bus \(bus) (its buses: \(buses.keys.sorted().map(String.init).joined(separator: ", ")))")
                return false
            }
            do throws(I2CError) {
                buses = [bus: try LinuxI2CBus(number: bus)]
            } catch {
                say("i2c scan: cannot open /dev/i2c-\(bus): \(error)")
                return false
            }
        } else if let bus {
            buses = [bus: buses[bus]!]
        } else if buses.isEmpty {
            guard !host.installation.board.isSimulated else {
                say("i2c scan: no I2C chips in the config of the simulated board")
                return false
            }
            for (n, _) in I2CScan.adapters() {
                if let b = try? LinuxI2CBus(number: n) { buses[n] = b }
            }
            guard !buses.isEmpty else {
                say("i2c scan: no I2C adapter (/dev/i2c-*): is the bus enabled (dtparam=i2c_arm=on) and i2c-dev loaded?")
                return false
            }
        }
        // On the loop: the poller uses the same buses, and a transfer is never interleaved.
        let found = host.commands.onLoop { _, _ in buses.keys.sorted().map { n in (n, I2CScan.scan(buses[n]!)) } }
        var lines: [String] = []
        for (n, devices) in found {
            lines.append("i2c-\(n): " + (devices.isEmpty ? "nothing answers" : "\(devices.count) device\(devices.count == 1 ? "" : "s")"))
            for f in devices {
                let configured = host.installation.environment.filter { $0.bus == n && $0.address == f.address }.map { sensors.name($0.sensor) }
                lines.append("  0x\(f.address < 16 ? "0" : "")\(String(f.address, radix: 16))  \(f.chip ?? "unknown chip")" +
                             (configured.isEmpty ? "" : "  (" + configured.joined(separator: ", ") + ")"))
            }
        }
        say(lines.joined(separator: "\n"))
        return true
    }
}
