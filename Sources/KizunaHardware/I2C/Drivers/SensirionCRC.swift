/// The checksum and word framing every Sensirion chip (SHT3x, SHT4x, SCD4x, SGP40) uses on I2C.
///
/// Data goes both ways as 16-bit big-endian words, each followed by a CRC-8 of its two bytes:
/// polynomial 0x31 (x⁸ + x⁵ + x⁴ + 1), initial value 0xFF, no reflection, no final XOR
/// (datasheets' example: CRC(0xBE 0xEF) = 0x92). A chip checks the CRC of every argument word
/// and ignores a command whose argument fails it; the driver checks every answer word, so
/// that a bit flipped on a long cable becomes a `.crc` fault instead of a wrong temperature.
public enum SensirionCRC {
    /// CRC-8 of `bytes` (normally the two bytes of one word).
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt8 where Bytes.Element == UInt8 {
        var crc: UInt8 = 0xFF
        for byte in bytes {
            crc ^= byte
            for _ in 0..<8 { crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x31 : crc << 1 }
        }
        return crc
    }

    /// CRC-8 of one word, most significant byte first (the order on the wire).
    public static func checksum(_ word: UInt16) -> UInt8 {
        checksum([UInt8(word >> 8), UInt8(word & 0xFF)])
    }

    /// Splits an answer (`[msb, lsb, crc]` per word) into its words, checking each CRC.
    ///
    /// Throws `.crc(expected:got:)` for the first word whose CRC does not match — `expected`
    /// is the CRC computed from the two bytes received, `got` the CRC byte the chip sent —
    /// and `.badValue` when the answer is not a whole number of words.
    public static func words(_ bytes: [UInt8]) throws(I2CError) -> [UInt16] {
        guard bytes.count % 3 == 0 else { throw .badValue("answer of \(bytes.count) bytes is not whole words") }
        var out: [UInt16] = []
        out.reserveCapacity(bytes.count / 3)
        var i = 0
        while i < bytes.count {
            let expected = checksum(bytes[i..<(i + 2)])
            guard expected == bytes[i + 2] else { throw .crc(expected: expected, got: bytes[i + 2]) }
            out.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 3
        }
        return out
    }

    /// Words as sent on the wire: each followed by its CRC.
    public static func encode(_ words: [UInt16]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 3)
        for w in words { out += [UInt8(w >> 8), UInt8(w & 0xFF), checksum(w)] }
        return out
    }

    /// A 16-bit command (which carries no CRC of its own) followed by its argument words,
    /// each with its CRC: `command(0x362F, [480])` is `36 2F 01 E0 B4`.
    public static func command(_ code: UInt16, _ arguments: [UInt16] = []) -> [UInt8] {
        [UInt8(code >> 8), UInt8(code & 0xFF)] + encode(arguments)
    }
}
