#if canImport(Glibc)
import Glibc
#endif

/// A GPIO line that cannot be had, with the config key that asked for it.
public struct GPIOError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case chipNotFound(label: String)
        case lineNotFound(name: String)
        case offsetOutOfRange
        /// Another process holds the line (EBUSY); its consumer name when the kernel says.
        case busy(consumer: String)
        /// Two keys of the config on one line (a pin and a line name the kernel gives the
        /// same GPIO): found before any request, never reported as busy held by 'kizuna'.
        case sameLine(as: String)
        case system(errno: Int32)
    }

    public var kind: Kind
    /// The config key, e.g. `sensors.pir.living`.
    public var key: String
    public var line: String

    public init(kind: Kind, key: String, line: String) {
        self.kind = kind
        self.key = key
        self.line = line
    }

    public var description: String {
        switch kind {
        case .chipNotFound(let label):
            return "\(key): no GPIO chip labelled '\(label)' (for \(line)); is the board profile right, and the driver loaded?"
        case .lineNotFound(let name):
            return "\(key): no GPIO line named '\(name)' on any chip"
        case .offsetOutOfRange:
            return "\(key): \(line) does not exist on that chip"
        case .busy(let consumer):
            return "\(key): \(line) is busy: held by another process" + (consumer.isEmpty ? "" : " ('\(consumer)')") +
                "; stop it or choose another line"
        case .sameLine(let other):
            return "\(key): \(line) is also \(other)'s (a pin and a line name for the same GPIO?): one line cannot be two inputs or outputs"
        case .system(let e):
            return "\(key): \(line): \(String(cString: strerror(e)))"
        }
    }
}
