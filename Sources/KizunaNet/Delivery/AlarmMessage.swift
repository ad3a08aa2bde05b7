import Foundation

/// What the authority receives about one alarm step, built by the runtime when the step
/// happens (with the evidence of that moment) and kept in the outbox until delivered.
///
/// Privacy: only what the on-call person needs to decide and act: the kind and severity,
/// the state of the flat (home, away, resting), when and in which room the resident was
/// last active, and the current environment readings. No event history.
public struct AlarmMessage: Codable, Sendable, Equatable {
    public var type = "alarm"
    /// A test of the path (`kizuna alarm test`): nobody needs to go.
    public var test: Bool
    public var device: String
    public var flat: String
    public var alarm: Int64
    public var kind: String
    public var severity: String
    /// alarm (first sent), repeat, acknowledge, resolve.
    public var step: String
    /// When this step happened (ISO-8601 with the flat's offset).
    public var at: String
    /// When the alarm was raised (its pre-alarm, if it had one).
    public var raised: String
    /// The reason in words, as in the flat's record.
    public var reason: String
    /// Who acknowledged (acknowledge steps) or asked for the test.
    public var actor: String?
    public var evidence: Evidence
    /// Filled in at delivery: the step's place in the device's order of steps, and the key
    /// that is the same on every attempt of this step (receivers drop duplicates by it).
    public var sequence: Int64?
    public var idempotencyKey: String?

    public struct Evidence: Codable, Sendable, Equatable {
        public var occupancy: String
        public var lastActivity: String?
        public var lastActivityRoom: String?
        /// Latest environment readings by sensor name (e.g. "temperature.living": 31.5).
        public var readings: [String: Double]

        public init(occupancy: String, lastActivity: String?, lastActivityRoom: String?, readings: [String: Double]) {
            self.occupancy = occupancy
            self.lastActivity = lastActivity
            self.lastActivityRoom = lastActivityRoom
            self.readings = readings
        }

        enum CodingKeys: String, CodingKey {
            case occupancy, readings
            case lastActivity = "last_activity"
            case lastActivityRoom = "last_activity_room"
        }
    }

    public init(test: Bool, device: String, flat: String, alarm: Int64, kind: String, severity: String, step: String,
                at: String, raised: String, reason: String, actor: String?, evidence: Evidence) {
        self.test = test
        self.device = device
        self.flat = flat
        self.alarm = alarm
        self.kind = kind
        self.severity = severity
        self.step = step
        self.at = at
        self.raised = raised
        self.reason = reason
        self.actor = actor
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey {
        case type, test, device, flat, alarm, kind, severity, step, at, raised, reason, actor, evidence, sequence
        case idempotencyKey = "idempotency_key"
    }

    /// The steps that go out on the network (the pre-alarm and its cancel stay in the flat).
    public static func isDelivered(step: String) -> Bool {
        step == "alarm" || step == "repeat" || step == "acknowledge" || step == "resolve"
    }

    public func json() -> String {
        String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> AlarmMessage {
        try JSONDecoder().decode(AlarmMessage.self, from: Data(text.utf8))
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

/// "This device is alive": sent every `heartbeat_every` to every sink, so that the
/// authority notices a device that went dark (power, network, crash) without any alarm.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var type = "heartbeat"
    public var device: String
    public var flat: String
    public var at: String
    public var version: String
    public var uptimeSeconds: Int
    public var openAlarms: Int
    /// Alarm steps not yet delivered to this sink (normally 0).
    public var pending: Int
    /// Sensors not answering or lying, by name (the technician has a visit to make).
    public var faults: [String]

    public init(device: String, flat: String, at: String, version: String, uptimeSeconds: Int, openAlarms: Int, pending: Int, faults: [String]) {
        self.device = device
        self.flat = flat
        self.at = at
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.openAlarms = openAlarms
        self.pending = pending
        self.faults = faults
    }

    enum CodingKeys: String, CodingKey {
        case type, device, flat, at, version, faults, pending
        case uptimeSeconds = "uptime_s"
        case openAlarms = "open_alarms"
    }

    public func json() -> String {
        String(decoding: (try? AlarmMessage.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
