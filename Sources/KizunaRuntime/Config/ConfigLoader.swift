import Foundation
import KizunaCore
import KizunaHardware
import KizunaNet

/// Reads and validates `kizuna.yaml`. Every error names the file, the line and the key.
public enum ConfigLoader {
    /// - Parameter shortTimers: accept every duration down to 1 s. Only for tests of the
    ///   whole device (a VM test cannot wait 3 hours); never in a flat.
    public static func load(file: String, boardsDirectory: String?, shortTimers: Bool = false) throws(ConfigError) -> Installation {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, key: "", message: "cannot read the file")
        }
        return try parse(text, file: file, boardsDirectory: boardsDirectory, shortTimers: shortTimers)
    }

    static let topKeys = ["device", "board", "timezone", "ring_capacity", "sensors", "outputs", "filters", "occupancy", "rules", "alarms", "store", "api", "delivery", "shell"]

    public static func parse(_ text: String, file: String, boardsDirectory: String?, shortTimers: Bool = false) throws(ConfigError) -> Installation {
        var root = try YAMLNode.parse(text, file: file)
        root.shortTimers = shortTimers
        let top = try root.mapping(allowed: topKeys)
        func section(_ name: String) -> YAMLNode? { top.first { $0.key == name }?.value }

        // The board comes first: sensors are checked against it.
        guard let boardNode = section("board") else {
            throw ConfigError(file: file, line: nil, key: "board", message: "missing: name a board profile from boards/ (for example: board: sim)")
        }
        let boardName = try boardNode.string()
        guard let dir = boardsDirectory else {
            throw boardNode.error("no boards/ folder found; give --boards DIR or set KIZUNA_BOARDS")
        }
        let known = BoardProfileLoader.available(in: dir)
        guard known.contains(boardName) else {
            throw boardNode.error("no board profile '\(boardName)' in \(dir) (known: \(known.joined(separator: ", ")))")
        }
        let board = try BoardProfileLoader.load(name: boardName, directory: dir)

        var deviceID = "kizuna"
        var deviceIDGiven: YAMLNode?
        var warnings: [ConfigError] = []
        var flatID = ""
        var offset = UTCOffset.japan
        var ringCapacity = 4096
        var settle = Span.milliseconds(30)
        var hold = Span.seconds(10)
        var occupancy = OccupancySettings()
        var rules = RuleSettings()
        var ladder = LadderSettings()

        if let d = section("device") {
            for (k, v) in try d.mapping(allowed: ["id", "flat"]) {
                if k == "id" { deviceID = try v.string(); deviceIDGiven = v } else { flatID = try v.string() }
            }
        }
        if let t = section("timezone") {
            guard let o = UTCOffset(parsing: try t.string()) else { throw t.error("expected an offset from UTC such as +09:00") }
            offset = o
        }
        if let r = section("ring_capacity") { ringCapacity = try r.int(in: 64...1_048_576) }
        if let f = section("filters") {
            for (k, v) in try f.mapping(allowed: ["contact_settle", "pir_hold"]) {
                if k == "contact_settle" { settle = try v.span(in: .zero ... .seconds(2)) } else { hold = try v.span(in: .zero ... .minutes(10)) }
            }
        }
        if let o = section("occupancy") {
            for (k, v) in try o.mapping(allowed: ["away_after", "resting_at_night", "resting_by_day", "stray_trigger", "visit", "night"]) {
                switch k {
                case "away_after": occupancy.awayConfirmation = try v.span(in: .minutes(1) ... .hours(6))
                case "resting_at_night": occupancy.restingAtNight = try v.span(in: .minutes(1) ... .hours(12))
                case "resting_by_day": occupancy.restingByDay = try v.span(in: .minutes(1) ... .hours(12))
                case "stray_trigger": occupancy.strayTrigger = try v.span(in: .zero ... .hours(1))
                case "visit": occupancy.visit = try v.span(in: .zero ... .hours(12))
                default:
                    for (nk, nv) in try v.mapping(allowed: ["start", "end"]) {
                        if nk == "start" { occupancy.nightStart = try nv.timeOfDay() } else { occupancy.nightEnd = try nv.timeOfDay() }
                    }
                    // The same start and end would make a night of no time: the night's limits never apply.
                    guard occupancy.nightStart != occupancy.nightEnd else {
                        throw v.error("start and end are both \(occupancy.nightStart): the night would be empty")
                    }
                }
            }
        }
        var environmentRules = EnvironmentSettings()
        // The learned routine is on unless the config says `routine: off` (it uses the
        // fixed limits until it has a week of the flat's history).
        var routineSettings: RoutineSettings? = RoutineSettings()
        var vocGiven: Set<String> = []   // the keys of rules.voc the config gives
        if let r = section("rules") {
            for (k, v) in try r.mapping(allowed: ["inactivity", "door_open", "pir_stuck", "pir_silent"] + Self.environmentRuleKeys + ["routine"]) {
                switch k {
                case "routine":
                    routineSettings = try Self.routine(v)
                case _ where Self.environmentRuleKeys.contains(k):
                    try Self.environmentRule(k, v, into: &environmentRules, vocGiven: &vocGiven)
                case "inactivity":
                    for (ik, iv) in try v.mapping(allowed: ["day", "night"]) {
                        let s = try iv.span(in: .minutes(10) ... .hours(48))
                        if ik == "day" { rules.inactivityByDay = s } else { rules.inactivityAtNight = s }
                    }
                case "door_open":
                    for (dk, dv) in try v.mapping(allowed: ["day", "night"]) {
                        let s = try dv.span(in: .minutes(1) ... .hours(24))
                        if dk == "day" { rules.doorOpenByDay = s } else { rules.doorOpenAtNight = s }
                    }
                case "pir_stuck": rules.pirStuckAfter = try v.span(in: .minutes(10) ... .days(7))
                default:
                    for (pk, pv) in try v.mapping(allowed: ["after", "door_uses"]) {
                        if pk == "after" { rules.pirSilentAfter = try pv.span(in: .hours(6) ... .days(60)) } else { rules.pirSilentDoorUses = try pv.int(in: 1...1000) }
                    }
                }
            }
        }
        if let a = section("alarms") {
            for (k, v) in try a.mapping(allowed: ["prealarm_grace", "repeat_every"]) {
                if k == "prealarm_grace" { ladder.preAlarmGrace = try v.span(in: .seconds(10) ... .minutes(30)) } else { ladder.repeatEvery = try v.span(in: .minutes(1) ... .hours(24)) }
            }
        }

        var storeSettings: StoreSettings?
        if let st = section("store") {
            var path: String?
            var settings = StoreSettings(path: "")
            for (k, v) in try st.mapping(allowed: ["path", "commit_every", "keep_events", "keep_hourly"]) {
                switch k {
                case "path": path = try v.string()
                case "commit_every": settings.commitEvery = try v.span(in: .milliseconds(100) ... .minutes(5))
                case "keep_events": settings.keepEvents = try v.span(in: .days(1) ... .days(3650))
                default: settings.keepHourly = try v.span(in: .days(1) ... .days(3650))
                }
            }
            guard let path, !path.isEmpty else { throw st.error("say where the database goes: path: /var/lib/kizuna/kizuna.sqlite") }
            settings.path = path
            storeSettings = settings
        }
        var apiSettings: APISettings?
        if let a = section("api") {
            var api = APISettings()
            for (k, v) in try a.mapping(allowed: ["listen", "tokens", "tls", "summary_window"]) {
                switch k {
                case "listen":
                    let text = try v.string()
                    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
                        throw v.error("expected HOST:PORT such as 127.0.0.1:8080, got \"\(text)\"")
                    }
                    api.host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                    api.port = port
                case "tls":
                    for (tk, tv) in try v.mapping(allowed: ["certificate", "key"]) {
                        if tk == "certificate" { api.certificate = try tv.string() } else { api.key = try tv.string() }
                    }
                    guard api.certificate != nil, api.key != nil else { throw v.error("TLS needs both certificate and key") }
                case "summary_window": api.summaryWindow = try v.span(in: .minutes(10) ... .days(7))
                default:
                    for t in try v.sequence() {
                        var name = "", role: APIRole?, privacy = PrivacyLevel.summary, hash: [UInt8]?
                        for (tk, tv) in try t.mapping(allowed: ["name", "role", "privacy", "sha256"]) {
                            switch tk {
                            case "name": name = try tv.string()
                            case "role":
                                let r = try tv.string()
                                guard let parsed = APIRole(rawValue: r) else { throw tv.error("expected authority or technician, got \"\(r)\"") }
                                role = parsed
                            case "privacy":
                                let p = try tv.string()
                                guard let parsed = PrivacyLevel(rawValue: p) else { throw tv.error("expected summary or full, got \"\(p)\"") }
                                privacy = parsed
                            default:
                                let hex = Array(try tv.string().lowercased().utf8)
                                func digit(_ c: UInt8) -> UInt8? {
                                    switch c {
                                    case 48...57: c - 48
                                    case 97...102: c - 87
                                    default: nil
                                    }
                                }
                                let digits = hex.compactMap(digit)
                                guard hex.count == 64, digits.count == 64 else {
                                    throw tv.error("expected the token's SHA-256 as 64 hex digits (sha256sum of the token), not the token itself")
                                }
                                hash = stride(from: 0, to: 64, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
                            }
                        }
                        guard !name.isEmpty, let role, let hash else { throw t.error("a token needs name, role and sha256") }
                        api.tokens.append(APIToken(name: name, role: role, privacy: privacy, sha256: hash))
                    }
                }
            }
            guard !api.tokens.isEmpty else { throw a.error("the API needs at least one token (api.tokens)") }
            apiSettings = api
        }

        var deliverySettings: DeliverySettings?
        if let d = section("delivery") {
            let parsed = try DeliveryConfig.parse(d, configFile: file)
            guard storeSettings != nil else { throw d.error("alarm delivery needs the store (store.path): the outbox lives there") }
            if !parsed.isEmpty {
                // The authority tells flats apart by the device's name: every device left
                // unnamed would send its alarms as "kizuna", and staff could not tell whose
                // flat called (nor would their receivers keep two devices' alarms apart).
                // Not refused: a device upgraded with such a config must go on watching over
                // her; it sends under a name of its own (from /etc/machine-id) and says so.
                let generic = deviceIDGiven == nil || deviceID.trimmingCharacters(in: .whitespaces).isEmpty || deviceID.lowercased() == "kizuna"
                if generic {
                    let example = "device: { id: kz-0001, flat: 3-1204 }"
                    let fallback = Self.machineName()
                    let message = deviceIDGiven == nil
                        ? "missing: alarms are delivered (delivery), so name this device, unique per installation (\(example)); sending as \(fallback) until then"
                        : "'\(deviceID)' cannot tell this device from others to the authority; give a name unique per installation (\(example)); sending as \(fallback) until then"
                    warnings.append(ConfigError(file: file, line: deviceIDGiven?.line ?? d.line, key: "device.id", message: message))
                    if flatID.isEmpty { flatID = fallback }
                    deviceID = fallback
                }
                deliverySettings = parsed
            }
        }

        let shellSettings = try section("shell").map { n throws(ConfigError) in try ShellConfig.parse(n) }

        // Sensors and outputs, resolved against the board.
        var descriptors: [SensorDescriptor] = []
        var inverted: [Bool] = []
        var wiring = Wiring()
        var sensorLines: [String: Int] = [:]
        var used: [LineAddress: String] = [:]

        var usedNames: [String: String] = [:]
        var environment: [EnvironmentWire] = []

        func resolveLine(_ node: YAMLNode, allowedExtra: [String]) throws(ConfigError) -> (LineReference?, [(String, YAMLNode)]) {
            let entries = try node.mapping(allowed: ["pin", "line", "chip", "offset"] + allowedExtra)
            var reference: LineReference?
            var chip: String?
            var offset: Int?
            var extras: [(String, YAMLNode)] = []
            for (k, v) in entries {
                switch k {
                case "pin":
                    let pin = try v.int(in: 1...80)
                    guard let a = board.header[pin] else {
                        let pins = board.header.keys.sorted().map(String.init).joined(separator: ", ")
                        throw v.error("pin \(pin) is not a GPIO pin on board '\(board.name)'" + (pins.isEmpty ? " (it has no header)" : " (GPIO pins: \(pins))"))
                    }
                    reference = .address(a)
                case "line":
                    let name = try v.string()
                    if let a = board.line(named: name) {
                        reference = .address(a)
                    } else if board.isSimulated {
                        throw v.error("no line named '\(name)' on board '\(board.name)'")
                    } else {
                        reference = .named(name)  // looked up on the running system
                    }
                case "chip": chip = try v.string()
                case "offset": offset = try v.int(in: 0...511)
                default: extras.append((k, v))
                }
            }
            if reference == nil, let offset {
                let label = chip ?? board.chips[0].label
                guard let c = board.chip(label) else { throw node.error("no chip labelled '\(label)' on board '\(board.name)'") }
                guard offset < c.lineCount else { throw node.error("offset \(offset) is past the last line of \(label) (\(c.lineCount) lines)") }
                reference = .address(LineAddress(chipLabel: label, offset: offset))
            }
            let owner = node.path.split(separator: ".").dropFirst().joined(separator: ".")
            switch reference {
            case .address(let a)?:
                if let other = used[a] { throw node.error("line \(a) is already used by \(other)") }
                used[a] = owner
            case .named(let n)?:
                if let other = usedNames[n] { throw node.error("line \(n) is already used by \(other)") }
                usedNames[n] = owner
            case nil:
                break
            }
            return (reference, extras)
        }

        if let s = section("sensors") {
            for (name, value) in try s.mapping() {
                guard let d = SensorDescriptor(name: name) else {
                    let kinds = SensorKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw value.error("a sensor name is KIND.ROOM, with KIND one of \(kinds)")
                }
                sensorLines[name] = value.line
                var isInverted = false
                if d.kind.isBinary {
                    let (line, extras) = try resolveLine(value, allowedExtra: ["inverted", "bias"])
                    guard let line else { throw value.error("say where it is wired: pin: N, line: NAME, or chip: LABEL with offset: N") }
                    var bias = LineBias.asIs
                    for (k, v) in extras {
                        if k == "inverted" {
                            isInverted = try v.bool()
                        } else {
                            let text = try v.string()
                            guard let b = LineBias(rawValue: text) else {
                                throw v.error("expected one of \(LineBias.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
                            }
                            bias = b
                        }
                    }
                    wiring.inputs.append(InputWire(sensor: SensorID(descriptors.count), line: line, bias: bias, key: value.path))
                } else if let wire = try Self.environmentWire(value, sensor: SensorID(descriptors.count), kind: d.kind) {
                    // One address on a bus is one chip, in one room, giving each quantity once:
                    // two chips left at one address would leave one of them never read, and
                    // never reported faulty (a hot bedroom never alarmed).
                    let at = "0x\(String(wire.address, radix: 16)) on i2c-\(wire.bus)"
                    if let other = environment.first(where: { $0.bus == wire.bus && $0.address == wire.address }) {
                        let name = descriptors[Int(other.sensor.index)].name
                        if other.chip != wire.chip {
                            throw value.error("\(at) is already \(name)'s \(other.chip.rawValue): two chips cannot share an address (set the other address on one of them)")
                        }
                        if let same = environment.first(where: { $0.bus == wire.bus && $0.address == wire.address && $0.kind == wire.kind }) {
                            throw value.error("\(at) already gives \(descriptors[Int(same.sensor.index)].name): a second chip needs its own address")
                        }
                        if descriptors[Int(other.sensor.index)].room != d.room {
                            throw value.error("\(at) is \(name)'s chip, in room '\(descriptors[Int(other.sensor.index)].room)': a chip is in one room")
                        }
                    }
                    environment.append(wire)
                }
                descriptors.append(d)
                inverted.append(isInverted)
            }
        }
        guard descriptors.contains(where: { $0.kind == .pir }) else {
            throw ConfigError(file: file, line: section("sensors")?.line, key: "sensors", message: "at least one PIR (pir.ROOM) is needed to watch over anyone")
        }
        if let o = section("outputs") {
            for (name, value) in try o.mapping(allowed: OutputRole.allCases.map(\.rawValue)) {
                let (line, _) = try resolveLine(value, allowedExtra: [])
                guard let line else { throw value.error("say where it is wired: pin: N, line: NAME, or chip: LABEL with offset: N") }
                wiring.outputs.append(OutputWire(role: OutputRole(rawValue: name)!, line: line, key: value.path))
            }
        }
        if flatID.isEmpty { flatID = deviceID }

        // An SGP40 gives its raw signal, which falls as VOC rises and moves by a few percent:
        // unless the config says otherwise, judge it as such (an uncalibrated default); a
        // rise the technician gave stays hers.
        if !vocGiven.contains("signal"), environment.contains(where: { $0.chip == .sgp40 }) {
            environmentRules.vocSignal = .rawTicks
            if !vocGiven.contains("rise_percent") { environmentRules.vocRisePercent = 5 }
        }
        // A rise is over once it stays below `rise − hysteresis`: a hysteresis at or past the
        // rise itself would never end one (every silence limit shortened until a restart).
        // The raw signal moves by a few percent: 2 at most; the VOC index: 15 at most.
        let cap = environmentRules.vocSignal == .rawTicks ? 2 : EnvironmentSettings().vocRiseHysteresis
        environmentRules.vocRiseHysteresis = min(cap, environmentRules.vocRisePercent / 2)
        var settings = EngineSettings(
            sensors: SensorRegistry(descriptors), inverted: inverted, utcOffset: offset, ringCapacity: ringCapacity,
            contactSettle: settle, pirHold: hold, occupancy: occupancy, rules: rules, ladder: ladder, environment: environmentRules)
        settings.routine = routineSettings
        var installation = Installation(configFile: file, deviceID: deviceID, flatID: flatID, board: board, settings: settings,
                                        wiring: wiring, sensorLines: sensorLines, store: storeSettings, api: apiSettings,
                                        delivery: deliverySettings, environment: environment, shell: shellSettings)
        installation.boardsDirectory = boardsDirectory
        installation.shortTimers = shortTimers
        installation.warnings = warnings
        return installation
    }

    /// A name of this machine's own for an unnamed device: `kz-` and the first 8 hex digits
    /// of /etc/machine-id (unique per installation, stable across reboots), or of the host
    /// name if there is none.
    static func machineName() -> String {
        let id = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if id.count >= 8, id.allSatisfy(\.isHexDigit) { return "kz-" + id.prefix(8) }
        return "kz-" + ProcessInfo.processInfo.hostName
    }
}
