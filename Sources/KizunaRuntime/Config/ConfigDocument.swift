import Foundation
import Yams

/// The installation config as the installer wrote it, edited by key path: what the
/// technician's serial shell uses for `config get`, `config set`, `config diff`.
///
/// Why text and not a parsed tree written back: the file is hand-written, with comments
/// that explain the wiring and flow mappings lined up in columns
/// (`pir.living:    { line: PIR_LIVING }`). Emitting a parsed tree again would drop every
/// comment and reflow every line. Here an edit changes only the characters it must (one
/// value's span, the inserted lines, one entry of a one-line flow mapping) and keeps every
/// other byte. Each edit is checked by parsing the result and comparing it with the tree
/// expected from the change; when they differ the edit is refused and `text` is unchanged.
///
/// Key paths are dot-separated, but keys may contain dots themselves (`pir.living`): at each
/// mapping the longest existing key equal to the next dot-joined segments wins, so
/// `sensors.pir.living.line` finds `line` under `pir.living`. A segment may be quoted to
/// stand for one key: `sensors."temperature.kitchen".calibration.offset`. New keys take one
/// segment each.
///
/// What a value means (is `45m` allowed here?) is not checked here: the caller runs
/// `ConfigLoader.parse` on `text` afterwards.
public struct ConfigDocument: Equatable, Sendable {
    public private(set) var text: String
    /// The file's name, for error messages.
    public let file: String

    public init(text: String, file: String) {
        self.text = text
        self.file = file
    }

    // MARK: Reading

    /// The value at a key path, as YAML text: a scalar as written (without quotes), a
    /// collection rendered compactly in flow style (e.g. `{ line: PIR_LIVING }`). nil if absent.
    public func value(at path: String) throws(ConfigError) -> String? {
        let segments = try Self.segments(of: path, file: file)
        let root = try Self.compose(text, file: file)
        let resolution = try resolve(path, segments, in: root)
        guard case .found(let steps) = resolution, let last = steps.last else { return nil }
        if case .scalar(let scalar) = last.value { return scalar.string }
        return Self.flowText(last.value)
    }

    /// Every key path that has a scalar value, in file order (for tab completion): e.g.
    /// "device.id", "sensors.pir.living.line", "rules.inactivity.day". Lists are not entered.
    /// Empty when the text is not valid YAML.
    public func scalarPaths() -> [String] {
        guard let root = try? Self.compose(text, file: file), case .mapping(let top) = root else { return [] }
        var out: [String] = []
        func walk(_ mapping: Node.Mapping, _ prefix: String) {
            for (key, value) in mapping {
                guard case .scalar(let name) = key else { continue }
                let segment = Self.pathSegment(name.string)
                let path = prefix.isEmpty ? segment : prefix + "." + segment
                switch value {
                case .scalar: out.append(path)
                case .mapping(let inner): walk(inner, path)
                case .sequence, .alias: break
                }
            }
        }
        walk(top, "")
        return out
    }

    /// Line-by-line differences from `old` to self, for `config diff`: "-N: text" (N: the
    /// line in `old`) and "+N: text" (N: the line in self), from a longest common
    /// subsequence of lines. Empty when the lines are equal.
    public func diff(from old: ConfigDocument) -> [String] {
        let a = Source(old.text).lines.map { Source.string($0) }
        let b = Source(text).lines.map { Source.string($0) }
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let x = Array(a[prefix ..< a.count - suffix])
        let y = Array(b[prefix ..< b.count - suffix])
        // common[i][j]: the length of the longest common subsequence of x[i...] and y[j...].
        var common = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                common[i][j] = x[i] == y[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                i += 1
                j += 1
            } else if j == y.count || (i < x.count && common[i + 1][j] >= common[i][j + 1]) {
                out.append("-\(prefix + i + 1): \(x[i])")
                i += 1
            } else {
                out.append("+\(prefix + j + 1): \(y[j])")
                j += 1
            }
        }
        return out
    }

    // MARK: Editing

    /// Sets a scalar. The value is given as the technician typed it (e.g. `45m`, `true`,
    /// `21.5`, `"+09:00"`; a value wrapped in quotes is read as a YAML quoted scalar). It is
    /// written so that YAML reads back the same string: in the existing value's quotes if it
    /// had some, else plain if that is safe, else double-quoted with escapes. Missing
    /// mappings along the path are created: in a block mapping as new lines indented like
    /// their siblings (2 spaces per level if nothing shows the file's step), in a flow mapping
    /// as flow entries (`calibration: { offset: -0.4 }`).
    public mutating func set(_ path: String, to value: String) throws(ConfigError) {
        let segments = try Self.segments(of: path, file: file)
        let newValue = try Self.typed(value, path: path, file: file)
        let root = try Self.compose(text, file: file)
        let source = Source(text)
        let resolution = try resolve(path, segments, in: root)
        let edit: Edit
        let keys: [String]
        let line: Int?
        switch resolution {
        case .found(let steps):
            let last = steps[steps.count - 1]
            keys = steps.map(\.key)
            line = last.value.mark?.line
            edit = try replacement(of: last, by: newValue, in: source, path: path)
        case .missing(let steps, let remaining):
            keys = steps.map(\.key) + remaining
            line = steps.last?.keyNode.mark?.line
            edit = try insertion(of: remaining, value: newValue, below: steps, root: root, in: source, path: path)
        }
        try commit(edit, to: source, expecting: Tree(root).setting(keys[...], to: newValue), path: path, line: line)
    }

    /// Removes a key and its subtree. Removing an absent key is not an error (returns
    /// false). Removing the last key of a flow mapping leaves `{}` (or, when that flow
    /// mapping is itself inside a flow mapping, removes its key too); a block mapping left
    /// empty is removed with its key, up the path (so `calibrate reset` leaves no
    /// `calibration:` behind). Comments are kept, except those inside the removed subtree.
    @discardableResult
    public mutating func remove(_ path: String) throws(ConfigError) -> Bool {
        let segments = try Self.segments(of: path, file: file)
        let root = try Self.compose(text, file: file)
        let source = Source(text)
        let resolution = try resolve(path, segments, in: root)
        guard case .found(let steps) = resolution else { return false }
        var index = steps.count - 1
        while index > 0, case .mapping(let holder) = steps[index].mapping, holder.count == 1 {
            if source.isFlow(steps[index].mapping) && !source.isFlow(steps[index - 1].mapping) { break }
            index -= 1
        }
        let target = steps[index]
        let line = target.keyNode.mark?.line
        let edit: Edit
        if source.isFlow(target.mapping) {
            edit = try flowRemoval(of: target, in: source, path: path)
        } else {
            guard let key = Position(target.keyNode.mark), key.line < source.lines.count,
                  key.column <= source.lines[key.line].count,
                  source.lines[key.line][..<key.column].allSatisfy({ $0 == " " })
            else {
                throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: it does not start its line")
            }
            let end = source.lastLine(ofEntryAt: key.line, indent: key.column, commentIndent: key.column + 1)
            edit = .remove(lines: key.line ..< end + 1)
        }
        let keys = steps[...index].map(\.key)
        try commit(edit, to: source, expecting: Tree(root).removing(keys[...]), path: path, line: line)
        return true
    }

    // MARK: Finding

    /// One mapping entry on the way along a key path.
    private struct Step {
        let key: String
        let keyNode: Node
        let value: Node
        /// The mapping that holds this entry.
        let mapping: Node
    }

    private enum Resolution {
        /// The path exists; the last step's value is its node.
        case found([Step])
        /// The path stops after these steps (none: at the top); the remaining keys are
        /// missing, one segment each. The last step's value is a mapping or nothing (`key:`).
        case missing([Step], [String])
    }

    private struct Segment {
        /// The key it stands for.
        var text: String
        /// As written in the path (with its quotes), for messages.
        var raw: String
        var quoted: Bool
    }

    private func resolve(_ path: String, _ segments: [Segment], in root: Node?) throws(ConfigError) -> Resolution {
        guard let root else { return .missing([], segments.map(\.text)) }
        guard case .mapping = root else {
            throw ConfigError(file: file, line: root.mark?.line, key: path, message: "the document is not a mapping (key: value lines)")
        }
        var steps: [Step] = []
        var node = root
        var i = 0
        while i < segments.count {
            guard case .mapping(let mapping) = node else {
                if !steps.isEmpty, Self.isEmpty(node) { return .missing(steps, segments[i...].map(\.text)) }
                let through = segments[..<i].map(\.raw).joined(separator: ".")
                var kind = "a value"
                if case .sequence = node { kind = "a list" }
                throw ConfigError(file: file, line: node.mark?.line, key: path, message: "\(through) is \(kind), not a section")
            }
            // The longest key equal to the next n segments (a quoted segment stands alone).
            var longest = 1
            if !segments[i].quoted {
                while i + longest < segments.count, !segments[i + longest].quoted { longest += 1 }
            }
            var joined: [String] = []  // joined[n - 1]: the next n segments
            for n in 0 ..< longest {
                joined.append(n == 0 ? segments[i].text : joined[n - 1] + "." + segments[i + n].text)
            }
            var best: (count: Int, step: Step)?
            for (key, value) in mapping {
                guard case .scalar(let name) = key else { continue }
                for n in stride(from: longest, to: best?.count ?? 0, by: -1) where joined[n - 1] == name.string {
                    best = (n, Step(key: name.string, keyNode: key, value: value, mapping: node))
                    break
                }
            }
            guard let match = best else { return .missing(steps, segments[i...].map(\.text)) }
            steps.append(match.step)
            node = match.step.value
            i += match.count
        }
        return .found(steps)
    }

    /// A plain empty value (`key:` with nothing after it).
    private static func isEmpty(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node { return scalar.style == .plain && scalar.string.isEmpty }
        return false
    }

    private static func segments(of path: String, file: String) throws(ConfigError) -> [Segment] {
        let chars = Array(path)
        func failure(_ message: String) -> ConfigError {
            ConfigError(file: file, line: nil, key: path, message: message)
        }
        guard !chars.isEmpty else { throw failure("no key given") }
        var out: [Segment] = []
        var i = 0
        while true {
            let start = i
            if chars[i] == "\"" || chars[i] == "'" {
                let quote = chars[i]
                var key = ""
                var closed = false
                i += 1
                while i < chars.count {
                    let c = chars[i]
                    if quote == "\"", c == "\\", i + 1 < chars.count {
                        key.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    if c == quote {
                        if quote == "'", i + 1 < chars.count, chars[i + 1] == "'" {
                            key.append("'")
                            i += 2
                            continue
                        }
                        closed = true
                        i += 1
                        break
                    }
                    key.append(c)
                    i += 1
                }
                guard closed else { throw failure("a quoted key in the path is not closed") }
                guard !key.isEmpty else { throw failure("empty key in the path") }
                guard i == chars.count || chars[i] == "." else { throw failure("a quoted key must be followed by a dot") }
                out.append(Segment(text: key, raw: String(chars[start ..< i]), quoted: true))
            } else {
                while i < chars.count, chars[i] != "." { i += 1 }
                let key = String(chars[start ..< i])
                guard !key.isEmpty else { throw failure("empty key in the path") }
                out.append(Segment(text: key, raw: key, quoted: false))
            }
            if i == chars.count { break }
            i += 1  // the dot
            guard i < chars.count else { throw failure("empty key in the path") }
        }
        return out
    }

    /// Parses the text as YAMLNode.parse does, but an empty document is nil, not an error.
    private static func compose(_ text: String, file: String) throws(ConfigError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw ConfigError(file: file, line: YAMLNode.line(of: e), key: "", message: "not valid YAML: \(YAMLNode.problem(of: e))")
        } catch {
            throw ConfigError(file: file, line: nil, key: "", message: "not valid YAML: \(error)")
        }
    }

    /// A value as typed: wrapped in quotes, it is a YAML quoted scalar (`"+09:00"`, `'a: b'`).
    private static func typed(_ value: String, path: String, file: String) throws(ConfigError) -> String {
        let scalars = value.unicodeScalars
        guard scalars.count >= 2, let first = scalars.first, first == "\"" || first == "'", scalars.last == first else {
            return value
        }
        if let node = try? Yams.compose(yaml: value), case .scalar(let scalar) = node { return scalar.string }
        throw ConfigError(file: file, line: nil, key: path, message: "\(value) is not a valid quoted value")
    }

    // MARK: Changing the text

    /// The edit that writes `value` over an existing scalar.
    private func replacement(of entry: Step, by value: String, in source: Source, path: String) throws(ConfigError) -> Edit {
        let line = entry.value.mark?.line
        guard case .scalar(let scalar) = entry.value else {
            throw ConfigError(file: file, line: line, key: path, message: "\(path) is a section, not a value; set the keys inside it")
        }
        let flow = source.isFlow(entry.mapping)
        if Self.isEmpty(entry.value) {
            // `key:` with nothing: the value goes after the colon.
            guard let at = Position(scalar.mark), at.line < source.lines.count, at.column <= source.lines[at.line].count else {
                throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its value cannot be found")
            }
            let u = source.lines[at.line]
            var colon = at.column
            while colon > 0, u[colon - 1] == " " || u[colon - 1] == "\t" { colon -= 1 }
            guard colon > 0, u[colon - 1] == ":" else {
                throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its value cannot be found")
            }
            let before = at.column > colon ? "" : " "
            let after = flow && at.column < u.count && (u[at.column] == "}" || u[at.column] == "]") ? " " : ""
            return .replace(line: at.line, from: at.column, to: at.column, text: before + Self.render(value) + after)
        }
        guard let span = source.scalarSpan(scalar, flow: flow) else {
            throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its value spans several lines")
        }
        return .replace(line: span.line, from: span.start, to: span.end, text: Self.render(value, like: scalar.style))
    }

    /// The edit that adds the missing `keys` (the last one with `value`) below `steps`.
    private func insertion(
        of keys: [String], value: String, below steps: [Step], root: Node?, in source: Source, path: String
    ) throws(ConfigError) -> Edit {
        let line = steps.last?.keyNode.mark?.line
        guard let container = steps.last?.value ?? root else {
            // An empty file (or comments only): the first key goes at its end.
            return .insert(lines: Self.blockLines(keys, value, indent: 0, step: 2), at: source.lines.count)
        }
        if case .mapping(let mapping) = container {
            if source.isFlow(container) {
                guard let open = Position(container.mark).map({ source.afterProperties($0) }),
                      let close = source.flowEnd(from: open), close.line == open.line
                else {
                    throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: multi-line flow mapping")
                }
                let u = source.lines[open.line]
                var last = close.column - 1
                while last > open.column, u[last] == " " || u[last] == "\t" { last -= 1 }
                let entry = Self.flowEntry(keys[...], value)
                if last == open.column {
                    return .replace(line: open.line, from: open.column, to: close.column + 1, text: "{ \(entry) }")
                }
                return .replace(line: open.line, from: last + 1, to: last + 1, text: (u[last] == "," ? " " : ", ") + entry)
            }
            guard let lastKey = Array(mapping).last?.key, let at = Position(lastKey.mark), at.line < source.lines.count else {
                throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its place cannot be found")
            }
            let end = source.lastLine(ofEntryAt: at.line, indent: at.column, commentIndent: at.column)
            let step = indentStep(of: container, parentKey: steps.last?.keyNode, root: root, in: source)
            return .insert(lines: Self.blockLines(keys, value, indent: at.column, step: step), at: end + 1)
        }
        // `key:` with nothing after it becomes a section: its keys go on the next lines.
        guard let entry = steps.last, Self.isEmpty(container), !source.isFlow(entry.mapping),
              let key = Position(entry.keyNode.mark), let at = Position(container.mark),
              at.line == key.line, at.line < source.lines.count, at.column > 0, at.column <= source.lines[at.line].count,
              source.lines[at.line][at.column - 1] == ":"
        else {
            throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its place cannot be found")
        }
        let rest = source.lines[at.line][at.column...].drop { $0 == " " || $0 == "\t" }
        guard rest.isEmpty || rest.first == "#" else {
            throw ConfigError(file: file, line: line, key: path, message: "edit this entry in the file: its place cannot be found")
        }
        let parentKey = steps.count >= 2 ? steps[steps.count - 2].keyNode : nil
        let step = indentStep(of: entry.mapping, parentKey: parentKey, root: root, in: source)
        return .insert(lines: Self.blockLines(keys, value, indent: key.column + step, step: step), at: key.line + 1)
    }

    /// The edit that takes one entry out of a one-line flow mapping.
    private func flowRemoval(of entry: Step, in source: Source, path: String) throws(ConfigError) -> Edit {
        let failed = ConfigError(file: file, line: entry.keyNode.mark?.line, key: path, message: "edit this entry in the file: multi-line flow mapping")
        guard case .mapping(let holder) = entry.mapping,
              let open = Position(entry.mapping.mark).map({ source.afterProperties($0) }),
              let close = source.flowEnd(from: open), close.line == open.line,
              let key = Position(entry.keyNode.mark), key.line == open.line, key.column > open.column
        else { throw failed }
        if holder.count == 1 {
            return .replace(line: open.line, from: open.column, to: close.column + 1, text: "{}")
        }
        let valueEnd: Int
        switch entry.value {
        case .scalar(let scalar):
            if Self.isEmpty(entry.value) {
                guard let at = Position(scalar.mark), at.line == open.line, at.column <= close.column else { throw failed }
                valueEnd = at.column
            } else {
                guard let span = source.scalarSpan(scalar, flow: true), span.line == open.line else { throw failed }
                valueEnd = span.end
            }
        case .mapping, .sequence:
            guard let at = Position(entry.value.mark).map({ source.afterProperties($0) }),
                  let end = source.flowEnd(from: at), end.line == open.line
            else { throw failed }
            valueEnd = end.column + 1
        case .alias:
            throw failed
        }
        let u = source.lines[open.line]
        var next = valueEnd
        while next < close.column, u[next] == " " || u[next] == "\t" { next += 1 }
        if next < close.column, u[next] == "," {
            // `a: 1, ` before the next entry
            var following = next + 1
            while following < close.column, u[following] == " " || u[following] == "\t" { following += 1 }
            return .replace(line: open.line, from: key.column, to: following, text: "")
        }
        // the last entry: `, b: 2`
        var previous = key.column - 1
        while previous > open.column, u[previous] == " " || u[previous] == "\t" { previous -= 1 }
        guard u[previous] == "," else { throw failed }
        return .replace(line: open.line, from: previous, to: valueEnd, text: "")
    }

    /// How many spaces a nested block mapping is indented by in this file: from a nested
    /// block mapping in `mapping`, else from `mapping` under its key, else from anywhere in
    /// the document, else 2.
    private func indentStep(of mapping: Node, parentKey: Node?, root: Node?, in source: Source) -> Int {
        func column(_ node: Node) -> Int? { node.mark.map { $0.column - 1 } }
        func firstKeyColumn(_ node: Node) -> Int? {
            guard case .mapping(let m) = node, let first = m.first else { return nil }
            return column(first.key)
        }
        func nestedStep(_ node: Node) -> Int? {
            guard case .mapping(let m) = node, !source.isFlow(node), let outer = firstKeyColumn(node) else { return nil }
            for (_, value) in m {
                if case .mapping = value, !source.isFlow(value), let inner = firstKeyColumn(value), inner > outer {
                    return inner - outer
                }
            }
            return nil
        }
        func search(_ node: Node) -> Int? {
            if let step = nestedStep(node) { return step }
            guard case .mapping(let m) = node else { return nil }
            for (_, value) in m {
                if let step = search(value) { return step }
            }
            return nil
        }
        if let step = nestedStep(mapping) { return step }
        if let parentKey, let outer = column(parentKey), let inner = firstKeyColumn(mapping), inner > outer {
            return inner - outer
        }
        if let root, let step = search(root) { return step }
        return 2
    }

    /// Parses the edited text, compares it with the tree the change should give, and keeps it.
    private mutating func commit(_ edit: Edit, to source: Source, expecting expected: Tree, path: String, line: Int?) throws(ConfigError) {
        var edited = source
        edited.apply(edit)
        let newText = edited.text
        let refused = ConfigError(
            file: file, line: line, key: path,
            message: "edit this entry in the file: the change cannot be made here without touching the rest"
        )
        let newRoot: Node?
        do {
            newRoot = try Yams.compose(yaml: newText)
        } catch {
            throw refused
        }
        guard Tree(newRoot) == expected else { throw refused }
        text = newText
    }

    // MARK: Writing values

    private static let indicators = Set(":#{}[],&*!|>'\"%@`".unicodeScalars)

    /// True for characters a plain scalar must not hold (controls and YAML's line breaks).
    private static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || u.value == 0x7F || u.value == 0x85 || u.value == 0xFEFF || u.value == 0x2028 || u.value == 0x2029
    }

    /// A scalar as YAML text that reads back as `string`: in the quotes `style` names if
    /// it has some, plain if that is safe, else double-quoted.
    private static func render(_ string: String, like style: Node.Scalar.Style? = nil) -> String {
        let hasControl = string.unicodeScalars.contains { isControl($0) }
        if style == .doubleQuoted { return doubleQuoted(string) }
        if style == .singleQuoted, !hasControl { return "'" + string.replacingOccurrences(of: "'", with: "''") + "'" }
        return needsQuotes(string) ? doubleQuoted(string) : string
    }

    private static func needsQuotes(_ string: String) -> Bool {
        let u = Array(string.unicodeScalars)
        guard let first = u.first, let last = u.last else { return true }
        if first == " " || first == "\t" || last == " " || last == "\t" { return true }
        if u.contains(where: { isControl($0) || indicators.contains($0) }) { return true }
        if first == "-" || first == "?" {
            if u.count == 1 || u[1] == " " { return true }
        }
        return string.hasPrefix("---") || string.hasPrefix("...")
    }

    private static func doubleQuoted(_ string: String) -> String {
        var out = "\""
        for u in string.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isControl(u) {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A node in flow style: `{ line: PIR_LIVING }`, `[1, 2]`.
    private static func flowText(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isEmpty(node) { return "~" }
            return render(scalar.string, like: scalar.style)
        case .mapping(let mapping):
            let entries = mapping.map { "\(flowText($0.key)): \(flowText($0.value))" }
            return entries.isEmpty ? "{}" : "{ " + entries.joined(separator: ", ") + " }"
        case .sequence(let sequence):
            return "[" + sequence.map { flowText($0) }.joined(separator: ", ") + "]"
        case .alias(let alias):
            return "*\(alias.anchor.rawValue)"
        }
    }

    /// A key as a path segment: quoted when it would not read back as itself.
    private static func pathSegment(_ key: String) -> String {
        guard key.isEmpty || key.hasPrefix("\"") || key.hasPrefix("'") else { return key }
        return "\"" + key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// New block lines: `keys` nested, the last one holding `value`.
    private static func blockLines(_ keys: [String], _ value: String, indent: Int, step: Int) -> [String] {
        var out: [String] = []
        for (i, key) in keys.enumerated() {
            let pad = String(repeating: " ", count: indent + i * step)
            out.append(i == keys.count - 1 ? "\(pad)\(render(key)): \(render(value))" : "\(pad)\(render(key)):")
        }
        return out
    }

    /// A new flow entry: `keys` nested, the last one holding `value`.
    private static func flowEntry(_ keys: ArraySlice<String>, _ value: String) -> String {
        guard let key = keys.first else { return render(value) }
        if keys.count == 1 { return "\(render(key)): \(render(value))" }
        return "\(render(key)): { \(flowEntry(keys.dropFirst(), value)) }"
    }
}

// MARK: - The text by lines and columns

/// A place in the text, line and column from 0 (a Yams `Mark` counts both from 1; its
/// columns are Unicode scalars, as here).
private struct Position {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init?(_ mark: Mark?) {
        guard let mark else { return nil }
        self.init(line: mark.line - 1, column: mark.column - 1)
    }
}

private enum Edit {
    case replace(line: Int, from: Int, to: Int, text: String)
    case insert(lines: [String], at: Int)
    case remove(lines: Range<Int>)
}

/// The text as lines of Unicode scalars (the unit of a Yams column), and the scanning the
/// edits need: where a scalar ends, where a flow mapping closes, where an entry's lines end.
private struct Source {
    var lines: [[Unicode.Scalar]]
    var finalNewline: Bool

    init(_ text: String) {
        var parts = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        finalNewline = text.isEmpty || text.unicodeScalars.last == "\n"
        if text.isEmpty {
            parts = []
        } else if finalNewline {
            parts.removeLast()
        }
        lines = parts
    }

    var text: String {
        var out = String.UnicodeScalarView()
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append("\n") }
            out.append(contentsOf: line)
        }
        if finalNewline, !lines.isEmpty { out.append("\n") }
        return String(out)
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    mutating func apply(_ edit: Edit) {
        switch edit {
        case .replace(let line, let from, let to, let text):
            lines[line].replaceSubrange(from ..< to, with: Array(text.unicodeScalars))
        case .insert(let new, let index):
            lines.insert(contentsOf: new.map { Array($0.unicodeScalars) }, at: index)
        case .remove(let range):
            lines.removeSubrange(range)
        }
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool { u == " " || u == "\t" }

    func firstNonSpace(_ line: Int) -> Int? {
        lines[line].firstIndex { !Self.isSpace($0) }
    }

    /// After a node's anchor and tag (`&a !!str`), where its text starts.
    func afterProperties(_ p: Position) -> Position {
        guard p.line >= 0, p.line < lines.count, p.column >= 0 else { return p }
        let u = lines[p.line]
        var i = p.column
        while i < u.count, u[i] == "&" || u[i] == "!" {
            while i < u.count, !Self.isSpace(u[i]) { i += 1 }
            while i < u.count, Self.isSpace(u[i]) { i += 1 }
        }
        return Position(line: p.line, column: i)
    }

    /// Whether a collection is written in flow style (`{ ... }`). (Yams does not keep the
    /// style of a composed mapping, so it is read from the text.)
    func isFlow(_ node: Node) -> Bool {
        guard let start = Position(node.mark), start.line >= 0, start.line < lines.count else { return false }
        let p = afterProperties(start)
        let u = lines[p.line]
        return p.column >= 0 && p.column < u.count && (u[p.column] == "{" || u[p.column] == "[")
    }

    /// The index after the quote closing the quoted scalar that opens at `start`, on the same line.
    static func quotedEnd(_ u: [Unicode.Scalar], from start: Int) -> Int? {
        let quote = u[start]
        var i = start + 1
        while i < u.count {
            if quote == "\"", u[i] == "\\" {
                i += 2
                continue
            }
            if u[i] == quote {
                if quote == "'", i + 1 < u.count, u[i + 1] == "'" {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return nil
    }

    /// The bracket closing the flow collection that opens at `open`.
    func flowEnd(from open: Position) -> Position? {
        guard open.line >= 0, open.line < lines.count, open.column >= 0 else { return nil }
        var depth = 0
        var previous: Unicode.Scalar = "{"
        var line = open.line
        var i = open.column
        while line < lines.count {
            let u = lines[line]
            scan: while i < u.count {
                let c = u[i]
                switch c {
                case "{", "[":
                    depth += 1
                    previous = c
                case "}", "]":
                    depth -= 1
                    if depth == 0 { return Position(line: line, column: i) }
                    previous = c
                case "#" where i == 0 || Self.isSpace(u[i - 1]):
                    break scan
                case "\"" where "{[,:?".unicodeScalars.contains(previous), "'" where "{[,:?".unicodeScalars.contains(previous):
                    guard let end = Self.quotedEnd(u, from: i) else { return nil }
                    i = end
                    previous = c
                    continue scan
                case " ", "\t":
                    break
                default:
                    previous = c
                }
                i += 1
            }
            line += 1
            i = 0
        }
        return nil
    }

    /// The columns of a one-line scalar's text (quotes included), or nil when it is not
    /// on one line or is a block scalar (`|`, `>`).
    func scalarSpan(_ scalar: Node.Scalar, flow: Bool) -> (line: Int, start: Int, end: Int)? {
        guard let mark = Position(scalar.mark), mark.line >= 0, mark.line < lines.count else { return nil }
        let p = afterProperties(mark)
        let u = lines[p.line]
        guard p.column >= 0, p.column < u.count else { return nil }
        switch scalar.style {
        case .doubleQuoted, .singleQuoted:
            let quote: Unicode.Scalar = scalar.style == .doubleQuoted ? "\"" : "'"
            guard u[p.column] == quote, let end = Self.quotedEnd(u, from: p.column) else { return nil }
            return (p.line, p.column, end)
        case .plain:
            var i = p.column
            while i < u.count {
                let c = u[i]
                if c == "#", i > p.column, Self.isSpace(u[i - 1]) { break }
                if flow {
                    if c == "," || c == "{" || c == "}" || c == "[" || c == "]" { break }
                    if c == ":", i + 1 == u.count || " \t,{}[]".unicodeScalars.contains(u[i + 1]) { break }
                }
                i += 1
            }
            while i > p.column, Self.isSpace(u[i - 1]) { i -= 1 }
            // A plain scalar continued on the next lines reads back differently: refused.
            guard Self.string(u[p.column ..< i]) == scalar.string else { return nil }
            return (p.line, p.column, i)
        default:
            return nil
        }
    }

    /// The last line of the block mapping entry whose key starts line `keyLine` at column
    /// `indent`: its subtree (lines indented deeper, or an indentless list), then the
    /// comment lines directly after it indented at least `commentIndent`.
    func lastLine(ofEntryAt keyLine: Int, indent: Int, commentIndent: Int) -> Int {
        var last = keyLine
        var line = keyLine + 1
        while line < lines.count {
            guard let first = firstNonSpace(line) else {
                line += 1
                continue
            }
            let u = lines[line]
            if u[first] == "#" {
                line += 1
                continue
            }
            let deeper = first > indent
            let listItem = first == indent && u[first] == "-" && (first + 1 == u.count || Self.isSpace(u[first + 1]))
            guard deeper || listItem else { break }
            last = line
            line += 1
        }
        line = last + 1
        while line < lines.count, let first = firstNonSpace(line), lines[line][first] == "#", first >= commentIndent {
            last = line
            line += 1
        }
        return last
    }
}

// MARK: - The meaning of a document, to check an edit

/// A document reduced to what a reader gets from it: keys, lists and scalar strings.
private indirect enum Tree: Equatable {
    case scalar(String)
    case mapping([TreeEntry])
    case sequence([Tree])

    /// An empty document is an empty mapping.
    init(_ node: Node?) {
        guard let node else {
            self = .mapping([])
            return
        }
        switch node {
        case .scalar(let scalar):
            self = .scalar(scalar.string)
        case .mapping(let mapping):
            self = .mapping(mapping.map { TreeEntry(key: Tree($0.key), value: Tree($0.value)) })
        case .sequence(let sequence):
            self = .sequence(sequence.map { Tree($0) })
        case .alias(let alias):
            self = .scalar("*\(alias.anchor.rawValue)")
        }
    }

    func setting(_ keys: ArraySlice<String>, to value: String) -> Tree {
        guard let key = keys.first else { return .scalar(value) }
        var entries: [TreeEntry] = []
        if case .mapping(let existing) = self { entries = existing }
        if let i = entries.firstIndex(where: { $0.key == .scalar(key) }) {
            entries[i].value = entries[i].value.setting(keys.dropFirst(), to: value)
        } else {
            entries.append(TreeEntry(key: .scalar(key), value: Tree.mapping([]).setting(keys.dropFirst(), to: value)))
        }
        return .mapping(entries)
    }

    func removing(_ keys: ArraySlice<String>) -> Tree {
        guard let key = keys.first, case .mapping(var entries) = self,
              let i = entries.firstIndex(where: { $0.key == .scalar(key) })
        else { return self }
        if keys.count == 1 {
            entries.remove(at: i)
        } else {
            entries[i].value = entries[i].value.removing(keys.dropFirst())
        }
        return .mapping(entries)
    }
}

private struct TreeEntry: Equatable {
    var key: Tree
    var value: Tree
}
