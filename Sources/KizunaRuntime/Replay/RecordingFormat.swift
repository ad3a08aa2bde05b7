/// The kinds of recording `kizuna replay` reads.
public enum RecordingFormat: String, Sendable, CaseIterable {
    /// WSU CASAS text: `date time sensor location state [label]` (space separated, the AL
    /// home) or `date time<TAB>sensor<TAB>state<TAB>[label]` (the CIL homes). Local times
    /// without a zone, read as the recording's own clock (UTC offset 0).
    case casas
    /// NEARS / DOMUS hub JSON lines (`subject`, `sensor`, `state`, `sentAt.$date` in UTC),
    /// one or many files; events are sorted by time across all of them.
    case nears
    /// The project's own NDJSON events (`kizuna export`, `/v1/events`).
    case kizuna
}
