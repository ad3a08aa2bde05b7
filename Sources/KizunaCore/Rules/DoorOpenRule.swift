/// A door left open: by day after `byDay`, at night after the stricter `atNight`.
/// The resident may silence it with the button for this opening (airing the flat);
/// closing the door re-arms it.
public struct DoorOpenRule: Sendable {
    public var byDay: Span
    public var atNight: Span
    public var night: DailyWindow

    struct DoorState: Sendable {
        var sensor: SensorID
        var openSince: Timestamp?
        var deadline: MonotonicInstant = .never
        var silenced = false
        /// Its alarm was still open at a restart and the door was found shut at the boot:
        /// the alarm is resolved at the first timer pass (`deadline` is the boot).
        var shutWhileOff = false
    }
    var doors: [DoorState] = [] {
        didSet {   // doors change seldom; the timers ask at every pass
            var d = MonotonicInstant.never
            for door in doors where door.deadline < d { d = door.deadline }
            deadline = d
        }
    }

    public init(byDay: Span, atNight: Span, night: DailyWindow) {
        self.byDay = byDay
        self.atNight = atNight
        self.night = night
    }

    mutating func index(_ sensor: SensorID) -> Int {
        if let i = doors.firstIndex(where: { $0.sensor == sensor }) { return i }
        doors.append(DoorState(sensor: sensor))
        return doors.count - 1
    }

    /// The earliest open door's limit (`.never` if none), kept with `doors`.
    private(set) var deadline: MonotonicInstant = .never

    mutating func opened(_ sensor: SensorID, at time: Timestamp) {
        let i = index(sensor)
        doors[i].openSince = time
        doors[i].silenced = false
        let due = night.firstTimeExceeding(since: time.wall, inside: atNight, outside: byDay, crossing: .current)
        doors[i].deadline = time.monotonic + (due.at - time.wall)
    }

    mutating func closed(_ sensor: SensorID, at time: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        let i = index(sensor)
        doors[i].openSince = nil
        doors[i].deadline = .never
        doors[i].silenced = false
        doors[i].shutWhileOff = false
        if !ladder.isEmpty {
            ladder.clear(.doorOpen, sensor: sensor, cancel: .doorClosed(sensor), resolve: .doorClosed(sensor), at: time, into: &out)
        }
    }

    /// The door as found at a restart, against what the store remembers: open since
    /// `openedBefore` (its last stored event an opening) or since the boot, not yet alarmed
    /// on, it is judged from then; its alarm still open (`alarmRaised`), an open door keeps
    /// it (no second alarm on top: the ladder repeats it), a shut one has it resolved at the
    /// first pass — a door-open alarm must not repeat for a door shut while the device was off.
    /// A door she silenced for this opening (its pre-alarm cancelled with the button: airing
    /// the flat) stays silenced until it closes.
    mutating func resume(_ sensor: SensorID, open: Bool, openedBefore: Timestamp?, alarmRaised: Timestamp?,
                         silenced: Bool = false, at now: Timestamp) {
        let i = index(sensor)
        switch (open, alarmRaised) {
        case (true, nil) where silenced:
            doors[i].openSince = openedBefore ?? now
            doors[i].silenced = true
            doors[i].deadline = .never
        case (true, nil):
            opened(sensor, at: openedBefore ?? now)
        case (true, let raised?):
            doors[i].openSince = openedBefore ?? raised
            doors[i].deadline = .never
            doors[i].silenced = false
        case (false, .some):
            doors[i].openSince = nil
            doors[i].shutWhileOff = true
            doors[i].deadline = now.monotonic
        case (false, nil):
            break
        }
    }

    /// Takes other limits and another night window (the configuration changed). A door
    /// open and not yet alarmed on is judged by them from when it was opened: its deadline
    /// moves by the difference the new limits make (a postponement after an outage is
    /// kept). A door already alarmed on, or silenced, stays so until it closes.
    mutating func reconfigure(byDay newDay: Span, atNight newNight: Span, night newWindow: DailyWindow) {
        for i in doors.indices where doors[i].deadline != .never {
            guard let since = doors[i].openSince else { continue }
            let old = night.firstTimeExceeding(since: since.wall, inside: atNight, outside: byDay, crossing: .current)
            let new = newWindow.firstTimeExceeding(since: since.wall, inside: newNight, outside: newDay, crossing: .current)
            doors[i].deadline = doors[i].deadline + (new.at - old.at)
        }
        byDay = newDay
        atNight = newNight
        night = newWindow
    }

    /// Moves every pending open-door deadline later (the system was offline for `span`).
    mutating func postpone(by span: Span) {
        for i in doors.indices where doors[i].deadline != .never { doors[i].deadline = doors[i].deadline + span }
    }

    /// The resident cancelled the pre-alarm: no new alarm until the door closes.
    mutating func silenceOpenDoors() {
        for i in doors.indices where doors[i].openSince != nil {
            doors[i].silenced = true
            doors[i].deadline = .never
        }
    }

    mutating func expire(at now: Timestamp, ladder: inout AlarmLadder, into out: inout [Decision]) {
        for i in doors.indices where doors[i].deadline <= now.monotonic {
            doors[i].deadline = .never
            if doors[i].shutWhileOff {
                doors[i].shutWhileOff = false
                ladder.clear(.doorOpen, sensor: doors[i].sensor, cancel: .doorClosed(doors[i].sensor),
                             resolve: .doorClosed(doors[i].sensor), at: now, into: &out)
                continue
            }
            guard let since = doors[i].openSince, !doors[i].silenced else { continue }
            let n = night.contains(now.wall)
            ladder.raise(.doorOpen, sensor: doors[i].sensor,
                         .doorOpen(doors[i].sensor, for: now.monotonic - since.monotonic, limit: n ? atNight : byDay, atNight: n),
                         at: now, into: &out)
        }
    }
}
