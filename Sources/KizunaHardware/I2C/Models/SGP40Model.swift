/// An SGP40 as its command protocol: the raw measurement with its two compensation
/// arguments, the self-test, heater off and the serial number. Tests set the raw signal
/// and read back the compensation words the driver sent.
public final class SGP40Model: I2CDeviceModel {
    /// The raw VOC signal in ticks that the next measurement returns.
    public var vocRaw: UInt16 = 30_000
    public var serialNumber: UInt64 = 0x0000_0A1B_2C3D
    /// Makes the next answer's first CRC wrong (a bit flipped on the wire); cleared once used.
    public var corruptNextCRC = false
    /// What the self-test reports: 0xD400 when it passes, 0x4B00 when not.
    public var selfTestPasses = true
    /// Whether the hotplate is on (VOC measurement mode, from the first measurement on).
    public private(set) var heaterOn = false
    /// The humidity and temperature words of the last measurement command.
    public private(set) var lastCompensation: [UInt16] = []
    /// Every command received, in order, and the bytes of the last write.
    public private(set) var commands: [UInt16] = []
    public private(set) var lastWrite: [UInt8] = []
    public private(set) var measurements = 0
    var answer = SensirionAnswer()

    public init() {}

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        answer.clear()
        lastWrite = bytes
        guard let (code, decoded) = decodeSensirionCommand(bytes) else { throw .noAcknowledge }
        commands.append(code)
        guard let arguments = decoded else { throw .noAcknowledge }
        switch (code, arguments.count) {
        case (SGP40Command.measureRaw, 2):
            lastCompensation = arguments
            heaterOn = true
            measurements += 1
            respond([vocRaw])
        case (SGP40Command.selfTest, 0):
            respond([selfTestPasses ? 0xD400 : 0x4B00])
        case (SGP40Command.heaterOff, 0):
            heaterOn = false
        case (SGP40Command.getSerialNumber, 0):
            respond([UInt16(serialNumber >> 32 & 0xFFFF), UInt16(serialNumber >> 16 & 0xFFFF), UInt16(serialNumber & 0xFFFF)])
        default:
            throw .noAcknowledge
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] { try answer.take(count) }

    func respond(_ words: [UInt16]) {
        answer.load(words, corrupt: corruptNextCRC)
        corruptNextCRC = false
    }
}
