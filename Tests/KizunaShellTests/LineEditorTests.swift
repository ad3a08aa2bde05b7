import Testing
@testable import KizunaShell

private typealias Event = LineEditor.Event

private func raw(_ text: String) -> [UInt8] { Array(text.utf8) }

private func trimmingTrailingSpaces(_ text: String) -> String {
    var text = text
    while text.last == " " { text.removeLast() }
    return text
}

/// An editor with the prompt "> " whose first prompt was already written.
private func started(dumb: Bool = false, historyLimit: Int = 100) -> LineEditor {
    var editor = LineEditor(prompt: "> ", dumb: dumb, historyLimit: historyLimit)
    _ = editor.begin()
    return editor
}

/// The first word completes to a command; the others to nothing.
private func commands(_ before: String) -> [String] {
    before.contains(" ") ? [] : ["status", "sensors", "set"]
}

/// Just enough of a terminal to check what the editor draws: the current row, the cursor's
/// column, and the two ANSI sequences the editor may use (erase to end of line, cursor left).
private struct Screen {
    var row: [Character] = []
    var column = 0
    var unexpected: [String] = []

    var visible: String { trimmingTrailingSpaces(String(row)) }

    mutating func write(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x0D:
                column = 0
            case 0x0A:
                row = []
            case 0x08:
                column = max(0, column - 1)
            case 0x07:
                break
            case 0x1B:
                guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else {
                    unexpected.append("lone ESC")
                    continue
                }
                index += 1
                var count = 0
                var hasCount = false
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                    count = count * 10 + Int(bytes[index] - 0x30)
                    hasCount = true
                    index += 1
                }
                guard index < bytes.count else {
                    unexpected.append("truncated sequence")
                    continue
                }
                let finalByte = bytes[index]
                index += 1
                switch finalByte {
                case UInt8(ascii: "K"):
                    if column < row.count { row.removeSubrange(column...) }
                case UInt8(ascii: "D"):
                    column = max(0, column - (hasCount ? count : 1))
                default:
                    unexpected.append("ESC [ \(finalByte)")
                }
            case 0x20...0x7E:
                while row.count < column { row.append(" ") }
                let character = Character(Unicode.Scalar(byte))
                if column < row.count {
                    row[column] = character
                } else {
                    row.append(character)
                }
                column += 1
            default:
                unexpected.append("byte \(byte)")
            }
        }
    }
}

/// A fixed pseudo-random sequence, so that a failure can be replayed.
private struct Generator {
    var state: UInt64

    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33) % bound
    }
}

/// Keys a technician may press, each as the bytes a terminal sends; printable ones weigh more
/// so that lines grow.
private let asciiKeys: [String] = [
    "a", "b", "s", "t", "e", " ", "a", "s", "t", " ",
    "\u{7F}", "\u{8}", "\u{1B}[D", "\u{1B}OD", "\u{1B}[C", "\u{1B}OC", "\u{1B}[D", "\u{1B}[D",
    "\u{1B}[A", "\u{1B}OA", "\u{1B}[B", "\u{1B}OB",
    "\u{1B}[H", "\u{1B}OH", "\u{1B}[1~", "\u{1}", "\u{1B}[F", "\u{1B}OF", "\u{1B}[4~", "\u{5}",
    "\u{1B}[3~", "\u{4}", "\u{15}", "\t", "\t", "\r", "\n", "\r\n", "\u{3}",
    "\u{1B}[1;5C", "\u{1B}[200~", "\u{1B}OP", "\u{1B}x", "\u{C}", "\u{0}",
]

@Suite struct LineEditorTests {
    // MARK: Typing and deleting

    @Test func typedCharactersAreEchoedAndBackspaceAtTheEndErases() {
        var editor = LineEditor(prompt: "> ", dumb: false)
        let prompt = editor.begin()
        #expect(prompt == raw("> "))
        let typed = editor.feed(raw("stx"))
        #expect(typed.output == raw("stx"))
        #expect(typed.events.isEmpty)
        let erased = editor.feed(0x7F)
        #expect(erased.output == [8, 32, 8])
        #expect(erased.event == nil)
        let rest = editor.feed(raw("atus\r"))
        #expect(rest.output == raw("atus\r\n"))
        #expect(rest.events == [.line("status")])
        #expect(editor.text == "")
    }

    @Test func backspaceByteEditsLikeDelete() {
        var editor = started(dumb: true)
        let result = editor.feed(raw("ab\u{8}c\r"))
        #expect(result.output == raw("ab\u{8} \u{8}c\r\n"))
        #expect(result.events == [.line("ac")])
    }

    @Test func insertingInTheMiddleRedrawsTheTail() {
        var editor = started()
        _ = editor.feed(raw("sttus"))
        let left = editor.feed(raw("\u{1B}[D\u{1B}[D\u{1B}OD"))
        #expect(left.output == [8, 8, 8])
        #expect(editor.cursor == 2)
        let inserted = editor.feed(raw("a"))
        #expect(inserted.output == raw("atus\u{1B}[3D"))
        #expect(editor.text == "status")
        #expect(editor.cursor == 3)
        let enter = editor.feed(raw("\r"))
        #expect(enter.events == [.line("status")])
    }

    @Test func insertingInTheMiddleOnADumbTerminalUsesBackspaces() {
        var editor = started(dumb: true)
        _ = editor.feed(raw("sttus\u{1B}[D\u{1B}[D\u{1B}[D"))
        let inserted = editor.feed(raw("a"))
        #expect(inserted.output == raw("atus\u{8}\u{8}\u{8}"))
        let enter = editor.feed(raw("\r"))
        #expect(enter.events == [.line("status")])
    }

    @Test func backspaceInTheMiddleRedrawsTheTail() {
        var ansi = started()
        _ = ansi.feed(raw("abcd\u{1B}[D\u{1B}[D"))
        let erased = ansi.feed(0x7F)
        #expect(erased.output == raw("\u{8}cd \u{1B}[3D"))
        #expect(ansi.text == "acd")
        #expect(ansi.cursor == 1)

        var dumb = started(dumb: true)
        _ = dumb.feed(raw("abcd\u{1B}[D\u{1B}[D"))
        let dumbErased = dumb.feed(0x7F)
        #expect(dumbErased.output == raw("\u{8}cd \u{8}\u{8}\u{8}"))
        #expect(dumb.text == "acd")
    }

    @Test func backspaceAtTheStartRingsTheBell() {
        var editor = started()
        let empty = editor.feed(0x7F)
        #expect(empty.output == [7])
        _ = editor.feed(raw("ab\u{1}"))
        let atStart = editor.feed(0x08)
        #expect(atStart.output == [7])
        #expect(editor.text == "ab")
    }

    @Test func otherControlBytesAreIgnored() {
        var editor = started()
        _ = editor.feed(raw("ab"))
        for byte: UInt8 in [0x00, 0x02, 0x06, 0x0B, 0x0C, 0x0E, 0x12, 0x17, 0x1A, 0x1C, 0x1F, 0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF] {
            let result = editor.feed(byte)
            #expect(result.output.isEmpty, "byte \(byte)")
            #expect(result.event == nil, "byte \(byte)")
        }
        #expect(editor.text == "ab")
        #expect(editor.cursor == 2)
    }

    @Test func beginClearsTheLineAndReturnsThePrompt() {
        var editor = LineEditor(prompt: "kizuna> ", dumb: false)
        _ = editor.begin()
        _ = editor.feed(raw("abc"))
        let prompt = editor.begin()
        #expect(prompt == raw("kizuna> "))
        #expect(editor.text == "")
        #expect(editor.cursor == 0)
    }

    // MARK: Ending lines

    @Test func crLfAndCrlfEachEndExactlyOneLine() {
        for ending in ["\r", "\n", "\r\n"] {
            var editor = started()
            let result = editor.feed(raw("abc" + ending))
            #expect(result.events == [.line("abc")], "ending \(ending.debugDescription)")
            #expect(result.output == raw("abc\r\n"), "ending \(ending.debugDescription)")
        }
        var editor = started()
        let two = editor.feed(raw("a\rb\n"))
        #expect(two.events == [.line("a"), .line("b")])
        let twoEmpty = editor.feed(raw("\r\r"))
        #expect(twoEmpty.events == [.line(""), .line("")])
        // The first LF follows the last CR: swallowed. The next ones are lines of their own.
        let lfs = editor.feed(raw("\n\n\n"))
        #expect(lfs.events == [.line(""), .line("")])
    }

    @Test func theLfOfACrlfIsSwallowedEvenAfterBegin() {
        var editor = started()
        _ = editor.feed(raw("x"))
        let cr = editor.feed(0x0D)
        #expect(cr.event == Event.line("x"))
        _ = editor.begin()
        let lf = editor.feed(0x0A)
        #expect(lf.event == nil)
        #expect(lf.output.isEmpty)
        let secondLF = editor.feed(0x0A)
        #expect(secondLF.event == Event.line(""))
    }

    @Test func linesAreReturnedAndStoredAsTyped() {
        var editor = started()
        let result = editor.feed(raw(" a b \r"))
        #expect(result.events == [.line(" a b ")])
        #expect(editor.history == [" a b "])
    }

    // MARK: Ctrl keys

    @Test func ctrlUDeletesToTheStartOfTheLine() {
        var ansi = started()
        _ = ansi.feed(raw("hello world"))
        _ = ansi.feed(raw("\u{1B}[D\u{1B}[D\u{1B}[D\u{1B}[D\u{1B}[D"))
        let killed = ansi.feed(0x15)
        #expect(killed.output == raw("\r> world\u{1B}[K\u{1B}[5D"))
        #expect(ansi.text == "world")
        #expect(ansi.cursor == 0)
        let rest = ansi.feed(raw("x\r"))
        #expect(rest.events == [.line("xworld")])

        var dumb = started(dumb: true)
        _ = dumb.feed(raw("hello world\u{1B}[D\u{1B}[D\u{1B}[D\u{1B}[D\u{1B}[D"))
        let dumbKilled = dumb.feed(0x15)
        #expect(dumbKilled.output == raw("\r> world      \r> "))
        #expect(dumb.text == "world")

        var atEnd = started()
        _ = atEnd.feed(raw("abc"))
        let all = atEnd.feed(0x15)
        #expect(all.output == raw("\r> \u{1B}[K"))
        #expect(atEnd.text == "")
        let nothing = atEnd.feed(0x15)
        #expect(nothing.output.isEmpty)
    }

    @Test func ctrlCCancelsTheLine() {
        var editor = started()
        _ = editor.feed(raw("abc"))
        let interrupted = editor.feed(0x03)
        #expect(interrupted.output == raw("^C\r\n"))
        #expect(interrupted.event == Event.interrupt)
        #expect(editor.text == "")
        #expect(editor.history.isEmpty)
        _ = editor.begin()
        let next = editor.feed(raw("d\r"))
        #expect(next.events == [.line("d")])
        #expect(editor.history == ["d"])
    }

    @Test func ctrlCEndsHistoryBrowsing() {
        var editor = started()
        _ = editor.feed(raw("one\r"))
        _ = editor.begin()
        _ = editor.feed(raw("tw\u{1B}[A"))
        #expect(editor.text == "one")
        _ = editor.feed(0x03)
        _ = editor.begin()
        let down = editor.feed(raw("\u{1B}[B"))
        #expect(down.output == [7])
        #expect(editor.text == "")
    }

    @Test func ctrlDEndsInputOnAnEmptyLineAndDeletesOtherwise() {
        var editor = started()
        let end = editor.feed(0x04)
        #expect(end.output == raw("\r\n"))
        #expect(end.event == Event.endOfInput)

        _ = editor.begin()
        _ = editor.feed(raw("abc\u{1B}[D\u{1B}[D"))
        let deleted = editor.feed(0x04)
        #expect(deleted.output == raw("c \u{1B}[2D"))
        #expect(deleted.event == nil)
        #expect(editor.text == "ac")
        #expect(editor.cursor == 1)

        _ = editor.feed(0x05)
        let atEnd = editor.feed(0x04)
        #expect(atEnd.output == [7])
        #expect(atEnd.event == nil)
        #expect(editor.text == "ac")
    }

    @Test func deleteKeyDeletesUnderTheCursor() {
        var editor = started()
        _ = editor.feed(raw("ac\u{1}"))
        let deleted = editor.feed(raw("\u{1B}[3~"))
        #expect(deleted.output == raw("c \u{1B}[2D"))
        #expect(editor.text == "c")
        #expect(editor.cursor == 0)

        var dumb = started(dumb: true)
        _ = dumb.feed(raw("ac\u{1B}[D"))
        let dumbDeleted = dumb.feed(raw("\u{1B}[3~"))
        #expect(dumbDeleted.output == raw(" \u{8}"))
        #expect(dumb.text == "a")
        let atEnd = dumb.feed(raw("\u{1B}[3~"))
        #expect(atEnd.output == [7])
    }

    // MARK: Cursor movement

    @Test func homeAndEndInEveryForm() {
        for home in ["\u{1}", "\u{1B}[H", "\u{1B}OH", "\u{1B}[1~", "\u{1B}[7~"] {
            var ansi = started()
            _ = ansi.feed(raw("abc"))
            let moved = ansi.feed(raw(home))
            #expect(moved.output == raw("\u{1B}[3D"), "home \(home.debugDescription)")
            #expect(ansi.cursor == 0)

            var dumb = started(dumb: true)
            _ = dumb.feed(raw("abc"))
            let dumbMoved = dumb.feed(raw(home))
            #expect(dumbMoved.output == raw("\r> "), "home \(home.debugDescription)")
            #expect(dumb.cursor == 0)
        }
        for end in ["\u{5}", "\u{1B}[F", "\u{1B}OF", "\u{1B}[4~", "\u{1B}[8~"] {
            for dumb in [false, true] {
                var editor = started(dumb: dumb)
                _ = editor.feed(raw("abc\u{1}"))
                let moved = editor.feed(raw(end))
                #expect(moved.output == raw("abc"), "end \(end.debugDescription)")
                #expect(editor.cursor == 3)
            }
        }
    }

    @Test func leftAndRightMoveOneCharacter() {
        for dumb in [false, true] {
            var editor = started(dumb: dumb)
            _ = editor.feed(raw("ab"))
            let left = editor.feed(raw("\u{1B}[D"))
            #expect(left.output == [8])
            let leftAgain = editor.feed(raw("\u{1B}OD"))
            #expect(leftAgain.output == [8])
            let atStart = editor.feed(raw("\u{1B}[D"))
            #expect(atStart.output.isEmpty)
            #expect(editor.cursor == 0)
            let right = editor.feed(raw("\u{1B}[C"))
            #expect(right.output == raw("a"))
            let rightAgain = editor.feed(raw("\u{1B}OC"))
            #expect(rightAgain.output == raw("b"))
            let atEnd = editor.feed(raw("\u{1B}[C"))
            #expect(atEnd.output.isEmpty)
            #expect(editor.cursor == 2)
        }
    }

    // MARK: History

    @Test func upAndDownBrowseTheHistoryAndRestoreTheUnfinishedLine() {
        var editor = started()
        _ = editor.feed(raw("one\rtwo\rthree\r"))
        #expect(editor.history == ["one", "two", "three"])
        _ = editor.begin()
        _ = editor.feed(raw("fo"))

        let up = editor.feed(raw("\u{1B}[A"))
        #expect(up.output == raw("\r> three\u{1B}[K"))
        #expect(editor.text == "three")
        #expect(editor.cursor == 5)
        _ = editor.feed(raw("\u{1B}OA"))
        #expect(editor.text == "two")
        _ = editor.feed(raw("\u{1B}[A"))
        #expect(editor.text == "one")
        let oldest = editor.feed(raw("\u{1B}[A"))
        #expect(oldest.output == [7])
        #expect(editor.text == "one")

        _ = editor.feed(raw("\u{1B}[B"))
        #expect(editor.text == "two")
        _ = editor.feed(raw("\u{1B}OB"))
        #expect(editor.text == "three")
        let back = editor.feed(raw("\u{1B}[B"))
        #expect(back.output == raw("\r> fo\u{1B}[K"))
        #expect(editor.text == "fo")
        #expect(editor.cursor == 2)
        let newest = editor.feed(raw("\u{1B}[B"))
        #expect(newest.output == [7])

        let enter = editor.feed(raw("x\r"))
        #expect(enter.events == [.line("fox")])
        #expect(editor.history == ["one", "two", "three", "fox"])
    }

    @Test func historyOnADumbTerminalBlanksTheLongerLine() {
        var editor = started(dumb: true)
        _ = editor.feed(raw("two\rthree\r"))
        _ = editor.begin()
        let three = editor.feed(raw("\u{1B}[A"))
        #expect(three.output == raw("\r> three"))
        let two = editor.feed(raw("\u{1B}[A"))
        #expect(two.output == raw("\r> two  \r> two"))
        let threeAgain = editor.feed(raw("\u{1B}[B"))
        #expect(threeAgain.output == raw("\r> three"))
        let unfinished = editor.feed(raw("\u{1B}[B"))
        #expect(unfinished.output == raw("\r>      \r> "))
        #expect(editor.text == "")
    }

    @Test func upOnAnEmptyHistoryRingsTheBell() {
        var editor = started()
        let up = editor.feed(raw("\u{1B}[A"))
        #expect(up.output == [7])
        let down = editor.feed(raw("\u{1B}[B"))
        #expect(down.output == [7])
    }

    @Test func historyKeepsTheNewestUpToItsLimit() {
        var editor = started(historyLimit: 3)
        _ = editor.feed(raw("1\r2\r3\r4\r5\r"))
        #expect(editor.history == ["3", "4", "5"])
        _ = editor.begin()
        _ = editor.feed(raw("\u{1B}[A\u{1B}[A\u{1B}[A"))
        #expect(editor.text == "3")
        let beyond = editor.feed(raw("\u{1B}[A"))
        #expect(beyond.output == [7])

        var none = started(historyLimit: 0)
        _ = none.feed(raw("a\r"))
        #expect(none.history.isEmpty)
    }

    @Test func consecutiveDuplicatesAndEmptyLinesAreNotStored() {
        var editor = started()
        _ = editor.feed(raw("a\ra\rb\r\ra\r"))
        #expect(editor.history == ["a", "b", "a"])
    }

    // MARK: Completion

    @Test func tabCompletesASingleCandidate() {
        var editor = started()
        editor.completer = commands
        _ = editor.feed(raw("st"))
        let completed = editor.feed(raw("\t"))
        #expect(completed.output == raw("atus "))
        #expect(editor.text == "status ")
        #expect(editor.cursor == 7)
        let secondWord = editor.feed(raw("\t"))
        #expect(secondWord.output == [7])
        #expect(editor.text == "status ")
    }

    @Test func tabCompletesBeforeTheRestOfTheLine() {
        var editor = started()
        editor.completer = commands
        _ = editor.feed(raw("st foo\u{1}\u{1B}[C\u{1B}[C"))
        #expect(editor.cursor == 2)
        let completed = editor.feed(raw("\t"))
        #expect(completed.output == raw("atus  foo\u{1B}[4D"))
        #expect(editor.text == "status  foo")
        #expect(editor.cursor == 7)
    }

    @Test func tabExtendsToTheCommonPrefixThenListsOnTheNextTab() {
        var editor = started()
        editor.completer = commands
        let extended = editor.feed(raw("\t"))
        #expect(extended.output == raw("s"))
        #expect(editor.text == "s")
        let listed = editor.feed(raw("\t"))
        #expect(listed.output == raw("\r\nsensors  set  status\r\n> s"))
        #expect(editor.text == "s")

        let noProgress = editor.feed(raw("e\t"))
        #expect(noProgress.output == raw("e\u{7}"))
        let listedAgain = editor.feed(raw("\t"))
        #expect(listedAgain.output == raw("\r\nsensors  set\r\n> se"))
        let completed = editor.feed(raw("n\t"))
        #expect(completed.output == raw("nsors "))
        #expect(editor.text == "sensors ")
    }

    @Test func severalCandidatesWithoutProgressRingFirstAndListOnTheSecondTab() {
        var editor = started()
        editor.completer = commands
        _ = editor.feed(raw("s"))
        let first = editor.feed(raw("\t"))
        #expect(first.output == [7])
        let second = editor.feed(raw("\t"))
        #expect(second.output == raw("\r\nsensors  set  status\r\n> s"))
        let third = editor.feed(raw("\t"))
        #expect(third.output == raw("\r\nsensors  set  status\r\n> s"))

        // Something typed in between: the next Tab rings again.
        _ = editor.feed(raw("x\u{7F}"))
        let afterTyping = editor.feed(raw("\t"))
        #expect(afterTyping.output == [7])
    }

    @Test func theListRedrawsTheCursorInsideTheLine() {
        var editor = started()
        editor.completer = commands
        _ = editor.feed(raw("s foo\u{1}\u{1B}[C\t"))
        let listed = editor.feed(raw("\t"))
        #expect(listed.output == raw("\r\nsensors  set  status\r\n> s foo\u{1B}[4D"))

        var dumb = started(dumb: true)
        dumb.completer = commands
        _ = dumb.feed(raw("s foo\u{1}\u{1B}[C\t"))
        let dumbListed = dumb.feed(raw("\t"))
        #expect(dumbListed.output == raw("\r\nsensors  set  status\r\n> s foo\u{8}\u{8}\u{8}\u{8}"))
    }

    @Test func tabWithoutACompleterOrCandidatesRingsTheBell() {
        var editor = started()
        let noCompleter = editor.feed(raw("st\t"))
        #expect(noCompleter.output == raw("st\u{7}"))
        editor.completer = commands
        let noCandidate = editor.feed(raw("x\t"))
        #expect(noCandidate.output == raw("x\u{7}"))
        #expect(editor.text == "stx")
    }

    // MARK: Secret

    @Test func secretModeEchoesNothingAndKeepsNoHistory() {
        var editor = LineEditor(prompt: "PIN: ", dumb: false)
        editor.secret = true
        editor.completer = commands
        let prompt = editor.begin()
        #expect(prompt == raw("PIN: "))
        let typed = editor.feed(raw("1234\u{7F}5"))
        #expect(typed.output.isEmpty)
        #expect(editor.text == "1235")
        #expect(editor.redraw() == raw("PIN: "))
        let tab = editor.feed(raw("\t"))
        #expect(tab.output.isEmpty)
        for key in ["\u{1B}[A", "\u{1B}[B", "\u{1B}[D", "\u{1B}[C", "\u{1}", "\u{5}"] {
            let moved = editor.feed(raw(key))
            #expect(moved.output == [7], "key \(key.debugDescription)")
        }
        #expect(editor.text == "1235")
        let enter = editor.feed(raw("\r"))
        #expect(enter.output == raw("\r\n"))
        #expect(enter.events == [.line("1235")])
        #expect(editor.history.isEmpty)

        _ = editor.begin()
        let erasedNothing = editor.feed(raw("\u{7F}"))
        #expect(erasedNothing.output.isEmpty)
        _ = editor.feed(raw("12\u{15}"))
        #expect(editor.text == "")
    }

    @Test func secretModeDoesNotRecallTheHistory() {
        var editor = started()
        _ = editor.feed(raw("status\r"))
        editor.secret = true
        _ = editor.begin()
        let up = editor.feed(raw("\u{1B}[A"))
        #expect(up.output == [7])
        #expect(editor.text == "")
        let end = editor.feed(raw("\u{4}"))
        #expect(end.events == [.endOfInput])
    }

    // MARK: Escape sequences

    @Test func anEscapeSequenceMaySpanFeedCalls() {
        var editor = started()
        _ = editor.feed(raw("ab"))
        let escape = editor.feed(0x1B)
        #expect(escape.output.isEmpty)
        #expect(escape.event == nil)
        let bracket = editor.feed(UInt8(ascii: "["))
        #expect(bracket.output.isEmpty)
        let arrow = editor.feed(UInt8(ascii: "D"))
        #expect(arrow.output == [8])
        #expect(editor.cursor == 1)

        for byte in raw("\u{1B}[3") {
            let partial = editor.feed(byte)
            #expect(partial.output.isEmpty)
        }
        let deleted = editor.feed(UInt8(ascii: "~"))
        #expect(deleted.output == raw(" \u{1B}[1D"))
        #expect(editor.text == "a")

        let start = editor.feed(raw("\u{1B}"))
        #expect(start.output.isEmpty)
        let home = editor.feed(raw("[H"))
        #expect(home.output == raw("\u{1B}[1D"))
        #expect(editor.cursor == 0)
    }

    @Test func unknownSequencesAreSwallowed() {
        var editor = started()
        let result = editor.feed(raw("a\u{1B}[1;5C\u{1B}[200~\u{1B}OP\u{1B}[15~\u{1B}[?25hb\r"))
        #expect(result.output == raw("ab\r\n"))
        #expect(result.events == [.line("ab")])

        let long = editor.feed(raw("\u{1B}[" + String(repeating: "1;", count: 40) + "3~c\r"))
        #expect(long.output == raw("c\r\n"))
        #expect(long.events == [.line("c")])
    }

    @Test func escapeFollowedByAnythingElseDropsTheEscape() {
        var editor = started()
        let result = editor.feed(raw("\u{1B}x\u{1B}\u{1B}[D"))
        #expect(result.output == raw("x\u{8}"))
        #expect(editor.text == "x")
        #expect(editor.cursor == 0)

        let interrupted = editor.feed(raw("\u{5}\u{1B}[1\r"))
        #expect(interrupted.events == [.line("x")])
    }

    // MARK: UTF-8

    @Test func utf8IsInsertedAsOneCharacterAndDeletedByOneBackspace() {
        var editor = started()
        let lead = editor.feed(0xC3)
        #expect(lead.output.isEmpty)
        let continuation = editor.feed(0xA9)
        #expect(continuation.output == [0xC3, 0xA9])
        #expect(editor.text == "é")
        #expect(editor.cursor == 1)
        let erased = editor.feed(0x7F)
        #expect(erased.output == [8, 32, 8])
        #expect(editor.text == "")

        let combining = editor.feed(raw("e\u{301}"))
        #expect(combining.output == raw("e\u{301}"))
        #expect(editor.text == "é")
        #expect(editor.cursor == 1)
        let erasedCombining = editor.feed(0x7F)
        #expect(erasedCombining.output == [8, 32, 8])
        #expect(editor.text == "")
    }

    @Test func wideCharactersTakeTwoColumns() {
        var editor = started()
        _ = editor.feed(raw("あい"))
        #expect(editor.cursor == 2)
        let left = editor.feed(raw("\u{1B}[D"))
        #expect(left.output == [8, 8])
        let erased = editor.feed(0x7F)
        #expect(erased.output == raw("\u{8}\u{8}い  \u{1B}[4D"))
        #expect(editor.text == "い")
        let end = editor.feed(0x05)
        #expect(end.output == raw("い"))
        let erasedAtEnd = editor.feed(0x7F)
        #expect(erasedAtEnd.output == [8, 8, 32, 32, 8, 8])
    }

    @Test func utf8InTheMiddleOfTheLine() {
        var editor = started()
        _ = editor.feed(raw("ac\u{1B}[D"))
        let inserted = editor.feed(raw("é"))
        #expect(inserted.output == raw("éc\u{1B}[1D"))
        let enter = editor.feed(raw("\r"))
        #expect(enter.events == [.line("aéc")])
    }

    @Test func invalidUTF8IsIgnored() {
        var editor = started()
        // A lone lead byte, bytes never valid, a lead byte cut short by ASCII.
        let result = editor.feed([0xFF, 0xC0, 0x80, 0xFE, 0xC3, 0x41])
        #expect(result.output == raw("A"))
        #expect(editor.text == "A")
        // An overlong form, a surrogate, a value past U+10FFFF, a C1 control.
        let rejected = editor.feed([0xE0, 0x80, 0x80, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC2, 0x85])
        #expect(rejected.output.isEmpty)
        #expect(editor.text == "A")
    }

    // MARK: Redraw

    @Test func redrawPutsTheCursorBack() {
        var ansi = started()
        _ = ansi.feed(raw("abc\u{1B}[D"))
        #expect(ansi.redraw() == raw("> abc\u{1B}[1D"))

        var dumb = started(dumb: true)
        _ = dumb.feed(raw("abc\u{1B}[D"))
        #expect(dumb.redraw() == raw("> abc\u{8}"))
        _ = dumb.feed(0x05)
        #expect(dumb.redraw() == raw("> abc"))
    }

    // MARK: Many keys

    @Test(arguments: [false, true])
    func theScreenFollowsTheEditorOverManyKeys(dumb: Bool) {
        var editor = started(dumb: dumb, historyLimit: 5)
        editor.completer = { _ in ["status", "sensors", "set"] }
        var screen = Screen()
        screen.write(raw("> "))
        var random = Generator(state: dumb ? 7 : 11)
        var written: [UInt8] = []
        for step in 0..<5000 {
            let key = asciiKeys[random.next(below: asciiKeys.count)]
            let result = editor.feed(raw(key))
            written += result.output
            screen.write(result.output)
            if !result.events.isEmpty {
                let prompt = editor.begin()
                written += prompt
                screen.write(prompt)
            }
            let inStep = screen.visible == trimmingTrailingSpaces("> " + editor.text) && screen.column == 2 + editor.cursor
            #expect(inStep, """
                step \(step), key \(key.debugDescription): screen \(screen.visible.debugDescription) at \(screen.column), \
                editor \(editor.text.debugDescription) at \(editor.cursor)
                """)
            if !inStep { break }
        }
        #expect(screen.unexpected.isEmpty)
        if dumb {
            #expect(!written.contains(0x1B))
        }
    }

    @Test func dumbModeNeverWritesAnEscape() {
        var editor = started(dumb: true, historyLimit: 10)
        editor.completer = { _ in ["status", "sensors", "set", "séjour", "温度"] }
        let keys = asciiKeys + ["é", "あ", "e\u{301}", "\u{1B}", "[", "O", "\u{1B}["]
        var random = Generator(state: 2026)
        var written: [UInt8] = []
        var events = 0
        for _ in 0..<20000 {
            let result = editor.feed(raw(keys[random.next(below: keys.count)]))
            written += result.output
            if !result.events.isEmpty {
                events += result.events.count
                written += editor.begin()
            }
        }
        #expect(events > 0)
        #expect(!written.contains(0x1B))
        #expect(!editor.history.isEmpty)
    }
}
