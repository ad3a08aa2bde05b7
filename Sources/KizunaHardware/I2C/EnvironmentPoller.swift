import KizunaCore

/// One chip on a bus, polled on a schedule, feeding one engine sensor per quantity.
public struct EnvironmentChannel {
    public var driver: any EnvironmentDriver
    /// The engine's sensor for each quantity this chip feeds (a chip may measure more
    /// than the installation uses).
    public var sensors: [SensorKind: SensorID]
    public var interval: Span
    public var calibration: [SensorID: Calibration]
    /// Where it is, for messages ("bus 1, 0x76").
    public var location: String
    /// For a chip that compensates for humidity and temperature (SGP40): the sensors of
    /// the same room it takes them from, newest value before each conversion.
    public var compensation: (humidity: SensorID, temperature: SensorID)?

    public init(driver: any EnvironmentDriver, sensors: [SensorKind: SensorID], interval: Span,
                calibration: [SensorID: Calibration] = [:], location: String) {
        self.driver = driver
        self.sensors = sensors
        self.interval = interval
        self.calibration = calibration
        self.location = location
    }
}

/// The latest value of one environment sensor, raw and calibrated.
public struct EnvironmentValue: Sendable, Equatable {
    public var raw: Double
    public var calibrated: Double
    public var at: Timestamp
}

/// Polls the I2C sensors as an input source of the loop. A conversion is started, and
/// read when the loop's timer for it fires: the loop never sleeps on a sensor, so GPIO
/// edges are handled while a chip converts.
///
/// A sensor never reports a made-up value: a failed transfer, a CRC error or an
/// impossible value is no reading; after `failureLimit` consecutive failures the chip's
/// sensors are reported faulty (`.fault`, which raises the sensor-fault alarm), and when
/// it answers again (replugged, the bus recovered) they recover by themselves
/// (`.recovered`, once it has answered `recoverAfter` times in a row, the chip prepared
/// again: its calibration is read anew). A bad cable that fails every other transfer is
/// then one fault that stays open, not dozens that open and close within the hour; one that
/// fails at random, now and then `recoverAfter` good answers in a row, recovers less
/// readily each time within a day (twice the answers for each recovery of the day before
/// it, up to 64 times): a few faults a day, not one every half hour. A
/// value that does not change at all for `stuckAfter` readings is a stuck sensor (real
/// temperature, humidity, pressure, CO2 and VOC readings always move in their last
/// digit; light does not: a dark room reads 0 lx all night). A stuck sensor stays stuck
/// until its value moves, whatever the transfers do meanwhile. `presumeStuck` and
/// `presumeFaulty` carry a stuck or a transfer fault over a restart.
public final class EnvironmentPoller: InputSource {
    public var channels: [EnvironmentChannel]
    public var failureLimit = 3
    public var stuckAfter = 360
    /// The quantities a value that never moves betrays (not light).
    public var stuckKinds: Set<SensorKind> = [.temperature, .humidity, .pressure, .co2, .voc]
    /// Good answers in a row a faulty chip must give before its sensors recover.
    public var recoverAfter = 5
    /// How soon to look again when a chip has no new value yet (SCD4x's data-ready).
    public var notReadyRetry = Span.seconds(1)
    public private(set) var latest: [SensorID: EnvironmentValue] = [:]
    /// Failed transfers by sensor (for the metrics).
    public private(set) var errors: [SensorID: Int] = [:]
    /// The last error of each channel, for the status and the shell.
    public private(set) var lastError: [String?]

    enum Phase { case idle, converting }
    var phase: [Phase]
    var deadline: [MonotonicInstant]
    var prepared: [Bool]
    var failures: [Int]
    var faulty: [Bool]
    /// Good answers in a row since the chip became faulty.
    var successes: [Int]
    /// When each chip recovered, within the last day: each doubles the answers the next
    /// recovery needs (`answersToRecover`).
    var recoveries: [[MonotonicInstant]]
    static let recoveryMemory = Span.hours(24)
    var lastRaw: [SensorID: Double] = [:]
    var sameCount: [SensorID: Int] = [:]
    var stuck: Set<SensorID> = []

    public init(channels: [EnvironmentChannel], start: MonotonicInstant) {
        self.channels = channels
        let n = channels.count
        phase = Array(repeating: .idle, count: n)
        // Spread the first polls a little so that chips do not all convert at once.
        deadline = (0..<n).map { start + .milliseconds(Int64(50 * $0)) }
        prepared = Array(repeating: false, count: n)
        failures = Array(repeating: 0, count: n)
        faulty = Array(repeating: false, count: n)
        successes = Array(repeating: 0, count: n)
        recoveries = Array(repeating: [], count: n)
        lastError = Array(repeating: nil, count: n)
    }

    public var pollDescriptors: [Int32] { [] }

    public func nextDeadline() -> MonotonicInstant { deadline.min() ?? .never }

    public func initialLevels() -> [(SensorID, Bool)] { [] }

    public func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        for i in channels.indices where deadline[i] <= now.monotonic {
            step(i, now: now, into: &observations)
        }
    }

    func step(_ i: Int, now: Timestamp, into out: inout [Observation]) {
        do throws(I2CError) {
            switch phase[i] {
            case .idle:
                if !prepared[i] {
                    try channels[i].driver.prepare()
                    prepared[i] = true
                }
                if let (h, t) = channels[i].compensation, let hv = latest[h]?.calibrated, let tv = latest[t]?.calibrated,
                   var c = channels[i].driver as? any CompensatedDriver {
                    c.compensate(humidity: hv, temperature: tv)
                    channels[i].driver = c
                }
                let wait = try channels[i].driver.trigger()
                phase[i] = .converting
                deadline[i] = now.monotonic + wait
            case .converting:
                let values = try channels[i].driver.read()
                if values.isEmpty {  // nothing new yet: look again soon
                    deadline[i] = now.monotonic + notReadyRetry
                    return
                }
                succeeded(i, values, now: now, into: &out)
                phase[i] = .idle
                deadline[i] = now.monotonic + channels[i].interval
            }
        } catch {
            failed(i, error, now: now, into: &out)
        }
    }

    func succeeded(_ i: Int, _ values: [SensorKind: Double], now: Timestamp, into out: inout [Observation]) {
        failures[i] = 0
        if faulty[i] {
            // Not yet trusted again: the values are dropped, never sent as readings.
            successes[i] += 1
            recoveries[i].removeAll { now.monotonic - $0 > Self.recoveryMemory }
            guard successes[i] >= answersToRecover(i) else { return }
            recoveries[i].append(now.monotonic)
        }
        let recovering = faulty[i]
        faulty[i] = false
        successes[i] = 0
        lastError[i] = nil
        for (kind, sensor) in channels[i].sensors.sorted(by: { $0.value < $1.value }) {
            guard let raw = values[kind] else { continue }
            // Stuck: the very same raw value, reading after reading.
            let moved = lastRaw[sensor].map { $0 != raw } ?? !stuck.contains(sensor)
            if moved {
                sameCount[sensor] = 0
                let wasStuck = stuck.remove(sensor) != nil
                if wasStuck || recovering { out.append(.recovered(sensor, at: now)) }
            } else {
                sameCount[sensor, default: 0] += 1
                // A stuck sensor is not recovered by its chip answering again.
                if recovering, !stuck.contains(sensor) { out.append(.recovered(sensor, at: now)) }
            }
            lastRaw[sensor] = raw
            if stuck.contains(sensor) { continue }
            if sameCount[sensor, default: 0] >= stuckAfter, stuckKinds.contains(kind) {
                stuck.insert(sensor)
                out.append(.fault(sensor, .stuckValue, at: now))
                continue
            }
            let value = (channels[i].calibration[sensor] ?? .none).apply(raw)
            latest[sensor] = EnvironmentValue(raw: raw, calibrated: value, at: now)
            out.append(.reading(sensor, value: value, at: now))
        }
    }

    /// Good answers in a row chip `i` must give to recover: `recoverAfter`, doubled for each
    /// time it recovered within the last day (at most 64 times).
    func answersToRecover(_ i: Int) -> Int { recoverAfter << min(recoveries[i].count, 6) }

    func failed(_ i: Int, _ error: I2CError, now: Timestamp, into out: inout [Observation]) {
        failures[i] += 1
        successes[i] = 0
        lastError[i] = "\(channels[i].location): \(error)"
        for s in channels[i].sensors.values { errors[s, default: 0] += 1 }
        // Prepare again next time: a replugged chip lost its settings.
        prepared[i] = false
        phase[i] = .idle
        deadline[i] = now.monotonic + channels[i].interval
        if failures[i] >= failureLimit, !faulty[i] {
            faulty[i] = true
            for s in channels[i].sensors.values.sorted() {
                latest[s] = nil
                out.append(.fault(s, error.fault, at: now))
            }
        }
    }

    /// Takes a sensor as stuck from the start (its stuck-value fault was open when the
    /// runtime stopped): its values are no readings until one differs from the first it
    /// gives. Without this, the frozen value would feed the heat rule for `stuckAfter`
    /// readings (3 h at 30 s) after every restart, and the fault would resolve at once.
    public func presumeStuck(_ sensor: SensorID) {
        stuck.insert(sensor)
        lastRaw[sensor] = nil
    }

    /// Takes a sensor's chip as faulty from the start (a transfer fault, no answer or CRC,
    /// was open when the runtime stopped): it recovers, and its values are readings again,
    /// only after `recoverAfter` good answers in a row, as before the restart. Without it a
    /// bad cable's fault was resolved by the first answer after every restart (a power blip a
    /// night: a fault and a "recovered" each time), and its dropped values came back at once.
    public func presumeFaulty(_ sensor: SensorID) {
        for i in channels.indices where channels[i].sensors.values.contains(sensor) {
            faulty[i] = true
            successes[i] = 0
        }
    }

    /// Reads the chip of `sensor` at `at` rather than at its next interval (the technician's
    /// calibration wants a value of now, not one of its last poll); a conversion under way
    /// is read as it was going to be.
    public func pollSoon(_ sensor: SensorID, at: MonotonicInstant) {
        for i in channels.indices where channels[i].sensors.values.contains(sensor) && phase[i] == .idle {
            deadline[i] = min(deadline[i], at)
        }
    }

    /// Changes a sensor's calibration (the technician's shell), effective from the next reading.
    public func setCalibration(_ c: Calibration, for sensor: SensorID) {
        for i in channels.indices where channels[i].sensors.values.contains(sensor) { channels[i].calibration[sensor] = c }
    }
}

/// A chip whose reading depends on the air's humidity and temperature (SGP40).
public protocol CompensatedDriver: EnvironmentDriver {
    mutating func compensate(humidity: Double, temperature: Double)
}

extension SGP40: CompensatedDriver {}
