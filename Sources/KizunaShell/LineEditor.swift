/// The technician's line editor for `kizuna shell` on the serial console.
///
/// The technician reaches the board from a laptop over a USB-serial cable: there is no SSH
/// session and no readline on the other end, and the terminal is often `TERM=dumb` or a bare
/// `screen`/`minicom` whose capabilities nobody knows. So the shell puts its terminal in raw
/// mode and edits the line itself, byte by byte. This is the editor as a pure value: bytes in;
/// the bytes to write back and the finished lines out. It needs no terminfo: in ``dumb`` mode it
/// writes no escape sequence at all, only printable characters, CR, LF, BS and BEL, which every
/// terminal (and a printer) understands; otherwise it uses just two ANSI sequences, erase to end
/// of line (`ESC [ K`) and cursor left (`ESC [ n D`).
///
/// Columns are counted per character, East Asian wide characters as two; the prompt and the
/// line are expected to fit on one terminal row (the prompt is never measured, only reprinted
/// after a carriage return).
///
/// Feed the bytes one at a time as they arrive and call ``begin()`` after each event, before
/// the next byte (a CR's LF may still follow; it is swallowed even across ``begin()``).
public struct LineEditor {
    public enum Event: Equatable, Sendable {
        /// Enter was pressed: the line as typed, without the CR or LF.
        case line(String)
        /// Ctrl-C: the line was cancelled.
        case interrupt
        /// Ctrl-D on an empty line.
        case endOfInput
    }

    public var prompt: String
    /// Plain output: no ANSI escape sequences at all (TERM=dumb, or a printer-like terminal).
    public var dumb: Bool
    /// No echo and no history (the PIN prompt). Enter still ends the line; backspace still edits.
    /// The cursor stays at the end of the line: cursor keys and history only ring the bell, and
    /// Tab does nothing.
    public var secret: Bool = false
    /// Given the text before the cursor, the full candidate words for its last (partial) word.
    public var completer: ((String) -> [String])?
    /// Lines entered, oldest first: not empty, no two consecutive ones equal, at most
    /// ``historyLimit`` of them.
    public private(set) var history: [String] = []
    public let historyLimit: Int

    /// The line being edited.
    private var characters: [Character] = []
    /// The cursor, as an index into the line's characters (0 = before the first).
    private(set) var cursor = 0
    private var escape: EscapeState = .idle
    /// The bytes of a UTF-8 sequence read so far, and how long the sequence is.
    private var pendingUTF8: [UInt8] = []
    private var expectedUTF8Length = 0
    private var lastWasCR = false
    private var lastWasTab = false
    /// While browsing the history: the entry shown (nil: the line being typed).
    private var historyPosition: Int?
    /// The line being typed when browsing started, restored by going down past the newest entry.
    private var unfinishedLine: [Character] = []

    private enum EscapeState {
        case idle
        /// ESC read.
        case afterEscape
        /// ESC [ and the parameter and intermediate bytes read so far.
        case csi([UInt8])
        /// ESC O and the parameter bytes read so far.
        case ss3([UInt8])
    }

    private enum Key {
        case up, down, left, right, home, end, delete
    }

    private static let bel: UInt8 = 0x07
    private static let backspace: UInt8 = 0x08
    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let escapeByte: UInt8 = 0x1B
    private static let space: UInt8 = 0x20
    private static let eraseToEnd: [UInt8] = [0x1B, 0x5B, 0x4B]
    /// Parameter bytes kept of an escape sequence; longer ones are still swallowed whole.
    private static let parameterLimit = 16

    public init(prompt: String, dumb: Bool, historyLimit: Int = 100) {
        self.prompt = prompt
        self.dumb = dumb
        self.historyLimit = max(0, historyLimit)
    }

    /// The current (unfinished) line.
    public var text: String { String(characters) }

    /// Starts a fresh line: returns the prompt to write.
    public mutating func begin() -> [UInt8] {
        clearLine()
        escape = .idle
        pendingUTF8 = []
        expectedUTF8Length = 0
        lastWasTab = false
        // lastWasCR is kept: the LF of a CRLF may arrive after the caller began the next line.
        return Array(prompt.utf8)
    }

    /// Feeds one byte; returns what to write to the terminal and, when a line is done, the event.
    public mutating func feed(_ byte: UInt8) -> (output: [UInt8], event: Event?) {
        let afterCR = lastWasCR
        let afterTab = lastWasTab
        lastWasCR = false
        lastWasTab = false

        if expectedUTF8Length > 0 {
            if (0x80...0xBF).contains(byte) {
                pendingUTF8.append(byte)
                guard pendingUTF8.count == expectedUTF8Length else { return ([], nil) }
                let sequence = pendingUTF8
                pendingUTF8 = []
                expectedUTF8Length = 0
                guard let scalar = Self.decode(sequence) else { return ([], nil) }
                return (insertScalar(scalar), nil)
            }
            // A lead byte without all its continuation bytes: drop it, read this byte afresh.
            pendingUTF8 = []
            expectedUTF8Length = 0
        }

        switch escape {
        case .idle:
            break
        case .afterEscape:
            escape = .idle
            if byte == UInt8(ascii: "[") {
                escape = .csi([])
                return ([], nil)
            }
            if byte == UInt8(ascii: "O") {
                escape = .ss3([])
                return ([], nil)
            }
            // ESC and something else (Alt-key, a lone Escape): the ESC is dropped.
        case .csi(var parameters):
            if (0x20...0x3F).contains(byte) {
                if parameters.count < Self.parameterLimit { parameters.append(byte) }
                escape = .csi(parameters)
                return ([], nil)
            }
            escape = .idle
            if (0x40...0x7E).contains(byte) {
                return (perform(Self.csiKey(parameters, finalByte: byte)), nil)
            }
            // Not part of a sequence (a control byte, say): the sequence is dropped.
        case .ss3(var parameters):
            if (0x20...0x3F).contains(byte) {
                if parameters.count < Self.parameterLimit { parameters.append(byte) }
                escape = .ss3(parameters)
                return ([], nil)
            }
            escape = .idle
            if (0x40...0x7E).contains(byte) {
                return (perform(parameters.isEmpty ? Self.cursorKey(finalByte: byte) : nil), nil)
            }
        }
        return handle(byte, afterCR: afterCR, afterTab: afterTab)
    }

    /// Convenience for tests and the client: feeds many bytes, concatenates outputs, collects events in order.
    public mutating func feed(_ bytes: [UInt8]) -> (output: [UInt8], events: [Event]) {
        var output: [UInt8] = []
        var events: [Event] = []
        for byte in bytes {
            let result = feed(byte)
            output += result.output
            if let event = result.event { events.append(event) }
        }
        return (output, events)
    }

    /// The prompt and the line as they should appear on a fresh row, with the terminal's cursor
    /// left where the editor's is: to write again after something else was printed (a message
    /// arrived). The caller has already moved to a new row. In ``secret`` mode, the prompt only.
    public func redraw() -> [UInt8] {
        let promptBytes = Array(prompt.utf8)
        if secret { return promptBytes }
        return promptBytes + Self.bytes(characters) + moveBack(Self.columns(characters[cursor...]))
    }

    // MARK: - Keys

    private mutating func handle(_ byte: UInt8, afterCR: Bool, afterTab: Bool) -> (output: [UInt8], event: Event?) {
        switch byte {
        case 0x20...0x7E:
            return (insertScalar(Unicode.Scalar(byte)), nil)
        case 0xC2...0xDF:
            startUTF8(byte, length: 2)
        case 0xE0...0xEF:
            startUTF8(byte, length: 3)
        case 0xF0...0xF4:
            startUTF8(byte, length: 4)
        case 0x0D:  // CR
            lastWasCR = true
            return finishLine()
        case 0x0A:  // LF: a line of its own unless it completes a CRLF
            if afterCR { return ([], nil) }
            return finishLine()
        case 0x08, 0x7F:  // BS, DEL
            return (deleteBackward(), nil)
        case 0x15:  // Ctrl-U
            return (deleteToStart(), nil)
        case 0x03:  // Ctrl-C
            clearLine()
            return (Array("^C\r\n".utf8), .interrupt)
        case 0x04:  // Ctrl-D
            if characters.isEmpty {
                clearLine()
                return ([Self.carriageReturn, Self.lineFeed], .endOfInput)
            }
            return (deleteForward(), nil)
        case 0x01:  // Ctrl-A
            return (perform(.home), nil)
        case 0x05:  // Ctrl-E
            return (perform(.end), nil)
        case 0x09:  // Tab
            return (complete(listing: afterTab), nil)
        case 0x1B:
            escape = .afterEscape
        default:
            // Other control bytes, stray continuation bytes, bytes never valid in UTF-8.
            break
        }
        return ([], nil)
    }

    private static func csiKey(_ parameters: [UInt8], finalByte: UInt8) -> Key? {
        if parameters.isEmpty { return Self.cursorKey(finalByte: finalByte) }
        guard finalByte == UInt8(ascii: "~") else { return nil }
        switch String(decoding: parameters, as: UTF8.self) {
        case "1", "7": return .home
        case "4", "8": return .end
        case "3": return .delete
        default: return nil
        }
    }

    private static func cursorKey(finalByte: UInt8) -> Key? {
        switch finalByte {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        default: return nil
        }
    }

    /// A key from an escape sequence (or Ctrl-A/Ctrl-E); nil, an unknown sequence, does nothing.
    private mutating func perform(_ key: Key?) -> [UInt8] {
        guard let key else { return [] }
        if secret { return key == .delete ? [] : [Self.bel] }
        switch key {
        case .left:
            guard cursor > 0 else { return [] }
            cursor -= 1
            return [UInt8](repeating: Self.backspace, count: Self.cellWidth(characters[cursor]))
        case .right:
            guard cursor < characters.count else { return [] }
            cursor += 1
            return Self.bytes(characters[(cursor - 1)..<cursor])
        case .home:
            guard cursor > 0 else { return [] }
            var output: [UInt8] = []
            if dumb {
                output.append(Self.carriageReturn)
                output += Array(prompt.utf8)
            } else {
                output = moveBack(Self.columns(characters[..<cursor]))
            }
            cursor = 0
            return output
        case .end:
            let output = Self.bytes(characters[cursor...])
            cursor = characters.count
            return output
        case .delete:
            return deleteForward()
        case .up:
            return recallOlder()
        case .down:
            return recallNewer()
        }
    }

    // MARK: - Editing

    private mutating func clearLine() {
        characters = []
        cursor = 0
        historyPosition = nil
        unfinishedLine = []
    }

    private mutating func finishLine() -> (output: [UInt8], event: Event?) {
        let line = text
        if !secret, !line.isEmpty, line != history.last {
            history.append(line)
            if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
        }
        clearLine()
        return ([Self.carriageReturn, Self.lineFeed], .line(line))
    }

    private mutating func startUTF8(_ lead: UInt8, length: Int) {
        pendingUTF8 = [lead]
        expectedUTF8Length = length
    }

    /// The scalar of a complete UTF-8 sequence; nil for an overlong form, a surrogate or a value
    /// past U+10FFFF.
    private static func decode(_ sequence: [UInt8]) -> Unicode.Scalar? {
        var value: UInt32
        let minimum: UInt32
        switch sequence.count {
        case 2:
            value = UInt32(sequence[0] & 0x1F)
            minimum = 0x80
        case 3:
            value = UInt32(sequence[0] & 0x0F)
            minimum = 0x800
        default:
            value = UInt32(sequence[0] & 0x07)
            minimum = 0x10000
        }
        for byte in sequence.dropFirst() {
            value = (value << 6) | UInt32(byte & 0x3F)
        }
        guard value >= minimum else { return nil }
        return Unicode.Scalar(value)
    }

    private mutating func insertScalar(_ scalar: Unicode.Scalar) -> [UInt8] {
        // C0 and C1 control characters are never inserted.
        guard scalar.value >= 0x20, !(0x7F...0x9F).contains(scalar.value) else { return [] }
        let character = Character(scalar)
        if cursor > 0 {
            let combined = String(characters[cursor - 1]) + String(character)
            if combined.count == 1 {
                // A combining mark (or the second half of a flag) joins the character before it.
                historyPosition = nil
                characters[cursor - 1] = Character(combined)
                if secret { return [] }
                return Array(String(character).utf8) + tailAndBack()
            }
        }
        return insertCharacters([character])
    }

    private mutating func insertCharacters(_ new: [Character]) -> [UInt8] {
        guard !new.isEmpty else { return [] }
        historyPosition = nil
        characters.insert(contentsOf: new, at: cursor)
        cursor += new.count
        if secret { return [] }
        return Self.bytes(new) + tailAndBack()
    }

    private mutating func deleteBackward() -> [UInt8] {
        guard cursor > 0 else { return secret ? [] : [Self.bel] }
        historyPosition = nil
        cursor -= 1
        let removed = characters.remove(at: cursor)
        if secret { return [] }
        let width = Self.cellWidth(removed)
        let left = [UInt8](repeating: Self.backspace, count: width)
        let blank = [UInt8](repeating: Self.space, count: width)
        if cursor == characters.count {
            return left + blank + left
        }
        let rest = characters[cursor...]
        return left + Self.bytes(rest) + blank + moveBack(Self.columns(rest) + width)
    }

    /// Deletes the character under the cursor (Ctrl-D on a non-empty line, the Delete key).
    private mutating func deleteForward() -> [UInt8] {
        guard cursor < characters.count else { return secret ? [] : [Self.bel] }
        historyPosition = nil
        let removed = characters.remove(at: cursor)
        if secret { return [] }
        let width = Self.cellWidth(removed)
        let rest = characters[cursor...]
        return Self.bytes(rest) + [UInt8](repeating: Self.space, count: width) + moveBack(Self.columns(rest) + width)
    }

    private mutating func deleteToStart() -> [UInt8] {
        guard cursor > 0 else { return [] }
        historyPosition = nil
        let oldWidth = Self.columns(characters)
        characters.removeFirst(cursor)
        cursor = 0
        if secret { return [] }
        return replacedLine(oldWidth: oldWidth)
    }

    // MARK: - History

    private mutating func recallOlder() -> [UInt8] {
        let position = historyPosition ?? history.count
        guard position > 0 else { return [Self.bel] }
        if historyPosition == nil { unfinishedLine = characters }
        historyPosition = position - 1
        return replaceLine(with: Array(history[position - 1]))
    }

    private mutating func recallNewer() -> [UInt8] {
        guard let position = historyPosition else { return [Self.bel] }
        if position + 1 < history.count {
            historyPosition = position + 1
            return replaceLine(with: Array(history[position + 1]))
        }
        historyPosition = nil
        let restored = unfinishedLine
        unfinishedLine = []
        return replaceLine(with: restored)
    }

    private mutating func replaceLine(with new: [Character]) -> [UInt8] {
        let oldWidth = Self.columns(characters)
        characters = new
        cursor = new.count
        return replacedLine(oldWidth: oldWidth)
    }

    // MARK: - Completion

    private mutating func complete(listing: Bool) -> [UInt8] {
        if secret { return [] }
        guard let completer else { return [Self.bel] }
        let beforeCursor = characters[..<cursor]
        let wordStart = beforeCursor.lastIndex(of: " ").map { $0 + 1 } ?? 0
        let partial = Array(characters[wordStart..<cursor])
        var seen = Set<String>()
        let candidates = completer(String(beforeCursor)).filter { candidate in
            !candidate.isEmpty && Array(candidate).starts(with: partial) && Self.isPrintable(candidate)
                && seen.insert(candidate).inserted
        }
        switch candidates.count {
        case 0:
            return [Self.bel]
        case 1:
            return insertCharacters(Array(Array(candidates[0]).dropFirst(partial.count)) + [" "])
        default:
            // The next Tab, if nothing more can be added, lists the candidates.
            lastWasTab = true
            let common = Self.commonPrefix(candidates)
            if common.count > partial.count {
                return insertCharacters(Array(common.dropFirst(partial.count)))
            }
            guard listing else { return [Self.bel] }
            var output: [UInt8] = [Self.carriageReturn, Self.lineFeed]
            output += Array(candidates.sorted().joined(separator: "  ").utf8)
            output += [Self.carriageReturn, Self.lineFeed]
            output += redraw()
            return output
        }
    }

    private static func commonPrefix(_ words: [String]) -> [Character] {
        guard let first = words.first else { return [] }
        var prefix = Array(first)
        for word in words.dropFirst() {
            var shared = 0
            for (a, b) in zip(prefix, word) {
                guard a == b else { break }
                shared += 1
            }
            prefix.removeLast(prefix.count - shared)
        }
        return prefix
    }

    /// No control characters: a candidate is written to the terminal as it is.
    private static func isPrintable(_ word: String) -> Bool {
        word.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) }
    }

    // MARK: - Output

    /// After the line was replaced (history, Ctrl-U): the whole row again, blanking what is left
    /// of a longer previous line, with the terminal's cursor put back at the editor's.
    private func replacedLine(oldWidth: Int) -> [UInt8] {
        var output: [UInt8] = [Self.carriageReturn]
        output += Array(prompt.utf8)
        output += Self.bytes(characters)
        if !dumb {
            output += Self.eraseToEnd
            output += moveBack(Self.columns(characters[cursor...]))
            return output
        }
        let padding = oldWidth - Self.columns(characters)
        if padding > 0 { output += [UInt8](repeating: Self.space, count: padding) }
        if padding > 0 || cursor < characters.count {
            output.append(Self.carriageReturn)
            output += Array(prompt.utf8)
            output += Self.bytes(characters[..<cursor])
        }
        return output
    }

    /// The characters from the cursor on, then the terminal's cursor back to the editor's.
    private func tailAndBack() -> [UInt8] {
        let rest = characters[cursor...]
        return Self.bytes(rest) + moveBack(Self.columns(rest))
    }

    /// Moves the terminal's cursor left: `ESC [ n D`, or backspaces in dumb mode.
    private func moveBack(_ columns: Int) -> [UInt8] {
        guard columns > 0 else { return [] }
        if dumb { return [UInt8](repeating: Self.backspace, count: columns) }
        return [Self.escapeByte] + Array("[\(columns)D".utf8)
    }

    private static func bytes<S: Sequence>(_ characters: S) -> [UInt8] where S.Element == Character {
        Array(String(characters).utf8)
    }

    private static func columns<S: Sequence>(_ characters: S) -> Int where S.Element == Character {
        characters.reduce(0) { $0 + Self.cellWidth($1) }
    }

    /// Terminal columns a character takes: two for East Asian wide and fullwidth ones.
    static func cellWidth(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 1 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
