import KizunaCore

/// A repeating on/off pattern for the buzzer or the status LED.
public struct OutputPattern: Sendable, Equatable {
    /// Alternating on and off durations, starting with on.
    public var steps: [Span]
    public var repeats: Bool

    public static let off = OutputPattern(steps: [], repeats: false)
    /// Pre-alarm: two short beeps every 3 s ("moving or pressing the button cancels").
    public static let preAlarmBeeps = OutputPattern(steps: [.milliseconds(150), .milliseconds(150), .milliseconds(150), .milliseconds(2550)], repeats: true)
    /// Alarm: continuous pulses.
    public static let alarmPulses = OutputPattern(steps: [.milliseconds(500), .milliseconds(500)], repeats: true)
    /// One short chirp (walk test).
    /// The shell's `buzzer test`: three short beeps, then quiet.
    public static let buzzerTest = OutputPattern(steps: [.milliseconds(200), .milliseconds(200), .milliseconds(200), .milliseconds(200), .milliseconds(200)], repeats: false)
    public static let chirp = OutputPattern(steps: [.milliseconds(80)], repeats: false)
    /// Status LED, all well: a short blink every 2 s.
    public static let heartbeat = OutputPattern(steps: [.milliseconds(100), .milliseconds(1900)], repeats: true)
    /// Status LED, an alarm is open: fast blinking.
    public static let alarmBlink = OutputPattern(steps: [.milliseconds(100), .milliseconds(100)], repeats: true)
    /// Status LED, a sensor is faulty: a double blink every 2 s.
    public static let faultBlink = OutputPattern(steps: [.milliseconds(100), .milliseconds(200), .milliseconds(100), .milliseconds(1600)], repeats: true)

    public static func forBuzzer(_ p: BuzzerPattern) -> OutputPattern {
        switch p {
        case .off: .off
        case .preAlarm: .preAlarmBeeps
        case .alarm: .alarmPulses
        case .chirp: .chirp
        }
    }
}

/// Plays an `OutputPattern` on one output, driven by the loop's deadlines.
public struct PatternPlayer: Sendable {
    public private(set) var pattern = OutputPattern.off
    public private(set) var isOn = false
    var index = 0
    public private(set) var deadline = MonotonicInstant.never

    public init() {}

    /// Starts a pattern now. Returns the level to set.
    public mutating func start(_ p: OutputPattern, at now: MonotonicInstant) -> Bool {
        pattern = p
        index = 0
        guard let first = p.steps.first else {
            isOn = false
            deadline = .never
            return false
        }
        isOn = true
        deadline = now + first
        return true
    }

    /// Advances past `now`; returns the new level if it changed.
    public mutating func advance(to now: MonotonicInstant) -> Bool? {
        guard deadline <= now else { return nil }
        let was = isOn
        while deadline <= now {
            index += 1
            if index >= pattern.steps.count {
                guard pattern.repeats else {
                    isOn = false
                    deadline = .never
                    break
                }
                index = 0
            }
            isOn = index % 2 == 0
            deadline = deadline + pattern.steps[index]
        }
        return isOn != was ? isOn : nil
    }
}
