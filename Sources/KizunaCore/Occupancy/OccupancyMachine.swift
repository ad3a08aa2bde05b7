/// Fuses door and motion into home / resting / away.
///
/// - motion after a door event, or motion while away: home;
/// - the door used while away (not declared away): presumed home, not yet seen (`unknown`):
///   she came back, and may have fallen in the entrance before any PIR saw her, so the
///   silence counts from that door; the closing of the same door is not a departure, the next
///   opening may be;
/// - a door event followed by `awayConfirmation` without a new motion (and no PIR still
///   active): away; a PIR still active, later declared stuck, does not hold this back (it
///   was a lost "no motion" or a fridge door left open), but its next rise alone brings the
///   flat home (she may have been in its view all along);
/// - home and quiet for `restingAtNight` at night or `restingByDay` by day: resting;
/// - motion while resting: home.
///
/// Only the start of motion counts after a door event: a PIR that saw the resident walk
/// out ends its episode after the door closed, and that end is not someone at home.
public struct OccupancyMachine: Sendable {
    public private(set) var state: OccupancyState = .unknown
    public var settings: OccupancySettings
    public var night: DailyWindow

    /// Last door event not yet followed by a motion start (the door that may mean "out").
    var pendingDoor: (sensor: SensorID, at: Timestamp)?
    /// Last door event at all, to tell a return from a missed door event.
    var lastDoor: (sensor: SensorID, at: Timestamp)?
    /// The door used while the flat read away (a return not yet seen), until motion is seen
    /// or the door is opened again.
    var returnDoor: (sensor: SensorID, at: Timestamp)?
    /// When the flat last went away: only a door used after it is a way in.
    var awayAt: MonotonicInstant = .never
    /// How long after the door a PIR's output rising again, within an episode that began
    /// before it, says someone is inside (`seenAfterDoor`): the door's own swing, seen by a
    /// PIR facing it, comes with the door.
    static let doorSettle: Span = .seconds(5)
    /// Away although this sensor was still high (declared stuck): its next rise is presence.
    public private(set) var awayDespite: SensorID?
    /// When motion was last seen (start, or the fall that ended an episode).
    var lastMotion: Timestamp?
    var activeMotion = 0

    var awayDeadline: MonotonicInstant = .never
    /// When quiet becomes resting, or a moment before: a bound (`restingExact` false) until it is
    /// reached, when the night window says the exact time. Every motion's end re-arms it,
    /// and the window's arithmetic there was a tenth of a recording's replay.
    var restingDeadline: MonotonicInstant = .never
    var restingExact = true

    public init(settings: OccupancySettings, night: DailyWindow) {
        self.settings = settings
        self.night = night
    }

    public var deadline: MonotonicInstant { min(awayDeadline, restingDeadline) }

    /// Puts the machine in a state without a transition (restart recovery, tests).
    public mutating func restore(_ state: OccupancyState, lastMotion: Timestamp?) {
        self.state = state
        returnDoor = nil
        // Away since before the restart: the door she left by is not known, any door since is a way in.
        awayAt = MonotonicInstant(nanoseconds: .min)
        self.lastMotion = lastMotion
        rearmResting()
    }

    /// The device restarted within the minutes after a door was used with no motion since
    /// (her last sign before the stop was the door): the departure is decided as it would
    /// have been, `awayConfirmation` after the door (at once if that has passed). Lost, an
    /// outing begun just before a restart read as a silence at home and raised a false alarm.
    public mutating func resumeDeparture(door: SensorID, at time: Timestamp) {
        // Not from `unknown`: that door was most likely the one she came in by (the flat
        // read away before it), and a fall in the entrance must stay a silence at home.
        guard state == .home || state == .resting, lastMotion.map({ $0.monotonic <= time.monotonic }) ?? true else { return }
        lastDoor = (door, time)
        pendingDoor = (door, time)
        awayDeadline = time.monotonic + settings.awayConfirmation
    }

    /// Takes other settings and another night window (the configuration changed), keeping
    /// the state. A pending away confirmation is re-armed from the door event it counts
    /// from, and the resting timer from the last motion, so a shortened or lengthened limit
    /// applies to the quiet already under way.
    mutating func reconfigure(_ settings: OccupancySettings, night: DailyWindow) {
        self.settings = settings
        self.night = night
        if awayDeadline != .never, let door = pendingDoor {
            awayDeadline = door.at.monotonic + settings.awayConfirmation
        }
        rearmResting()
    }

    mutating func move(to new: OccupancyState, _ reason: OccupancyReason, at time: Timestamp, into out: inout [Decision]) {
        guard new != state else { return }
        if new == .away { awayAt = time.monotonic }
        out.append(.occupancy(OccupancyTransition(from: state, to: new, reason: reason, at: time)))
        state = new
    }

    public mutating func motionStarted(_ sensor: SensorID, at time: Timestamp, into out: inout [Decision]) {
        activeMotion += 1
        presence(sensor, at: time, into: &out)
    }

    /// Someone is in the flat (motion, the button): home, whatever the state was.
    public mutating func presence(_ sensor: SensorID, at time: Timestamp, into out: inout [Decision]) {
        lastMotion = time
        awayDespite = nil
        restingDeadline = .never
        switch state {
        case .away:
            if cameThroughDoor(at: time), let door = lastDoor {
                move(to: .home, .motionAfterDoor(motion: sensor, door: door.sensor), at: time, into: &out)
            } else {
                move(to: .home, .motionWhileAway(sensor), at: time, into: &out)
            }
        case .unknown, .resting:
            if state == .unknown, let door = returnDoor {
                move(to: .home, .motionAfterDoor(motion: sensor, door: door.sensor), at: time, into: &out)
            } else {
                move(to: .home, .motion(sensor), at: time, into: &out)
            }
        case .home:
            break
        }
        pendingDoor = nil
        returnDoor = nil
        awayDeadline = .never
        rearmResting()
    }

    public mutating func motionEnded(_ sensor: SensorID, lastSeen: Timestamp) {
        activeMotion = max(0, activeMotion - 1)
        if lastMotion == nil || lastMotion!.monotonic < lastSeen.monotonic { lastMotion = lastSeen }
        rearmResting()
    }

    /// The authority declared her away (`DeclaredAbsence`): away now, whatever the sensors
    /// said last; a return brings the flat home as usual.
    mutating func declaredAway(until: WallTime, by who: String, at time: Timestamp, into out: inout [Decision]) {
        pendingDoor = nil
        awayDespite = nil
        awayDeadline = .never
        restingDeadline = .never
        restingExact = true
        returnDoor = nil
        move(to: .away, .declaredAway(until: until, by: who), at: time, into: &out)
    }

    /// A PIR declared stuck no longer counts as someone moving. If it alone held a departure
    /// back (a door, then nothing but that sensor's lost "no motion" or a fridge door left
    /// open), she left: away now, from that door.
    public mutating func motionDiscounted(_ sensor: SensorID, at now: Timestamp, into out: inout [Decision]) {
        activeMotion = max(0, activeMotion - 1)
        if activeMotion == 0, awayDeadline == .never, let door = pendingDoor,
           now.monotonic - door.at.monotonic >= settings.awayConfirmation {
            pendingDoor = nil
            restingDeadline = .never
            awayDespite = sensor
            move(to: .away, .doorThenStuck(door: door.sensor, stuck: sensor, quiet: now.monotonic - door.at.monotonic), at: now, into: &out)
            return
        }
        rearmResting()
    }

    /// Whether motion at `time` comes just after a door used since the flat went away (a
    /// return, a visit while she is declared away): it needs nothing more. The door she
    /// left by is not one: a single stray trigger soon after she went out is not her.
    public func cameThroughDoor(at time: Timestamp) -> Bool {
        guard let door = lastDoor, door.at.monotonic >= awayAt else { return false }
        return time.monotonic - door.at.monotonic <= settings.awayConfirmation * 4
    }

    /// A PIR's output rose again within an episode that began before the door was used,
    /// `doorSettle` or more after it: someone is in its view inside (she stayed; one who
    /// walked out is behind the closed door), so the departure is called off as a new
    /// motion would call it off.
    public mutating func seenAfterDoor(at time: Timestamp) {
        guard let door = pendingDoor, time.monotonic - door.at.monotonic >= Self.doorSettle else { return }
        pendingDoor = nil
        awayDeadline = .never
        lastMotion = time
    }

    /// Whether a departure is being watched (a door, and no motion since).
    @inline(__always) public var departurePending: Bool { pendingDoor != nil }

    /// The door was opened (`opened`) or shut. While away, unless she is declared away
    /// (`declared`: a carer at the door of a resident in hospital; motion ends that): she is
    /// presumed back from this door on. The shutting of the door she came in by is not a
    /// departure; the next opening may be (she went out again unseen), watched as any.
    public mutating func doorUsed(_ sensor: SensorID, opened: Bool, declared: Bool = false, at time: Timestamp, into out: inout [Decision]) {
        lastDoor = (sensor, time)
        if state == .away {
            guard !declared else { return }
            returnDoor = (sensor, time)
            pendingDoor = nil
            awayDeadline = .never
            awayDespite = nil
            move(to: .unknown, .doorWhileAway(door: sensor), at: time, into: &out)
            return
        }
        if returnDoor != nil, !opened { return }   // the door she came in by, shutting
        returnDoor = nil
        pendingDoor = (sensor, time)
        awayDeadline = time.monotonic + settings.awayConfirmation
    }

    mutating func rearmResting() {
        guard state == .home || state == .unknown, activeMotion == 0, let last = lastMotion else {
            restingDeadline = .never
            return
        }
        restingDeadline = last.monotonic + min(settings.restingAtNight, settings.restingByDay)
        restingExact = false
    }

    /// Makes `restingDeadline` exact once its bound is reached (the quiet since the last
    /// motion reaches the limit in force: night or day).
    mutating func refineResting(at now: MonotonicInstant) {
        guard !restingExact, restingDeadline <= now, let last = lastMotion else { return }
        let due = night.firstTimeExceeding(since: last.wall, inside: settings.restingAtNight, outside: settings.restingByDay)
        restingDeadline = last.monotonic + (due.at - last.wall)
        restingExact = true
    }

    /// Fires what is due at `now` (called at `deadline`).
    public mutating func expire(at now: Timestamp, into out: inout [Decision]) {
        if awayDeadline <= now.monotonic {
            awayDeadline = .never
            if let door = pendingDoor, activeMotion == 0 {
                pendingDoor = nil
                restingDeadline = .never
                move(to: .away, .doorThenSilence(door: door.sensor, quiet: now.monotonic - door.at.monotonic), at: now, into: &out)
            }
        }
        refineResting(at: now.monotonic)
        if restingDeadline <= now.monotonic {
            restingDeadline = .never
            if state == .home, let last = lastMotion {
                let quiet = now.monotonic - last.monotonic
                let reason: OccupancyReason = night.contains(now.wall) ? .quietAtNight(quiet: quiet) : .longCalm(quiet: quiet)
                move(to: .resting, reason, at: now, into: &out)
            }
        }
    }
}
