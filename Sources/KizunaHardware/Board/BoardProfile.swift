import KizunaCore

/// Where a GPIO line is: a chip found by its label (never by number: numbers change with
/// probe order) and the line's offset on it.
public struct LineAddress: Hashable, Sendable, CustomStringConvertible {
    public var chipLabel: String
    public var offset: Int
    public init(chipLabel: String, offset: Int) {
        self.chipLabel = chipLabel
        self.offset = offset
    }
    public var description: String { "\(chipLabel):\(offset)" }
}

/// A GPIO chip a board has, by label, with its line count and the names of its lines
/// where the board names them.
public struct ChipProfile: Hashable, Sendable {
    public var label: String
    public var lineCount: Int
    public var lineNames: [String]
    public init(label: String, lineCount: Int, lineNames: [String] = []) {
        self.label = label
        self.lineCount = lineCount
        self.lineNames = lineNames
    }
}

/// What a board offers: GPIO chips, the header pins that reach them, I2C buses and the
/// serial console. Read from `boards/NAME.yaml`.
public struct BoardProfile: Sendable {
    public var name: String
    public var description: String
    public var chips: [ChipProfile]
    /// Physical header pin → line.
    public var header: [Int: LineAddress]
    public var i2cBuses: [Int]
    public var serialConsole: String?
    /// Whether the board is simulated in-process (`sim`): no kernel devices.
    public var isSimulated: Bool

    public init(name: String, description: String = "", chips: [ChipProfile], header: [Int: LineAddress] = [:],
                i2cBuses: [Int] = [], serialConsole: String? = nil, isSimulated: Bool = false) {
        self.name = name
        self.description = description
        self.chips = chips
        self.header = header
        self.i2cBuses = i2cBuses
        self.serialConsole = serialConsole
        self.isSimulated = isSimulated
    }

    /// The line a named line is on, searching every chip.
    public func line(named name: String) -> LineAddress? {
        for chip in chips {
            if let i = chip.lineNames.firstIndex(of: name) { return LineAddress(chipLabel: chip.label, offset: i) }
        }
        return nil
    }

    public func chip(_ label: String) -> ChipProfile? { chips.first { $0.label == label } }
}
