import Crypto

/// Checks bearer tokens against the configured SHA-256 hashes, in constant time: every
/// configured hash is compared in full, whatever matches, so timing tells nothing.
public struct TokenAuthority: Sendable {
    public let tokens: [APIToken]

    public init(tokens: [APIToken]) { self.tokens = tokens }

    public static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    /// The token entry for an `Authorization` header value, or nil.
    public func authenticate(authorization: String?) -> APIToken? {
        guard let header = authorization, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let digest = Self.hash(String(header.dropFirst(7)))
        var found: APIToken?
        for t in tokens {
            var diff: UInt8 = t.sha256.count == digest.count ? 0 : 1
            for i in 0..<min(t.sha256.count, digest.count) { diff |= t.sha256[i] ^ digest[i] }
            if diff == 0 && found == nil { found = t }
        }
        return found
    }
}
