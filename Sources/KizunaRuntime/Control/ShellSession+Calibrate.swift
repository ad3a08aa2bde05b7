import Foundation
import KizunaCore
import KizunaHardware
import KizunaShell

/// `calibrate`: the technician holds a reference instrument beside the sensor and tells the
/// shell what it reads. The offset goes into the config file at once (atomically, the old
/// version kept), so it survives a restart, and into the running poller.
extension ShellSession {
    func kind(_ q: CalibrationQuantity) -> SensorKind {
        switch q {
        case .temperature: .temperature
        case .humidity: .humidity
        case .co2: .co2
        }
    }

    /// The I2C sensor meant: the one named, or the only one of that kind.
    func target(_ kind: SensorKind, _ name: String?, _ command: String) -> EnvironmentWire? {
        let candidates = host.installation.environment.filter { $0.kind == kind }
        let names = candidates.map { sensors.name($0.sensor) }
        if let name {
            guard let w = candidates.first(where: { sensors.name($0.sensor) == name }) else {
                say("\(command): '\(name)' is not an I2C \(kind.rawValue) sensor" + (names.isEmpty ? "" : " (these are: \(names.joined(separator: ", ")))"))
                return nil
            }
            return w
        }
        guard candidates.count == 1 else {
            say(candidates.isEmpty ? "\(command): no I2C \(kind.rawValue) sensor in the config"
                : "\(command): there are \(candidates.count) \(kind.rawValue) sensors; name one: \(names.joined(separator: ", "))")
            return nil
        }
        return candidates[0]
    }

    func calibrate(_ quantity: CalibrationQuantity, reference: Double, sensor: String?) -> Bool {
        let command = "calibrate \(quantity == .temperature ? "temp" : quantity.rawValue)"
        let k = kind(quantity)
        guard let wire = target(k, sensor, command) else { return false }
        let name = sensors.name(wire.sensor)
        let poller = host.environment
        if quantity == .co2 {
            let result: Result<Int, I2CError> = host.commands.onLoop { _, now in
                guard let poller else { return .failure(.notSupported("no I2C sensors are polled")) }
                do throws(I2CError) {
                    return .success(try poller.recalibrate(sensor: wire.sensor, referencePPM: Int(reference.rounded()), at: now.monotonic))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let correction):
                say("\(name): forced recalibration to \(Int(reference.rounded())) ppm done, correction \(correction >= 0 ? "+" : "")\(correction) ppm; the chip starts measuring again")
                return true
            case .failure(let e):
                say("\(command): the chip did not recalibrate: \(e) (it needs 3 minutes of measuring in steady air first)")
                return false
            }
        }
        guard let config = host.config else {
            say("\(command): the config file cannot be edited here, so a calibration could not be kept")
            return false
        }
        var (reading, now) = host.commands.onLoop { _, now in (poller?.latest[wire.sensor], now) }
        // Against a value of now: the room may have warmed since a poll minutes ago (a sensor
        // read every 10 min). An older one is replaced by a reading taken at once.
        let fresh = min(max(wire.every * 3, .seconds(10)), .minutes(1))
        if let r = reading, now.monotonic - r.at.monotonic > fresh, let poller {
            let asked = now.monotonic
            host.commands.onLoop { _, now in poller.pollSoon(wire.sensor, at: now.monotonic) }
            for _ in 0..<100 {   // a conversion takes milliseconds (an SCD4x 5 s): up to 10 s
                usleep(100_000)
                (reading, now) = host.commands.onLoop { _, now in (poller.latest[wire.sensor], now) }
                if let r = reading, r.at.monotonic >= asked { break }
            }
        }
        guard let latest = reading else {
            say("\(command): no reading from \(name) yet (or it is faulty): wait for one (sensors shows it) and try again")
            return false
        }
        // A calibration against a value the runtime does not trust would be a made-up one.
        let health = host.status.status?.sensors.first { $0.name == name }?.health ?? "ok"
        guard health == "ok" else {
            say("\(command): \(name) is not healthy (\(health)); fix it first (sensors shows it)")
            return false
        }
        let age = now.monotonic - latest.at.monotonic
        guard age <= fresh else {
            say("\(command): the last reading from \(name) is \(age) old; wait for a fresh one and try again")
            return false
        }
        let offset = ((reference - latest.raw) * 100).rounded() / 100
        let key = "sensors.\(name).calibration"
        do throws(ConfigError) {
            let outcome = try config.setAndSave([("\(key).points", nil), ("\(key).offset", Self.number(offset))])
            say("\(name): offset \(Self.number(offset)) \(k.unit) (raw \(Self.number(latest.raw)) → \(Self.number(latest.raw + offset)) \(k.unit)); saved to \(config.path)" +
                (outcome.restartNeeded.isEmpty ? "" : "; \(outcome.summary)"))
            return true
        } catch {
            say("\(command): not saved: \(error); nothing changed")
            return false
        }
    }

    func calibrationText() -> String {
        let wires = host.config?.current.environment ?? host.installation.environment
        guard !wires.isEmpty else { return "no I2C sensors in the config" }
        let poller = host.environment
        let latest = host.commands.onLoop { _, _ in poller?.latest ?? [:] }
        return wires.map { w in
            let d = sensors[w.sensor]
            let c: String
            switch w.calibration {
            case .none: c = "none"
            case .offset(let o): c = "offset \(Self.number(o)) \(d.kind.unit)"
            case .twoPoint(let r1, let f1, let r2, let f2):
                c = "two points (\(Self.number(r1)) → \(Self.number(f1)), \(Self.number(r2)) → \(Self.number(f2)))"
            }
            let now = latest[w.sensor].map { "raw \(Self.number($0.raw)) → \(Self.number($0.calibrated)) \(d.kind.unit)" } ?? "no reading yet"
            return pad(d.name, 20) + pad(c, 26) + now
        }.joined(separator: "\n")
    }

    func resetCalibration(_ sensor: String?) -> Bool {
        guard let config = host.config else {
            say("calibrate reset: the config file cannot be edited here")
            return false
        }
        let wires = config.current.environment
        let chosen: [EnvironmentWire]
        if let sensor {
            guard let w = wires.first(where: { sensors.name($0.sensor) == sensor }) else {
                say("calibrate reset: '\(sensor)' is not an I2C sensor (calibrate show lists them)")
                return false
            }
            guard w.calibration != .none else {
                say("no calibration on \(sensor): nothing to reset")
                return true
            }
            chosen = [w]
        } else {
            chosen = wires.filter { $0.calibration != .none }
        }
        guard !chosen.isEmpty else {
            say("no calibration to reset")
            return true
        }
        do throws(ConfigError) {
            _ = try config.setAndSave(chosen.map { ("sensors.\(sensors.name($0.sensor)).calibration", nil) })
            say("calibration removed: " + chosen.map { sensors.name($0.sensor) }.joined(separator: ", ") + "; saved to \(config.path)")
            return true
        } catch {
            say("calibrate reset: not saved: \(error); nothing changed")
            return false
        }
    }
}
