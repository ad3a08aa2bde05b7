import CKizunaGPIO
import KizunaCore

/// What `kizuna gpio-check` finds for each configured line, without disturbing a running
/// runtime: inputs that are free are read briefly; held lines are reported with their holder.
public struct LineReport: Sendable {
    public enum Status: Equatable, Sendable {
        case ok
        case missingChip(String)
        case missingLine
        case busy(consumer: String)
        case error(String)
    }

    public var key: String
    public var requested: String
    public var chipPath: String?
    public var offset: Int?
    public var lineName: String?
    public var isOutput: Bool
    /// The line's value, read if the line was free to read (inputs only).
    public var value: Int?
    public var status: Status

    public var isUsable: Bool { status == .ok }
}

public enum GPIOCheck {
    public static func check(_ wiring: Wiring) -> [LineReport] {
        var reports = wiring.inputs.map { report(key: $0.key, line: $0.line, isOutput: false, bias: $0.bias) }
            + wiring.outputs.map { report(key: $0.key, line: $0.line, isOutput: true) }
        // Two keys on one line (a pin and the line's name): the second is not usable.
        var seen: [String: String] = [:]
        for i in reports.indices {
            guard let path = reports[i].chipPath, let offset = reports[i].offset else { continue }
            let place = "\(path):\(offset)"
            if let other = seen[place] {
                reports[i].status = .error("the same line as \(other)")
            } else {
                seen[place] = reports[i].key
            }
        }
        return reports
    }

    /// An input is read with the pull resistor its wire asks for, as the runtime reads it:
    /// read as-is, a door wired for a pull-up on a pin that boots pulled down reads 0 open
    /// or shut, and `inverted` "fixed" on the ladder then reads it wrong in the runtime.
    static func report(key: String, line: LineReference, isOutput: Bool, bias: LineBias = .asIs) -> LineReport {
        var r = LineReport(key: key, requested: line.description, isOutput: isOutput, status: .ok)
        let address: LineAddress
        do {
            address = try LinuxGPIO.resolve(line, key: key)
        } catch {
            r.status = .missingLine
            return r
        }
        var path = [CChar](repeating: 0, count: 256)
        var lines: UInt32 = 0
        guard kz_chip_find(address.chipLabel, &path, path.count, &lines) == 0 else {
            r.status = .missingChip(address.chipLabel)
            return r
        }
        r.chipPath = LinuxGPIO.string(path)
        r.offset = address.offset
        guard address.offset < Int(lines) else {
            r.status = .missingLine
            return r
        }
        var consumer = [CChar](repeating: 0, count: 64)
        var name = [CChar](repeating: 0, count: 64)
        let used = kz_line_info(address.chipLabel, UInt32(address.offset), &consumer, consumer.count, &name, name.count)
        let lineName = LinuxGPIO.string(name)
        r.lineName = lineName.isEmpty ? nil : lineName
        if used < 0 {
            r.status = .error("line info: errno \(-used)")
        } else if used == 1 {
            let holder = LinuxGPIO.string(consumer)
            // Held by the running Kizuna service is how it should be.
            r.status = holder == "kizuna" ? .ok : .busy(consumer: holder)
        } else if !isOutput {
            if let handle = try? LinuxGPIO.requestInput(address, bias: bias, consumer: "kizuna-check", key: key) {
                let v = kz_line_get(handle)
                r.value = v >= 0 ? Int(v) : nil
                kz_line_release(handle)
            }
        }
        return r
    }
}
