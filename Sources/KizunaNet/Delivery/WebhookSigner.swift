import Crypto
import Foundation

/// Signs a webhook body so that the receiver can reject forgeries and replays.
///
/// Headers: `X-Kizuna-Timestamp` (Unix seconds of this attempt) and `X-Kizuna-Signature`
/// (`sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of the timestamp, a
/// full stop, and the exact body bytes). A receiver recomputes it, compares in constant
/// time, and refuses timestamps more than a few minutes from its own clock (a replay).
/// The body, and so its `idempotency_key`, is the same on every attempt; only the
/// timestamp and signature change.
public struct WebhookSigner: Sendable {
    public static let timestampHeader = "X-Kizuna-Timestamp"
    public static let signatureHeader = "X-Kizuna-Signature"
    let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    public func signature(timestamp: Int64, body: [UInt8]) -> String {
        var mac = HMAC<SHA256>(key: SymmetricKey(data: secret))
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: body)
        return "sha256=" + Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }

    public func headers(timestamp: Int64, body: [UInt8]) -> [(String, String)] {
        [(Self.timestampHeader, "\(timestamp)"), (Self.signatureHeader, signature(timestamp: timestamp, body: body))]
    }

    /// The receiver's side: whether `signature` is right for this timestamp and body.
    public func verify(signature: String, timestamp: Int64, body: [UInt8]) -> Bool {
        let expected = Array(self.signature(timestamp: timestamp, body: body).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for i in expected.indices { diff |= expected[i] ^ given[i] }
        return diff == 0
    }
}
