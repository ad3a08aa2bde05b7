import Crypto
import Foundation
import _CryptoExtras

/// The technician PIN as the config keeps it: PBKDF2-HMAC-SHA256 with a random salt,
/// `pbkdf2-sha256$ROUNDS$SALT$HASH` (base64). The config file is readable by the runtime's
/// group; a PIN in clear there would be one `cat` away, and an unsalted hash of a few digits
/// one table away. A short PIN stays guessable offline by brute force; the runtime's lockout
/// is what protects it online.
public struct PINHash: Sendable, Equatable {
    /// swift-crypto's floor for PBKDF2-SHA256 (OWASP's older advice); a login on a Pi 3
    /// takes a fraction of a second with it.
    public static let defaultRounds = 210_000
    public var rounds: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    /// A new hash of `pin` with a fresh 16-byte salt.
    public init(pin: String, rounds: Int = PINHash.defaultRounds) {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &generator) }
        self.init(pin: pin, salt: salt, rounds: rounds)
    }

    public init(pin: String, salt: [UInt8], rounds: Int) {
        self.rounds = rounds
        self.salt = salt
        self.hash = Self.derive(pin, salt: salt, rounds: rounds)
    }

    public init?(parsing text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), (1_000...10_000_000).contains(rounds),
              let salt = Data(base64Encoded: String(parts[2])), salt.count >= 8,
              let hash = Data(base64Encoded: String(parts[3])), hash.count == 32 else { return nil }
        self.rounds = rounds
        self.salt = Array(salt)
        self.hash = Array(hash)
    }

    public var text: String {
        "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `pin` matches, compared in constant time.
    public func matches(_ pin: String) -> Bool {
        let candidate = Self.derive(pin, salt: salt, rounds: rounds)
        // A derivation that failed gives nothing, and nothing matches nothing.
        guard candidate.count == 32, hash.count == 32 else { return false }
        var difference: UInt8 = 0
        for i in hash.indices { difference |= candidate[i] ^ hash[i] }
        return difference == 0
    }

    /// A PIN is 4 to 12 digits: typed on a laptop in a dim corridor, told over the phone.
    public static func isWellFormed(_ pin: String) -> Bool {
        (4...12).contains(pin.count) && pin.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func derive(_ pin: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // The rounds are checked where a hash is read (1,000 or more) or made (defaultRounds).
        let key = try? KDF.Insecure.PBKDF2.deriveKey(from: Array(pin.utf8), salt: salt, using: .sha256, outputByteCount: 32,
                                                     unsafeUncheckedRounds: rounds)
        return key.map { k in k.withUnsafeBytes { Array($0) } } ?? []
    }
}
