import CKizunaSystem
import Foundation
import KizunaCore

/// Talks to systemd (`Type=notify`): READY=1 once the hardware and the store are up,
/// WATCHDOG=1 from the loop itself at half the interval `WATCHDOG_USEC` asks (so a stuck
/// loop, not only a dead process, gets restarted), STATUS= a line for `systemctl status`,
/// STOPPING=1 on the way out. Does nothing when not started by systemd.
public final class ServiceNotifier {
    /// Half of WATCHDOG_USEC, when the watchdog is on for this process.
    public let watchdogInterval: Duration?
    var lastPing: ContinuousClock.Instant?
    var lastStatus: ContinuousClock.Instant?
    var lastStatusText = ""
    public private(set) var sent: [String] = []
    let keepLog: Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, keepLog: Bool = false) {
        self.keepLog = keepLog
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = .microseconds(Int64(usec / 2))
        } else {
            watchdogInterval = nil
        }
    }

    @discardableResult
    func send(_ message: String) -> Bool {
        if keepLog { sent.append(message) }
        return kz_sd_notify(message) == 1
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func stopping() { send("STOPPING=1") }

    /// Called by the loop after each wake-up.
    public func loopAlive(status: @autoclosure () -> String) {
        let now = ContinuousClock.now
        if let interval = watchdogInterval, lastPing.map({ now - $0 >= interval }) ?? true {
            send("WATCHDOG=1")
            lastPing = now
        }
        if lastStatus.map({ now - $0 >= .seconds(5) }) ?? true {
            lastStatus = now
            let text = status()
            if text != lastStatusText {
                lastStatusText = text
                send("STATUS=\(text)")
            }
        }
    }
}

/// Log lines for the journal: with systemd (JOURNAL_STREAM set) a `<N>` priority prefix,
/// so that `journalctl -u kizuna -p warning` shows what matters; on a terminal, `kizuna: `.
public enum SystemLog {
    static let toJournal = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil

    /// `line` starts with its level: `error: `, `warning: `, `notice: `, `info: ` or `debug: `.
    public static func write(_ line: String) {
        StandardOutput.error(format(line, journal: toJournal) + "\n")
    }

    public static func format(_ line: String, journal: Bool) -> String {
        guard journal else { return "kizuna: " + line }
        let levels: [(String, Int)] = [("error: ", 3), ("warning: ", 4), ("notice: ", 5), ("info: ", 6), ("debug: ", 7)]
        for (prefix, priority) in levels where line.hasPrefix(prefix) {
            return "<\(priority)>" + line.dropFirst(prefix.count)
        }
        return "<5>" + line
    }
}
