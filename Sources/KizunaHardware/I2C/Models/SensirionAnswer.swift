/// What a Sensirion chip holds after a command until the master reads it, shared by the
/// simulated Sensirion chips. A read with no answer waiting is not acknowledged (the chip
/// NACKs its read header), and an answer is read once: the next command replaces it.
struct SensirionAnswer {
    private var bytes: [UInt8]?

    /// Loads the answer words, each followed by its CRC; `corrupt` inverts the first CRC,
    /// as a flipped bit on the wire would make it wrong.
    mutating func load(_ words: [UInt16], corrupt: Bool) {
        var b = SensirionCRC.encode(words)
        if corrupt, b.count >= 3 { b[2] = ~b[2] }
        bytes = b
    }

    mutating func clear() { bytes = nil }

    /// A read transfer. A master may stop early (it then skips the rest); reading past the
    /// answer gets 0xFF, the released bus.
    mutating func take(_ count: Int) throws(I2CError) -> [UInt8] {
        guard let b = bytes else { throw .noAcknowledge }
        bytes = nil
        return Array(b.prefix(count)) + [UInt8](repeating: 0xFF, count: max(0, count - b.count))
    }
}

/// A command as a Sensirion chip receives it: a 16-bit code and its argument words, each
/// with a CRC. `nil` for a write too short to hold a code; `arguments` is nil when an
/// argument's CRC fails (the chip then does not acknowledge).
func decodeSensirionCommand(_ bytes: [UInt8]) -> (code: UInt16, arguments: [UInt16]?)? {
    guard bytes.count >= 2 else { return nil }
    return (UInt16(bytes[0]) << 8 | UInt16(bytes[1]), try? SensirionCRC.words(Array(bytes.dropFirst(2))))
}

extension UInt16 {
    /// A physical value's word as a chip's converter would give it: rounded and limited to
    /// 0…65535 (a value outside the chip's range saturates, as its converter would).
    init(saturating value: Double) {
        self = value.isNaN ? 0 : UInt16(Swift.min(Swift.max(value.rounded(), 0), 65535))
    }
}
