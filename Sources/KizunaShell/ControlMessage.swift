import Foundation

/// One message on the control socket between `kizuna shell` and the running runtime: a
/// JSON object per line, in both directions. The runtime does the work (and checks the PIN,
/// counts failures, audits); the shell is a terminal for it, so a shell process cannot
/// bypass the login.
///
/// Client to runtime: `{"pin":"…"}`, `{"line":"calibrate temp 21.5"}`, `{"cancel":true}`
/// (stops a running `watch` or walk test), `{"bye":true}`.
/// Runtime to client: `{"hello":…}` on connect, `{"login":…}` after a PIN, `{"out":"…"}`
/// (text, with its own newlines), `{"end":true,"ok":…}` after each command, `{"bye":"…"}`
/// when the runtime ends the session (logout, idle).
public struct ControlMessage: Codable, Equatable, Sendable {
    // Client → runtime
    public var pin: String?
    public var line: String?
    public var cancel: Bool?
    // Runtime → client
    public var hello: Hello?
    public var login: LoginAnswer?
    public var out: String?
    public var end: Bool?
    public var ok: Bool?
    /// Client: leaving. Runtime: the reason the session ended.
    public var bye: String?

    public init(pin: String? = nil, line: String? = nil, cancel: Bool? = nil, hello: Hello? = nil, login: LoginAnswer? = nil,
                out: String? = nil, end: Bool? = nil, ok: Bool? = nil, bye: String? = nil) {
        self.pin = pin
        self.line = line
        self.cancel = cancel
        self.hello = hello
        self.login = login
        self.out = out
        self.end = end
        self.ok = ok
        self.bye = bye
    }

    /// Who answered: shown above the PIN prompt so the technician knows which flat this is.
    public struct Hello: Codable, Equatable, Sendable {
        public var device: String
        public var flat: String
        public var version: String
        /// Whether a PIN is configured at all (without one nobody can log in).
        public var pinSet: Bool
        public init(device: String, flat: String, version: String, pinSet: Bool) {
            self.device = device
            self.flat = flat
            self.version = version
            self.pinSet = pinSet
        }
    }

    public struct LoginAnswer: Codable, Equatable, Sendable {
        /// `ok`, `wrong` or `locked`.
        public var result: String
        public var message: String
        /// After `ok`: names for tab completion.
        public var sensors: [String]?
        public var configKeys: [String]?
        /// Seconds of inactivity after which the session ends.
        public var idleSeconds: Int?
        public init(result: String, message: String, sensors: [String]? = nil, configKeys: [String]? = nil, idleSeconds: Int? = nil) {
            self.result = result
            self.message = message
            self.sensors = sensors
            self.configKeys = configKeys
            self.idleSeconds = idleSeconds
        }
    }

    /// One line of JSON and a newline.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array((try? encoder.encode(self)) ?? Data("{}".utf8))
        bytes.append(0x0A)
        return bytes
    }

    /// Parses one line (without its newline); nil if it is not a message.
    public static func decode(_ line: some Collection<UInt8>) -> ControlMessage? {
        try? JSONDecoder().decode(ControlMessage.self, from: Data(line))
    }
}
