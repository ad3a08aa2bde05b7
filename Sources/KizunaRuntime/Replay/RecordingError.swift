/// A recording that cannot be read as its format says: names the file and the line.
public struct RecordingError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// 1-based; 0 when the problem is the whole file.
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
