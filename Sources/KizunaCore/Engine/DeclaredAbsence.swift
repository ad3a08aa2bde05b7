/// An absence the authority declared ("away until"): a hospital stay, a trip to family.
///
/// The flat reads `away` from the declaration on, whatever its sensors last said, so no
/// silence alarm is raised about an empty flat; "not back" counts from `until` instead of
/// from her departure (she is expected back then, and is called for if she is not, after
/// the usual not-back limit); the outing is not learned (a trip is not her routine). Her
/// return ends it as any return does (the door and motion, or two PIRs), and so does the
/// authority. Declare it once she has left: someone moving in the flat afterwards is taken
/// as her return.
public struct DeclaredAbsence: Sendable, Equatable {
    /// When she is expected back.
    public var until: Timestamp
    /// Who declared it (`authority:NAME`), for the status and the audit.
    public var by: String

    public init(until: Timestamp, by: String) {
        self.until = until
        self.by = by
    }
}
