/// An absence the authority declared ("away until"): a hospital stay, a trip to family.
///
/// The flat reads `away` from the declaration on, whatever its sensors last said, so no
/// silence alarm is raised about an empty flat; "not back" counts from `until` instead of
/// from her departure (she is expected back then, and is called for if she is not, after
/// the usual not-back limit); the outing is not learned (a trip is not her routine).
///
/// Someone home meanwhile is first taken for a visit (a daughter fetching clothes, a carer
/// watering the plants): the flat reads home and the silence rules watch whoever is there,
/// and when they leave the flat is away under the declaration again, "not back" still
/// counting from `until`. A presence that lasts `OccupancySettings.visit`, or reaches
/// `until`, is her return and ends the declaration; so does the authority.
public struct DeclaredAbsence: Sendable, Equatable {
    /// When she is expected back.
    public var until: Timestamp
    /// Who declared it (`authority:NAME`), for the status and the audit.
    public var by: String
    /// Someone has been home since then (nil: the flat is away under the declaration).
    public var visitSince: Timestamp?
    /// Her departure (the last sign before the flat read away, and its sensor), kept through a
    /// visit so that "not back" says how long she has really been out, not since the visitor.
    public var departure: Departure?

    public struct Departure: Sendable, Equatable {
        public var time: Timestamp
        public var sensor: SensorID
    }

    public init(until: Timestamp, by: String, visitSince: Timestamp? = nil) {
        self.until = until
        self.by = by
        self.visitSince = visitSince
    }
}
