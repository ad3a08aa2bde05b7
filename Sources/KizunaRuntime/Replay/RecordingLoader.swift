import Foundation
import KizunaCore

/// Reads recording files of one format into a `Recording`: the readers work on each
/// file's bytes; events are put in time order across files (NEARS writes one file per
/// day whose names do not sort by date).
public enum RecordingLoader {
    /// - Parameters:
    ///   - files: the recording's files; a folder stands for its `*.json` files (NEARS).
    ///   - mapping: a mapping file (`ReplayMapping`), or nil for the format's defaults.
    ///   - lenient: skip and count broken lines instead of stopping at the first.
    /// - Throws: `ConfigError` for the mapping, `RecordingError` for the recording.
    public static func load(files: [String], format: RecordingFormat, mapping: String?, lenient: Bool) throws -> Recording {
        let map: ReplayMapping
        if let mapping {
            map = try ReplayMapping.load(file: mapping, format: format)
        } else {
            map = ReplayMapping.defaults(for: format)
        }
        return try load(files: files, format: format, mapping: map, lenient: lenient)
    }

    public static func load(files: [String], format: RecordingFormat, mapping: ReplayMapping, lenient: Bool) throws(RecordingError) -> Recording {
        var builder = RecordingBuilder(format: format, mapping: mapping)
        guard !files.isEmpty else { throw RecordingError(file: "", line: 0, message: "no recording files given") }
        for file in try expand(files) {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw RecordingError(file: file, line: 0, message: "cannot read the file")
            }
            var failure: RecordingError?
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                do throws(RecordingError) {
                    try read(raw.bindMemory(to: UInt8.self), file: file, format: format, into: &builder, lenient: lenient)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
        }
        let recording = builder.finish(local: mapping.local)
        guard recording.eventCount > 0 else {
            // Nothing to replay: a wrong --format, or every line broken under --lenient. Not a
            // report of zero days with zero alarms.
            let why = builder.skipped > 0 ? "all \(builder.skipped) lines broken (skipped)" : "no events"
            throw RecordingError(file: files.joined(separator: " "), line: 0, message: "\(why): is --format right?")
        }
        return recording
    }

    /// Parses recording text held in memory (tests, small inputs).
    public static func parse(_ text: String, file: String = "-", format: RecordingFormat, mapping: ReplayMapping? = nil,
                             lenient: Bool = false) throws(RecordingError) -> Recording {
        let map = mapping ?? ReplayMapping.defaults(for: format)
        var builder = RecordingBuilder(format: format, mapping: map)
        let bytes = Array(text.utf8)
        var failure: RecordingError?
        bytes.withUnsafeBufferPointer { b in
            do throws(RecordingError) {
                try read(b, file: file, format: format, into: &builder, lenient: lenient)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return builder.finish(local: map.local)
    }

    static func read(_ b: UnsafeBufferPointer<UInt8>, file: String, format: RecordingFormat, into builder: inout RecordingBuilder,
                     lenient: Bool) throws(RecordingError) {
        switch format {
        case .casas: try CASASReader.read(b, file: file, into: &builder, lenient: lenient)
        case .nears: try NEARSReader.read(b, file: file, into: &builder, lenient: lenient)
        case .kizuna: try KizunaEventReader.read(b, file: file, into: &builder, lenient: lenient)
        }
    }

    /// Folders → their `.json`/`.ndjson` files, in name order.
    static func expand(_ files: [String]) throws(RecordingError) -> [String] {
        var out: [String] = []
        for f in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDirectory) else {
                throw RecordingError(file: f, line: 0, message: "no such file")
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: f)) ?? []
                let picked = names.filter { $0.hasSuffix(".json") || $0.hasSuffix(".ndjson") }.sorted()
                guard !picked.isEmpty else { throw RecordingError(file: f, line: 0, message: "a folder without .json files") }
                out += picked.map { f + "/" + $0 }
            } else {
                out.append(f)
            }
        }
        return out
    }
}
