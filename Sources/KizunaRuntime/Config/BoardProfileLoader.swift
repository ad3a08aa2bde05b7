import Foundation
import KizunaHardware

/// Reads `boards/NAME.yaml`.
public enum BoardProfileLoader {
    public static func load(name: String, directory: String) throws(ConfigError) -> BoardProfile {
        let file = "\(directory)/\(name).yaml"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: "", message: "cannot read the board profile")
        }
        return try parse(text, file: file)
    }

    /// Names of the profiles in a directory.
    public static func available(in directory: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        // `kizuna.example.yaml` beside the profiles is an installation config, not a board.
        return files.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".example.yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func parse(_ text: String, file: String) throws(ConfigError) -> BoardProfile {
        let root = try YAMLNode.parse(text, file: file)
        var profile = BoardProfile(name: "", chips: [])
        var headerNode: YAMLNode?
        for (key, value) in try root.mapping(allowed: ["name", "description", "simulated", "chips", "header", "i2c_buses", "serial_console"]) {
            switch key {
            case "name": profile.name = try value.string()
            case "description": profile.description = try value.string()
            case "simulated": profile.isSimulated = try value.bool()
            case "chips":
                for chipNode in try value.sequence() {
                    var label = ""
                    var count: Int?
                    var names: [String] = []
                    for (ck, cv) in try chipNode.mapping(allowed: ["label", "lines", "line_names"]) {
                        switch ck {
                        case "label": label = try cv.string()
                        case "lines": count = try cv.int(in: 1...512)
                        default: names = try cv.sequence().map { n throws(ConfigError) in try n.string() }
                        }
                    }
                    guard !label.isEmpty else { throw chipNode.error("a chip needs a label") }
                    profile.chips.append(ChipProfile(label: label, lineCount: count ?? names.count, lineNames: names))
                }
            case "header": headerNode = value
            case "i2c_buses": profile.i2cBuses = try value.sequence().map { n throws(ConfigError) in try n.int(in: 0...255) }
            case "serial_console": profile.serialConsole = try value.string()
            default: break
            }
        }
        guard !profile.name.isEmpty else { throw root.error("a board profile needs a name") }
        guard let firstChip = profile.chips.first else { throw root.error("a board profile needs at least one chip") }
        if let headerNode {
            // `PIN: OFFSET` on the first chip, or `PIN: { chip: LABEL, line: OFFSET }`.
            for (pinText, value) in try headerNode.mapping() {
                guard let pin = Int(pinText), (1...80).contains(pin) else { throw value.error("header pins are numbers from 1 to 80") }
                if case .mapping = value.node {
                    var chip = firstChip.label
                    var offset = 0
                    for (k, v) in try value.mapping(allowed: ["chip", "line"]) {
                        if k == "chip" { chip = try v.string() } else { offset = try v.int(in: 0...511) }
                    }
                    profile.header[pin] = LineAddress(chipLabel: chip, offset: offset)
                } else {
                    profile.header[pin] = LineAddress(chipLabel: firstChip.label, offset: try value.int(in: 0...511))
                }
            }
        }
        return profile
    }
}
