import Foundation
import KizunaCore
import KizunaHardware
import KizunaShell

/// The read-only commands: status, sensors, events, gpio, alarms, clock.
extension ShellSession {
    func statusText() -> String {
        guard let s = host.status.status else { return "the runtime has not published its status yet; try again in a second" }
        var lines: [String] = []
        let up = s.now.monotonic - s.startedMonotonic
        lines.append("device \(s.deviceID), flat \(s.flatID), Kizuna \(s.version), up \(up)")
        let last: String
        if let age = s.lastActivityAge, age > .zero, let at = s.lastActivity {
            last = "\(age) ago (\(clock(at)))"
        } else {
            last = "now"
        }
        lines.append("occupancy \(s.occupancy), last sign of life \(last)")
        lines.append(s.openAlarms.isEmpty ? "alarms: none open"
                     : "alarms: " + s.openAlarms.map { "#\($0.id) \($0.kind) (\($0.phase))" }.joined(separator: ", "))
        let faulty = s.sensors.filter { $0.health != "ok" }
        lines.append("sensors: \(s.sensors.count), " + (faulty.isEmpty ? "all ok" : "faulty: " + faulty.map { "\($0.name) (\($0.health))" }.joined(separator: ", ")))
        if let r = s.routine { lines.append(r.describe()) }
        if let d = s.declaredAbsence { lines.append(Self.declaredLine(d, offset: offset)) }
        lines.append("store: \(s.store)" + (s.storeQueue > 0 ? ", \(s.storeQueue) waiting to be written" : ""))
        for d in s.delivery {
            lines.append("delivery \(d.target): \(d.pending) pending, \(d.delivered) delivered" +
                         (d.consecutiveFailures > 0 ? ", failing (\(d.lastError ?? "?"))" : "") +
                         (d.lastSuccess.map { ", last success \(clock($0))" } ?? ""))
        }
        lines.append("clock: " + (s.clockSynchronised.map { $0 ? "synchronised" : "NOT synchronised (times may be wrong)" } ?? "unknown"))
        let walk = host.commands.onLoop { loop, now in loop.walkTestUntil.map { $0 - now.monotonic } }
        if let walk { lines.append("walk test: on, ends by itself in \(walk)") }
        if let config = host.config, config.hasUnsavedChanges { lines.append("config: unsaved changes (config diff)") }
        return lines.joined(separator: "\n")
    }

    func sensorsText() -> String {
        let s = host.status.status
        let health = Dictionary((s?.sensors ?? []).map { ($0.name, $0.health) }, uniquingKeysWith: { a, _ in a })
        let poller = host.environment
        let (levels, latest, now) = host.commands.onLoop { loop, now in
            (Dictionary(loop.inputs.initialLevels(), uniquingKeysWith: { a, _ in a }), poller?.latest ?? [:], now)
        }
        var lines: [String] = []
        for (i, d) in sensors.sensors.enumerated() {
            let id = SensorID(i)
            let h = health[d.name] ?? "ok"
            if d.kind.isBinary {
                let raw = levels[id]
                let active = raw.map { $0 != host.installation.settings.inverted[i] }
                let state: String
                switch (d.kind, active) {
                case (_, nil): state = "?"
                case (.pir, true?): state = "motion"
                case (.pir, false?): state = "quiet"
                case (.door, true?): state = "open"
                case (.door, false?): state = "closed"
                case (_, true?): state = "pressed"
                case (_, false?): state = "released"
                }
                lines.append(pad(d.name, 20) + pad(state, 9) + h)
            } else if let v = latest[id] {
                let age = now.monotonic - v.at.monotonic
                lines.append(pad(d.name, 20) + pad("\(Self.number(v.calibrated)) \(d.kind.unit)", 12) + pad("(raw \(Self.number(v.raw)))", 15) +
                             pad(h, 4) + " \(age) ago")
            } else if host.installation.environment.contains(where: { $0.sensor == id }) {
                lines.append(pad(d.name, 20) + pad("no reading yet", 27) + h)
            } else {
                lines.append(pad(d.name, 20) + pad("(simulated by the scenario)", 27) + h)
            }
        }
        return lines.joined(separator: "\n")
    }

    func eventsText(_ n: Int) -> String {
        let events: [Event] = host.commands.onEngine { engine, _, _ in
            let ring = engine.ring
            let count = min(n, ring.count)
            return (ring.count - count ..< ring.count).map { ring[oldestFirst: $0] }
        }
        guard !events.isEmpty else { return "no events yet" }
        return events.map { e in
            var line = "\(clock(e.time.wall))  " + pad(sensors.name(e.sensor), 20) + e.kind.name
            if e.kind.hasValue { line += " \(Self.number(e.value))" }
            return line
        }.joined(separator: "\n")
    }

    /// The board's name for a line, if it has one (what the wiring diagram says).
    func lineName(_ reference: LineReference) -> String {
        switch reference {
        case .named(let n): return n
        case .address(let a):
            let names = host.installation.board.chip(a.chipLabel)?.lineNames ?? []
            let name = a.offset < names.count ? names[a.offset] : ""
            return name.isEmpty ? a.description : "\(name) (\(a))"
        }
    }

    func gpioText() -> String {
        let (levels, outputs) = host.commands.onLoop { loop, _ in
            (Dictionary(loop.inputs.initialLevels(), uniquingKeysWith: { a, _ in a }), loop.outputLevels)
        }
        var lines: [String] = []
        for w in host.installation.wiring.inputs {
            let level = levels[w.sensor].map { $0 ? "high" : "low" } ?? "?"
            lines.append(pad(lineName(w.line), 26) + pad(sensors.name(w.sensor), 16) + "input   " + level)
        }
        for w in host.installation.wiring.outputs {
            let level = outputs[w.role].map { $0 ? "high" : "low" } ?? "low"
            lines.append(pad(lineName(w.line), 26) + pad(w.role.rawValue, 16) + "output  " + level)
        }
        return lines.isEmpty ? "no GPIO lines in the config" : lines.joined(separator: "\n")
    }

    func alarmsText() -> String {
        let alarms = host.commands.onEngine { engine, _, _ in engine.openAlarms }
        guard !alarms.isEmpty else { return "no open alarms" }
        return alarms.map { a in
            "#\(a.id)  " + pad(a.kind.rawValue, 22) + pad(a.phase.rawValue, 12) + "since \(clock(a.raisedAt.wall))  " + sensors.name(a.sensor)
        }.joined(separator: "\n")
    }

    /// The status line of a declared absence: until when (date and time: it spans days), by
    /// whom, and whether someone is home under it.
    static func declaredLine(_ d: (until: WallTime, by: String, visitSince: WallTime?, visitEnds: WallTime?), offset: UTCOffset) -> String {
        let minute = { (w: WallTime) in CivilTime.iso8601(w, offset: offset).prefix(16).replacingOccurrences(of: "T", with: " ") }
        guard let since = d.visitSince, let ends = d.visitEnds else { return "declared away until \(minute(d.until)) by \(d.by)" }
        return "declared away until \(minute(d.until)) by \(d.by), someone home since \(minute(since))"
            + " (a visit; her return if still home at \(minute(ends)))"
    }

    /// A change asked while Kizuna is stopping: not done (its steps could no longer be
    /// recorded nor sent).
    static let stoppingText = "Kizuna is stopping: nothing was done; try again once it is back"

    func acknowledge(_ id: UInt64) -> Bool {
        let who = host.actor
        guard let done = host.commands.onEngineChange({ engine, now, out in engine.acknowledge(alarmID: id, by: who, at: now, into: &out) }) else {
            say(Self.stoppingText)
            return false
        }
        say(done ? "alarm #\(id) acknowledged by \(who)" : "alarm ack: no network alarm #\(id) open (a pre-alarm is not acknowledged; alarm list shows them)")
        return done
    }

    func testAlarm() -> Bool {
        let who = host.actor
        let raised = host.commands.onEngineChange { engine, now, out in
            let id = engine.ladder.nextID
            engine.raiseTestAlarm(by: who, at: now, into: &out)
            return id
        }
        guard let id = raised else {
            say(Self.stoppingText)
            return false
        }
        say("test alarm #\(id) raised: every receiver gets it marked as a test")
        return true
    }

    func clockText() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        let boot = Span(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
        let wall = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        var lines = [
            "wall       \(CivilTime.iso8601(wall, offset: offset)) (UTC \(CivilTime.iso8601(wall, offset: .utc)))",
            "monotonic  \(boot) since boot",
            "sync       " + (ClockSync.isSynchronised.map { $0 ? "synchronised (NTP)" : "NOT synchronised: wall times may be wrong until it is" } ?? "unknown"),
            "timezone   \(offset)",
        ]
        if let s = host.status.status, abs((s.now.wall - wall).seconds) > 5 {
            lines.append("runtime    \(CivilTime.iso8601(s.now.wall, offset: offset)) (the runtime's own clock: a demo's virtual time)")
        }
        return lines.joined(separator: "\n")
    }
}
