import Foundation
import GRDB
import KizunaCore

/// A store file damaged beyond use (a power cut tearing a page on an SD card that ignores
/// flushes): set aside, never a reason for the device to stop watching.
public enum DamagedStore {
    /// Whether `error` says the file is not a database, or a corrupt one.
    public static func isDamage(_ error: Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB
    }

    /// Renames the file and its WAL and shared-memory files to `PATH.corrupt-STAMP…` (kept
    /// for the technician: `sqlite3 .recover` may save much of it); returns the new name.
    @discardableResult
    public static func setAside(_ path: String, at now: WallTime) throws -> String {
        let stamp = CivilTime.iso8601(now, offset: .utc).filter { $0.isNumber }
        let aside = path + ".corrupt-" + stamp
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
            try fm.moveItem(atPath: path + suffix, toPath: aside + suffix)
        }
        return aside
    }

    /// Opens the store at `path`; a damaged file is set aside and a fresh store opened in its
    /// place (logged as an error: what it remembered is not restored). Other errors (a folder
    /// missing, no permission) are thrown.
    public static func open(_ path: String, at now: WallTime, log: (String) -> Void) throws -> FlatStore {
        do {
            return try FlatStore(path: path)
        } catch where isDamage(error) {
            return try fresh(path, after: error, at: now, log: log)
        }
    }

    /// After `store` failed to read back with `error`: if the file is damaged, it is closed,
    /// set aside, and a fresh store returned; otherwise nil (the store is kept as it is).
    public static func replaceIfDamaged(_ store: FlatStore, after error: Error, at now: WallTime, log: (String) -> Void) throws -> FlatStore? {
        guard isDamage(error) else { return nil }
        try store.close()
        return try fresh(store.path, after: error, at: now, log: log)
    }

    /// Sets the damaged file aside and opens a fresh store at its path.
    static func fresh(_ path: String, after error: Error, at now: WallTime, log: (String) -> Void) throws -> FlatStore {
        let aside = try setAside(path, at: now)
        log("error: store \(path) is damaged (\(error)); set aside as \(aside), a fresh one started: nothing from before is restored")
        return try FlatStore(path: path)
    }
}
