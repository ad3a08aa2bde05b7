import Foundation
import KizunaCore
import KizunaShell

/// Lines handed from the loop's thread to a session's thread.
final class LineMailbox: @unchecked Sendable {
    let lock = NSLock()
    var lines: [String] = []
    var ended: String?

    func post(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    func end(_ reason: String) { lock.lock(); ended = reason; lock.unlock() }
    func take() -> (lines: [String], ended: String?) {
        lock.lock()
        defer { lock.unlock() }
        let taken = (lines, ended)
        lines.removeAll()
        return taken
    }
}

/// The commands that follow the flat live: watch, walk test, buzzer test.
extension ShellSession {
    /// Waits up to `seconds` for the technician's key (any message but a command counts);
    /// true when the stream should stop.
    func keyPressed(within seconds: Double) -> Bool {
        switch connection.receive(timeout: seconds) {
        case .timeout: return false
        case .closed, .message: return true
        }
    }

    /// Live updates until a key: new events as they enter the ring, occupancy changes, and
    /// each minute a line of the environment. Ends by itself at the idle limit.
    func watch() {
        say("watching (any key stops)")
        var seen: UInt64 = host.commands.onEngine { engine, _, _ in engine.ring.pushed }
        var state = ""
        let limit = LoginGuard.now() + host.settings.idleLogout.seconds
        while LoginGuard.now() < limit {
            let (events, occupancy, pushed): ([Event], String, UInt64) = host.commands.onEngine { engine, _, _ in
                let ring = engine.ring
                let fresh = Int(min(UInt64(ring.count), ring.pushed - seen))
                return ((ring.count - fresh ..< ring.count).map { ring[oldestFirst: $0] }, engine.state.rawValue, ring.pushed)
            }
            seen = pushed
            if occupancy != state {
                say("occupancy \(occupancy)")
                state = occupancy
            }
            for e in events {
                var line = "\(clock(e.time.wall))  " + pad(sensors.name(e.sensor), 20) + e.kind.name
                if e.kind.hasValue { line += " \(Self.number(e.value))" }
                say(line)
            }
            if keyPressed(within: 1) {
                say("watch stopped")
                return
            }
        }
        say("watch ended: idle for \(host.settings.idleLogout)")
    }

    func walkTest(minutes: Int) -> Bool {
        let mailbox = LineMailbox()
        let names = sensors
        let offset = self.offset
        let started: Span? = host.commands.onLoop { loop, now in
            if let until = loop.walkTestUntil { return until - now.monotonic }
            if loop.walkTest { return .zero }
            loop.startWalkTest(for: .minutes(Int64(minutes)), at: now)
            loop.onWalkTestTrigger = { sensor, active, at in
                let d = names[sensor]
                let what: String
                switch d.kind {
                case .pir: what = active ? "motion" : "motion ends"
                case .door: what = active ? "door opened" : "door closed"
                default: what = active ? "pressed" : "released"
                }
                let time = CivilTime.iso8601(at.wall, offset: offset).split(separator: "T").last.map { String($0.prefix(8)) } ?? ""
                mailbox.post("\(time)  \(d.name)  \(what)")
            }
            loop.onWalkTestEnd = { reason in mailbox.end(reason) }
            return nil
        }
        if let left = started {
            say("walk-test start: a walk test is already running" + (left > .zero ? " (ends by itself in \(left))" : "") + "; walk-test stop ends it")
            return false
        }
        host.log("info: walk test started from the shell for \(minutes)m")
        say("walk test on for \(minutes)m: each PIR, door and button trigger chirps the buzzer and shows here; the alarms' buzzer is held back and the help button calls nobody. Any key stops it.")
        while true {
            let (lines, ended) = mailbox.take()
            for l in lines { say(l) }
            if let reason = ended {
                say(reason == "time limit" ? "walk test ended: time limit (\(minutes)m)" : "walk test ended: \(reason)")
                return true
            }
            if keyPressed(within: 0.2) {
                host.commands.onLoop { loop, now in
                    if loop.walkTest { loop.stopWalkTest(at: now, reason: "stopped by a key") }
                }
                for l in mailbox.take().lines { say(l) }
                say("walk test stopped")
                return true
            }
        }
    }

    func stopWalkTest() -> Bool {
        let wasOn = host.commands.onLoop { loop, now in
            let on = loop.walkTest
            if on { loop.stopWalkTest(at: now, reason: "stopped from another session (walk-test stop)") }
            return on
        }
        say(wasOn ? "walk test stopped" : "no walk test is running")
        return wasOn
    }

    func buzzerTest() -> Bool {
        guard host.installation.wiring.outputs.contains(where: { $0.role == .buzzer }) else {
            say("buzzer test: no buzzer in the config (outputs.buzzer)")
            return false
        }
        let busy: String? = host.commands.onLoop { loop, now in
            if loop.walkTest { return "a walk test is running (it uses the buzzer); walk-test stop first" }
            // An alarm's pattern must not be cut short by a test: it is the resident's warning.
            if loop.engine.buzzer != .off { return "an alarm is sounding it now (alarm list): the buzzer works" }
            loop.testBuzzer(at: now)
            return nil
        }
        if let busy {
            say("buzzer test: \(busy)")
            return false
        }
        say("buzzer: three short beeps now")
        return true
    }
}
