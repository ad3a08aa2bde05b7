import Foundation
import KizunaCore

/// The config as the shell edits it: the file as saved, and the running version (saved plus
/// unsaved changes). Every change is checked by the same loader as the file, so a value the
/// file would refuse is refused here with the same reason, and nothing changes.
public final class LiveConfig: @unchecked Sendable {
    /// What taking a new version over costs: applied at once, or parts that need a restart.
    public struct Outcome: Sendable, Equatable {
        public var restartNeeded: [String]
        /// Why the running engine could not take the new settings (they wait for a restart).
        public var notApplied: String? = nil
        public var summary: String {
            if let notApplied { return "needs a restart to take effect: \(notApplied)" }
            return restartNeeded.isEmpty ? "applied now" : "needs a restart to take effect: \(restartNeeded.joined(separator: ", ")) changed"
        }
    }

    let lock = NSLock()
    public let path: String
    private(set) var saved: ConfigDocument
    private(set) var running: ConfigDocument
    /// The running version, parsed.
    public var current: Installation {
        lock.lock()
        defer { lock.unlock() }
        return parsed
    }
    private var parsed: Installation
    /// The version the runtime started with: sections that need a restart are compared to it.
    let started: ConfigDocument
    /// Takes a validated version over in the running runtime (engine settings, calibration);
    /// returns why the engine could not, if it could not.
    let applyLive: (Installation) -> String?

    public init(installation: Installation, applyLive: @escaping (Installation) -> String?) throws(ConfigError) {
        path = installation.configFile
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: "", message: "cannot read the file")
        }
        saved = ConfigDocument(text: text, file: path)
        running = saved
        started = saved
        parsed = installation
        self.applyLive = applyLive
    }

    /// Sections whose change needs a restart (hardware, store, network, the shell itself).
    static let restartSections = ["device", "board", "timezone", "ring_capacity", "outputs", "store", "api", "delivery", "shell"]

    func parse(_ document: ConfigDocument) throws(ConfigError) -> Installation {
        try ConfigLoader.parse(document.text, file: path, boardsDirectory: parsed.boardsDirectory, shortTimers: parsed.shortTimers)
    }

    /// What differs from the started version in ways the running runtime cannot take over.
    func restartNeeded(_ document: ConfigDocument, _ installation: Installation) -> [String] {
        var parts: [String] = []
        for section in Self.restartSections where (try? document.value(at: section)) != (try? started.value(at: section)) {
            parts.append(section)
        }
        // Sensors: their wiring and chips need a restart; their calibration does not.
        func withoutCalibration(_ d: ConfigDocument) -> String? {
            var d = d
            for name in (parsed.sensors.sensors.map(\.name) + installation.sensors.sensors.map(\.name)) {
                _ = try? d.remove("sensors.\(name).calibration")
            }
            return try? d.value(at: "sensors")
        }
        if withoutCalibration(document) != withoutCalibration(started) { parts.append("sensors") }
        return parts
    }

    func take(_ document: ConfigDocument) throws(ConfigError) -> Outcome {
        let installation = try parse(document)
        return commit(document, installation)
    }

    /// Makes a checked version the running one and applies what can be applied. With other
    /// sensors (the ids may differ) nothing is applied until the restart.
    func commit(_ document: ConfigDocument, _ installation: Installation) -> Outcome {
        let restart = restartNeeded(document, installation)
        running = document
        parsed = installation
        let refused = restart.contains("sensors") ? nil : applyLive(installation)
        return Outcome(restartNeeded: restart, notApplied: refused)
    }

    public func get(_ key: String) throws(ConfigError) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return try running.value(at: key)
    }

    /// The running version's text, or one section of it.
    public func show(_ section: String?) throws(ConfigError) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let section else { return running.text }
        return try running.value(at: section)
    }

    public var keys: [String] {
        lock.lock()
        defer { lock.unlock() }
        return running.scalarPaths()
    }

    /// Changes one value in the running version (not yet saved).
    public func set(_ key: String, to value: String) throws(ConfigError) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        var d = running
        try d.set(key, to: value)
        return try take(d)
    }

    /// Unsaved changes, as -/+ lines.
    public func diff() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return running.diff(from: saved)
    }

    public var hasUnsavedChanges: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running != saved
    }

    /// Writes the running version to the file (atomically; the old file kept as .prev).
    public func save() throws(ConfigError) {
        lock.lock()
        defer { lock.unlock() }
        try ConfigFileWriter.save(running.text, to: path)
        saved = running
    }

    /// Drops unsaved changes; with none, puts the previous saved version back.
    public func revert() throws(ConfigError) -> (what: String, outcome: Outcome) {
        lock.lock()
        defer { lock.unlock() }
        if running != saved {
            let outcome = try take(saved)
            return ("unsaved changes dropped", outcome)
        }
        let previousPath = path + ".prev"
        guard let text = try? String(contentsOfFile: previousPath, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, key: "", message: "nothing to revert: no unsaved changes and no previous version (\(previousPath))")
        }
        let previous = ConfigDocument(text: text, file: path)
        _ = try parse(previous)  // refuse before touching the file
        try ConfigFileWriter.restorePrevious(of: path)
        saved = previous
        let outcome = try take(previous)
        return ("the previous saved version is back in \(path)", outcome)
    }

    /// Changes one key in the saved file and in the running version at once (calibration:
    /// the technician's measurement is kept even if other edits are not saved). `nil` removes it.
    public func setAndSave(_ edits: [(key: String, value: String?)]) throws(ConfigError) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        var file = saved
        var live = running
        for e in edits {
            if let v = e.value {
                try file.set(e.key, to: v)
                try live.set(e.key, to: v)
            } else {
                try file.remove(e.key)
                try live.remove(e.key)
            }
        }
        _ = try parse(file)
        let checked = try parse(live)
        // Nothing to write (a calibration removed that was not there): the file and its
        // `.prev` stay as they are, so `config revert` still undoes the last real change.
        if file.text != saved.text { try ConfigFileWriter.save(file.text, to: path) }
        saved = file
        return commit(live, checked)
    }
}
