import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Saves the config file for `config save` and puts the one before back for `config revert`.
///
/// A power cut at any moment leaves the old file or the new one, whole, never a torn one and
/// never none: the new text goes to a temporary file in the same directory, is synced, and is
/// renamed over the old name. The old file stays as `PATH.prev` (a second name made with
/// link(), then renamed over the older `.prev`), so the last change can be undone.
public enum ConfigFileWriter {
    /// Writes `text` to `path` atomically: a temporary file in the same directory (same mode
    /// as the existing file, else 0640), written and fsynced; the existing file becomes
    /// `path + ".prev"` (replacing an older one); the temporary file is renamed over `path`
    /// and the directory fsynced. On failure the old file is left in place, the temporary
    /// file removed, and the error is `cannot save: <reason>`.
    public static func save(_ text: String, to path: String) throws(ConfigError) {
        var info = stat()
        let exists = stat(path, &info) == 0
        let mode: mode_t = exists ? info.st_mode & 0o7777 : 0o640
        let temporary = temporaryName(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure(path, "cannot save", errno) }
        var failed: Int32? = writeAll(fd, Array(text.utf8))
        // The same owner where allowed (the shell may run as root, the service reads it as
        // its own user), then the same mode (the umask may have narrowed it).
        if failed == nil, exists { _ = fchown(fd, info.st_uid, info.st_gid) }
        if failed == nil, fchmod(fd, mode) != 0 { failed = errno }
        if failed == nil, fsync(fd) != 0 { failed = errno }
        if close(fd) != 0, failed == nil { failed = errno }
        if failed == nil, exists {
            let second = temporaryName(for: path + ".prev")
            if link(path, second) != 0 {
                failed = errno
            } else if rename(second, path + ".prev") != 0 {
                failed = errno
            }
            // Gone after the rename, unless .prev already was this very file (rename then does nothing).
            _ = unlink(second)
        }
        if failed == nil, rename(temporary, path) != 0 { failed = errno }
        if let failed {
            _ = unlink(temporary)
            throw failure(path, "cannot save", failed)
        }
        syncDirectory(of: path)
    }

    /// Puts `path + ".prev"` back as `path` atomically, the current file becoming the new
    /// `.prev` (for `config revert` when there are no unsaved changes). Throws if there is no
    /// `.prev`.
    public static func restorePrevious(of path: String) throws(ConfigError) {
        let previous = path + ".prev"
        guard access(previous, F_OK) == 0 else {
            throw ConfigError(file: path, line: nil, key: "", message: "cannot revert: there is no previous version (\(previous))")
        }
        // Second names for both, then renames: `path` is always there.
        let back = temporaryName(for: path)
        guard link(previous, back) == 0 else { throw failure(path, "cannot revert", errno) }
        var current: String? = nil
        if access(path, F_OK) == 0 {
            let name = temporaryName(for: previous)
            guard link(path, name) == 0 else {
                let e = errno
                _ = unlink(back)
                throw failure(path, "cannot revert", e)
            }
            current = name
        }
        guard rename(back, path) == 0 else {
            let e = errno
            _ = unlink(back)
            if let current { _ = unlink(current) }
            throw failure(path, "cannot revert", e)
        }
        // Gone after the rename, unless `path` already was this very file (rename then does nothing).
        _ = unlink(back)
        if let current {
            let renamed = rename(current, previous) == 0
            let e = errno
            _ = unlink(current)
            // On failure `path` is already the previous version, and `.prev` still holds it too.
            guard renamed else { throw failure(path, "cannot keep the current version as \(previous)", e) }
        }
        syncDirectory(of: path)
    }

    private static func failure(_ path: String, _ what: String, _ error: Int32) -> ConfigError {
        ConfigError(file: path, line: nil, key: "", message: "\(what): \(String(cString: strerror(error)))")
    }

    /// A fresh name next to `path` (same directory, so a rename is atomic).
    private static func temporaryName(for path: String) -> String {
        "\(path).tmp-\(UUID().uuidString)"
    }

    /// Writes all of `bytes`; the errno on failure.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Makes the renames in the directory durable. A failure here is not reported: the new
    /// file is already in place.
    private static func syncDirectory(of path: String) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}
