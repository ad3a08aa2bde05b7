import KizunaCore

/// Who may call the API and what they may see.
public enum APIRole: String, Sendable, CaseIterable {
    /// The housing authority: alarms, events (as its privacy level allows), acknowledgements.
    case authority
    /// A technician: status and metrics, for installation and repair.
    case technician
}

/// How much of the resident's life a token may see.
public enum PrivacyLevel: String, Sendable, CaseIterable {
    /// Hourly counts, status and alarms; raw events only around an open alarm.
    case summary
    /// Everything.
    case full
}

/// A configured bearer token: only its SHA-256 is stored.
public struct APIToken: Sendable, Equatable {
    public var name: String
    public var role: APIRole
    public var privacy: PrivacyLevel
    /// SHA-256 of the token, 32 bytes.
    public var sha256: [UInt8]

    public init(name: String, role: APIRole, privacy: PrivacyLevel = .summary, sha256: [UInt8]) {
        self.name = name
        self.role = role
        self.privacy = privacy
        self.sha256 = sha256
    }
}

public struct APISettings: Sendable {
    public var host: String
    public var port: Int
    public var tokens: [APIToken]
    /// PEM files; TLS is on when both are given.
    public var certificate: String?
    public var key: String?
    /// Raw events shown to `summary` tokens: this long before an open alarm was raised.
    public var summaryWindow: Span = .hours(2)

    public init(host: String = "127.0.0.1", port: Int = 8080, certificate: String? = nil, key: String? = nil, tokens: [APIToken] = []) {
        self.host = host
        self.port = port
        self.tokens = tokens
        self.certificate = certificate
        self.key = key
    }
}
