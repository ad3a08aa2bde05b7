import KizunaCore

/// The two transfers every Sensirion driver repeats: read an answer of CRC-checked words,
/// and send a command, wait its execution time, then read its answer.
extension I2CBus {
    /// Reads `count` words (3 bytes each) and checks every CRC.
    func readWords(_ address: UInt8, count: Int) throws(I2CError) -> [UInt16] {
        let bytes = try read(address, count: count * 3)
        let words = try SensirionCRC.words(bytes)
        guard words.count == count else { throw .badValue("\(words.count) words where \(count) were asked") }
        return words
    }

    /// Writes `command`, waits `execution` (the chip NACKs a read before it), reads `count` words.
    func fetchWords(_ address: UInt8, command: [UInt8], count: Int, after execution: Span,
                    pause: CommandPause) throws(I2CError) -> [UInt16] {
        try write(address, command)
        pause(execution)
        return try readWords(address, count: count)
    }
}
