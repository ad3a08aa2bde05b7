/// A configuration (or scenario, or board profile) error that names the file, the line
/// and the key, so the technician can go straight to it:
/// `kizuna.yaml:14: rules.inactivity.day: expected a duration such as 3h or 90m, got "3 hours"`.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var key: String
    public var message: String

    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(message)" : "\(place): \(key): \(message)"
    }
}
