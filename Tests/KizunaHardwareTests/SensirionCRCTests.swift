import KizunaCore
import Testing
@testable import KizunaHardware

@Suite("Sensirion CRC-8 and word framing")
struct SensirionCRCTests {
    @Test("the datasheets' example: CRC(0xBE 0xEF) = 0x92")
    func beef() {
        #expect(SensirionCRC.checksum([0xBE, 0xEF]) == 0x92)
        #expect(SensirionCRC.checksum(UInt16(0xBEEF)) == 0x92)
    }

    @Test("the CRCs printed in the SGP40 and SCD4x datasheets")
    func printedExamples() {
        let table: [(UInt16, UInt8)] = [
            (0x8000, 0xA2), (0x6666, 0x93), (0x0000, 0x81), (0xFFFF, 0xAC),  // SGP40 table 10
            (0x01E0, 0xB4), (0x7FCE, 0x7B), (0x0001, 0xB0), (0x03DB, 0x42),  // SCD4x FRC, ASC, pressure
            (0x6667, 0xA2), (0x5EB9, 0x3C),  // SCD4x read_measurement
        ]
        for (word, crc) in table { #expect(SensirionCRC.checksum(word) == crc, "word 0x\(String(word, radix: 16))") }
    }

    @Test("an answer splits into its words when every CRC matches")
    func words() throws {
        #expect(try SensirionCRC.words([0xBE, 0xEF, 0x92, 0x66, 0x66, 0x93]) == [0xBEEF, 0x6666])
        #expect(try SensirionCRC.words([]) == [])
    }

    @Test("a CRC mismatch is an error naming the computed and the received CRC")
    func mismatch() {
        // 0x6667's CRC is 0xA2; the chip "sent" 0x93 (a bit flipped in the data on the way).
        #expect(failure { try SensirionCRC.words([0xBE, 0xEF, 0x92, 0x66, 0x67, 0x93]) } == .crc(expected: 0xA2, got: 0x93))
        #expect(failure { try SensirionCRC.words([0xBE, 0xEF, 0x93]) } == .crc(expected: 0x92, got: 0x93))
    }

    @Test("an answer that is not whole words is refused")
    func partial() {
        #expect(isBadValue(failure { try SensirionCRC.words([0xBE, 0xEF, 0x92, 0x00]) }))
    }

    @Test("arguments go out with their CRCs after the command")
    func command() {
        #expect(SensirionCRC.command(0x362F, [480]) == [0x36, 0x2F, 0x01, 0xE0, 0xB4])
        #expect(SensirionCRC.command(0x3682) == [0x36, 0x82])
        #expect(SensirionCRC.encode([0x8000, 0x6666]) == [0x80, 0x00, 0xA2, 0x66, 0x66, 0x93])
    }
}
