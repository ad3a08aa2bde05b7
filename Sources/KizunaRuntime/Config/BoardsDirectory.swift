import Foundation

/// Finds the `boards/` folder: given explicitly, from `KIZUNA_BOARDS`, in the current
/// directory (a source checkout), beside the executable (`../share/kizuna/boards`), or
/// where the Debian package puts it.
public enum BoardsDirectory {
    public static func locate(explicit: String? = nil) -> String? {
        var candidates: [String] = []
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["KIZUNA_BOARDS"] { candidates.append(env) }
        candidates.append(FileManager.default.currentDirectoryPath + "/boards")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("../share/kizuna/boards").standardized.path)
        // `swift build` puts the binary in .build/<triple>/<config>/: the checkout is 3 up.
        candidates.append(exe.appendingPathComponent("../../../boards").standardized.path)
        candidates.append("/usr/share/kizuna/boards")
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/sim.yaml") }
    }
}
