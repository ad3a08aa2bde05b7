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
        // The configured chips are not probed: a scan's identifying command between the
        // poller's start of a conversion and its read would replace the result. They are
        // listed with what the poller knows of them instead.
        let health = Dictionary((host.status.status?.sensors ?? []).map { ($0.name, $0.health) }, uniquingKeysWith: { a, _ in a })
        var lines: [String] = []
        for n in buses.keys.sorted() {
            let bus = buses[n]!
            let configured = host.installation.environment.filter { $0.bus == n }
            let skip = Set(configured.map(\.address))
            let scan = { () -> (found: [(address: UInt8, chip: String?)], complete: Bool) in
                var found: [(address: UInt8, chip: String?)] = []
                let started = LoginGuard.now()
                for address in UInt8(0x03)...UInt8(0x77) where !skip.contains(address) {
                    // A bus that hangs (a chip holding SDA low) must not hold the shell for minutes.
                    if LoginGuard.now() - started > 2 { return (found, false) }
                    if bus.probe(address) { found.append((address, I2CScan.identify(bus, address))) }
                }
                return (found, true)
            }
            // A simulated bus belongs to the loop's thread; the kernel serialises a real one.
            let result = host.installation.board.isSimulated ? host.commands.onLoop { _, _ in scan() } : scan()
            lines.append("i2c-\(n):" + (result.complete ? "" : " (scan stopped after 2 s: the bus is slow or stuck)"))
            let byAddress = Dictionary(grouping: configured, by: \.address)
            for address in byAddress.keys.sorted() {
                let names = byAddress[address]!.map { sensors.name($0.sensor) }
                let state = names.map { health[$0] ?? "ok" }.allSatisfy { $0 == "ok" } ? "answering" : "faulty: " + (names.compactMap { health[$0] }.first { $0 != "ok" } ?? "")
                lines.append("  \(Self.hex(address))  \(byAddress[address]![0].chip.rawValue) (configured: \(names.joined(separator: ", ")); \(state))")
            }
            for f in result.found {
                lines.append("  \(Self.hex(f.address))  \(f.chip ?? "unknown chip") (not in the config)")
            }
            if configured.isEmpty, result.found.isEmpty { lines.append("  nothing answers") }
        }
        say(lines.joined(separator: "\n"))
        return true
    }

    static func hex(_ a: UInt8) -> String { "0x" + (a < 16 ? "0" : "") + String(a, radix: 16) }
}
