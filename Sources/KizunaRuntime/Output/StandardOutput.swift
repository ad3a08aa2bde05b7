import Foundation

/// Unbuffered writes to standard output and error (a status line must show at once).
public enum StandardOutput {
    public static func write(_ s: String) { writeAll(1, s) }
    public static func error(_ s: String) { writeAll(2, s) }
    public static var isTerminal: Bool { isatty(1) == 1 }

    static func writeAll(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { if errno == EINTR { continue }; return }
            done += n
        }
        bytes.removeAll()
    }
}
