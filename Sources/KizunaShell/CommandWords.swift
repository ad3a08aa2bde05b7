/// Splits a shell line into words, the way a technician expects from a shell: words are
/// separated by spaces or tabs, and "double" or 'single' quotes keep spaces inside one word
/// (the quotes themselves are removed). There are no escapes and no variables.
///
///     config set device.flat "3-1204 east"   →  ["config", "set", "device.flat", "3-1204 east"]
///     a"b c"d                                →  ["ab cd"]
///     ''                                     →  [""]
public enum CommandWords {
    /// The words of `line`; throws when a quote is opened and never closed.
    public static func split(_ line: String) throws(CommandWordsError) -> [String] {
        let scanned = scan(line)
        if let quote = scanned.openQuote {
            throw CommandWordsError(quote: quote)
        }
        return scanned.words
    }

    /// What `scan` found: the words so far (the last one may be partial), the quote still open
    /// at the end of the line, and whether the line ends outside a word (after a separator, or empty).
    struct Scan: Equatable {
        var words: [String]
        var openQuote: Character?
        var endsOutsideWord: Bool
    }

    /// The lenient form of `split` (for parsing with a friendly error, and for Tab completion):
    /// never fails; an unterminated quote runs to the end of the line.
    static func scan(_ line: String) -> Scan {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open {
                    quote = nil
                } else {
                    current.append(character)
                }
            } else if isSeparator(character) {
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord {
            words.append(current)
        }
        return Scan(words: words, openQuote: quote, endsOutsideWord: !inWord)
    }

    /// Spaces and tabs (and a stray line end) separate words.
    static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\n" || character == "\r" || character == "\r\n"
    }
}

/// A quote was opened and never closed.
public struct CommandWordsError: Error, Equatable, CustomStringConvertible {
    /// The quote character left open: `"` or `'`.
    public var quote: Character

    public init(quote: Character) {
        self.quote = quote
    }

    public var description: String {
        "unterminated quote (\(quote))"
    }
}
