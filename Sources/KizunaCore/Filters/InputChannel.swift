/// The filters of one binary input: inversion, then debounce (contacts, button) or
/// retrigger/hold handling (PIR).
public struct InputChannel: Sendable {
    public var kind: SensorKind
    /// Normally-closed contacts and active-low wiring read inverted.
    public var inverted: Bool
    public var debouncer: ContactDebouncer
    public var motion: MotionFilter

    public init(kind: SensorKind, inverted: Bool = false, settle: Span = .milliseconds(30), hold: Span = .seconds(10)) {
        self.kind = kind
        self.inverted = inverted
        self.debouncer = ContactDebouncer(settle: settle)
        self.motion = MotionFilter(hold: hold)
    }

    public var deadline: MonotonicInstant {
        kind == .pir ? motion.deadline : debouncer.deadline
    }
}
