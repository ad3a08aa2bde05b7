import KizunaCore

/// The technician shell's side of the runtime: where its control socket is, the PIN (as a
/// salted hash, never the PIN), and how long an idle session may stay open.
public struct ShellSettings: Sendable, Equatable {
    /// The control socket `kizuna shell` connects to (mode 0660, the runtime's group).
    public var socket = "/run/kizuna/control.sock"
    /// `pbkdf2-sha256$ROUNDS$SALT$HASH` from `kizuna pin-hash`; nil: nobody can log in.
    public var pinHash: String?
    /// A session with no command for this long ends.
    public var idleLogout: Span = .minutes(15)
    /// Wrong PINs in a row that lock the console, and for how long.
    public var lockoutAfter = 5
    public var lockoutFor: Span = .minutes(5)
    public init() {}
}

/// The config's `shell:` section.
enum ShellConfig {
    static func parse(_ node: YAMLNode) throws(ConfigError) -> ShellSettings {
        var s = ShellSettings()
        for (k, v) in try node.mapping(allowed: ["socket", "pin_hash", "idle_logout"]) {
            switch k {
            case "socket":
                let path = try v.string()
                guard path.hasPrefix("/"), path.utf8.count < 100 else {
                    throw v.error("expected an absolute path shorter than 100 bytes (a Unix socket's limit), got \"\(path)\"")
                }
                s.socket = path
            case "pin_hash":
                let text = try v.string()
                guard PINHash(parsing: text) != nil else {
                    throw v.error("expected the output of `kizuna pin-hash` (pbkdf2-sha256$ROUNDS$SALT$HASH), not the PIN itself")
                }
                s.pinHash = text
            default:
                s.idleLogout = try v.span(in: .minutes(1) ... .hours(2))
            }
        }
        return s
    }
}
