/// The input channels' deadlines (a contact settling, a PIR's hold after it fell), with the
/// set of channels that have one and a bound no later than the earliest.
///
/// A channel is 200 bytes and a flat has tens of them, while at any moment one or two have a
/// timer running. The engine asks for the next deadline each time any timer fires (at the
/// end of every motion episode: 82 000 times in a NEARS replay): it gets the bound. When the
/// bound is reached, one pass over the armed channels only (a bit per channel) fires what is
/// due and finds the next deadline. Nothing here allocates after `init`.
struct ChannelTimers: Sendable {
    /// Each channel's deadline, `.never` when none.
    private(set) var deadline: [MonotonicInstant]
    /// Bit `i % 64` of word `i / 64` is set for every channel `i` with a deadline (and
    /// perhaps for one whose deadline was cleared since: it leaves at the next pass).
    private var armed: [UInt64]
    /// At or before every channel's deadline; exact after each pass. A deadline cleared or
    /// moved later leaves it early: a pass at it finds nothing due and makes it exact.
    private(set) var bound: MonotonicInstant = .never

    init(count: Int) {
        deadline = Array(repeating: .never, count: count)
        armed = Array(repeating: 0, count: (count + 63) / 64)
    }

    /// Words of the armed set, for `takeDue(word:at:next:)`.
    var words: Int { armed.count }

    /// Sets channel `i`'s deadline (`.never` clears it).
    @inline(__always) mutating func set(_ i: Int, _ d: MonotonicInstant) {
        guard d != .never else {
            if deadline[i] != .never { deadline[i] = .never }   // a rising PIR: most often none was set
            return
        }
        deadline[i] = d
        let bit = UInt64(1) << UInt64(i & 63)
        if armed[i >> 6] & bit == 0 { armed[i >> 6] |= bit }
        if d < bound { bound = d }
    }

    /// Starts a pass: the bound is rebuilt from what the pass leaves (and from any deadline
    /// set meanwhile).
    @inline(__always) mutating func beginPass() { bound = .never }

    /// The channels of word `w` (channel `64 w + bit`) due at `t`, their deadlines cleared
    /// (what expires clears its filter's deadline); lowers `next` to the earliest deadline
    /// left in the word.
    @inline(__always) mutating func takeDue(word w: Int, at t: MonotonicInstant, next: inout MonotonicInstant) -> UInt64 {
        var bits = armed[w]
        guard bits != 0 else { return 0 }
        var due: UInt64 = 0
        var keep: UInt64 = 0
        while bits != 0 {
            let b = bits.trailingZeroBitCount
            bits &= bits &- 1
            let i = w << 6 | b
            let c = deadline[i]
            if c <= t {
                due |= 1 << UInt64(b)
                deadline[i] = .never
            } else if c != .never {
                keep |= 1 << UInt64(b)
                if c < next { next = c }
            }
        }
        armed[w] = keep
        return due
    }

    /// Ends the pass with the earliest deadline it left.
    @inline(__always) mutating func endPass(next: MonotonicInstant) {
        if next < bound { bound = next }
    }
}
