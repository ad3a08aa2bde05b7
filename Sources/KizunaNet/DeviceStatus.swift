import KizunaCore

/// What `/v1/status` shows: an immutable snapshot the loop publishes after each wake-up.
public struct DeviceStatus: Sendable {
    public var deviceID: String
    public var flatID: String
    public var version: String
    public var started: WallTime
    public var now: Timestamp
    public var startedMonotonic: MonotonicInstant
    public var occupancy: String
    public var lastActivity: WallTime?
    public var lastActivityAge: Span?
    /// Per sensor: "ok", "fault", "stuck", ...
    public var sensors: [(name: String, health: String)]
    public var openAlarms: [(id: UInt64, kind: String, phase: String)]
    public var store: String
    public var storeQueue: Int
    public var clockSynchronised: Bool?
    /// Per sink: pending steps, failures, last success (empty: no delivery configured).
    public var delivery: [SinkHealth] = []
    /// The I2C sensors' latest values, calibrated and raw (what the technician checks a
    /// calibration against); empty without I2C sensors.
    public var environment: [(sensor: String, value: Double, raw: Double, at: WallTime)] = []
    /// What the learned routine knows and the limits in force now (nil: not published).
    public var routine: RoutineSummary?
    /// The authority's "away until" in force (nil: none), and since when someone has been
    /// home under it and when that becomes her return if they are still there (a visit until then).
    public var declaredAbsence: (until: WallTime, by: String, visitSince: WallTime?, visitEnds: WallTime?)?

    public init(deviceID: String, flatID: String, version: String, started: WallTime, now: Timestamp, startedMonotonic: MonotonicInstant,
                occupancy: String, lastActivity: WallTime?, lastActivityAge: Span?, sensors: [(name: String, health: String)],
                openAlarms: [(id: UInt64, kind: String, phase: String)], store: String, storeQueue: Int, clockSynchronised: Bool?) {
        self.deviceID = deviceID
        self.flatID = flatID
        self.version = version
        self.started = started
        self.now = now
        self.startedMonotonic = startedMonotonic
        self.occupancy = occupancy
        self.lastActivity = lastActivity
        self.lastActivityAge = lastActivityAge
        self.sensors = sensors
        self.openAlarms = openAlarms
        self.store = store
        self.storeQueue = storeQueue
        self.clockSynchronised = clockSynchronised
    }

    public func json(offset: UTCOffset) -> String {
        var j = JSONLine()
        j.add("device", deviceID)
        j.add("flat", flatID)
        j.add("version", version)
        j.add("uptime_s", Int((now.monotonic - startedMonotonic).nanoseconds / 1_000_000_000))
        j.add("time", CivilTime.iso8601(now.wall, offset: offset))
        j.add("occupancy", occupancy)
        if let a = lastActivity { j.add("last_activity", CivilTime.iso8601(a, offset: offset)) } else { j.addNull("last_activity") }
        if let age = lastActivityAge { j.add("last_activity_age_s", Int(age.nanoseconds / 1_000_000_000)) } else { j.addNull("last_activity_age_s") }
        j.addRaw("sensors", JSONLine.array(sensors.map { s in
            var o = JSONLine()
            o.add("name", s.name)
            o.add("health", s.health)
            return o.text
        }))
        j.addRaw("open_alarms", JSONLine.array(openAlarms.map { a in
            var o = JSONLine()
            o.add("id", a.id)
            o.add("kind", a.kind)
            o.add("phase", a.phase)
            return o.text
        }))
        var store = JSONLine()
        store.add("health", self.store)
        store.add("queue", storeQueue)
        j.addRaw("store", store.text)
        if let c = clockSynchronised { j.add("clock_synchronised", c) } else { j.addNull("clock_synchronised") }
        if let r = routine {
            var o = JSONLine()
            o.add("phase", r.phase.rawValue)
            o.add("days_learned", (r.daysLearned * 10).rounded(.down) / 10)
            o.add("days_needed", r.daysNeeded)
            o.add("silence_limit_s", Int(r.silenceLimit.nanoseconds / 1_000_000_000))
            if let b = r.inBedLimit { o.add("silence_limit_in_bed_s", Int(b.nanoseconds / 1_000_000_000)) }
            if let n = r.outings { o.add("outings", n) }
            if let n = r.outingsNeeded { o.add("outings_needed", n) }
            if let l = r.notBackLimit { o.add("not_back_limit_s", Int(l.nanoseconds / 1_000_000_000)) }
            j.addRaw("routine", o.text)
        }
        if let d = declaredAbsence {
            var o = JSONLine()
            o.add("until", CivilTime.iso8601(d.until, offset: offset))
            o.add("by", d.by)
            if let v = d.visitSince, let e = d.visitEnds {
                o.add("visit_since", CivilTime.iso8601(v, offset: offset))
                o.add("visit_ends", CivilTime.iso8601(e, offset: offset))
            } else {
                o.addNull("visit_since")
            }
            j.addRaw("declared_absence", o.text)
        } else {
            j.addNull("declared_absence")
        }
        j.addRaw("environment", "[" + environment.map { e in
            var o = JSONLine()
            o.add("sensor", e.sensor)
            o.add("value", e.value)
            o.add("raw", e.raw)
            o.add("at", CivilTime.iso8601(e.at, offset: offset))
            return o.text
        }.joined(separator: ",") + "]")
        j.addRaw("delivery", "[" + delivery.map { h in
            var o = JSONLine()
            o.add("sink", h.target)
            o.add("pending", h.pending)
            if let old = h.oldestPending {
                o.add("oldest_pending", CivilTime.iso8601(old, offset: offset))
                o.add("oldest_pending_age_s", max(0, Int((now.wall - old).nanoseconds / 1_000_000_000)))
            } else {
                o.addNull("oldest_pending")
            }
            o.add("delivered", h.delivered)
            o.add("rejected", h.rejected)
            o.add("failures", h.failures)
            o.add("consecutive_failures", h.consecutiveFailures)
            o.addRaw("failures_by_kind", "{" + h.failuresByKind.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
            if let t = h.lastSuccess { o.add("last_success", CivilTime.iso8601(t, offset: offset)) } else { o.addNull("last_success") }
            if let e = h.lastError { o.add("last_error", e) } else { o.addNull("last_error") }
            o.add("heartbeats", h.heartbeatsSent)
            return o.text
        }.joined(separator: ",") + "]")
        return j.text
    }
}
