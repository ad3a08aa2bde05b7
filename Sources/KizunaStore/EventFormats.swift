import KizunaCore

/// The project's own event line formats: what `/v1/events` and `kizuna export` give, and
/// what `kizuna replay --format kizuna` reads back.
///
/// NDJSON: `{"seq":12,"at":"2026-07-01T09:00:00.000+09:00","sensor":"pir.living","kind":"motion-start"}`
/// (readings add `"value"`). CSV: `seq,at,sensor,kind,value` with that header line.
public enum EventFormat: String, Sendable, CaseIterable {
    case ndjson, csv

    public var header: String? { self == .csv ? "seq,at,sensor,kind,value\n" : nil }
    public var contentType: String { self == .csv ? "text/csv" : "application/x-ndjson" }

    public func line(_ e: StoredEvent, offset: UTCOffset) -> String {
        let at = CivilTime.iso8601(e.wall, offset: offset, fractionDigits: 3)
        switch self {
        case .csv:
            return "\(e.seq),\(at),\(e.sensor),\(e.kind),\(e.value.map { "\($0)" } ?? "")\n"
        case .ndjson:
            var s = "{\"seq\":\(e.seq),\"at\":\"\(at)\",\"sensor\":\(JSONLine.quote(e.sensor)),\"kind\":\"\(e.kind)\""
            if let v = e.value { s += ",\"value\":\(v)" }
            return s + "}\n"
        }
    }
}

extension FlatStore {
    /// Streams events in pages (constant memory) to `sink`, `seq` order.
    public func exportEvents(after: Int64 = 0, since: WallTime?, until: WallTime?, limit: Int64 = .max, pageSize: Int = 2000,
                             keep: (StoredEvent) -> Bool = { _ in true }, sink: ([StoredEvent]) throws -> Void) throws {
        var cursor = after, sent: Int64 = 0
        while sent < limit {
            // A whole page whatever is left to send: rows `keep` drops must not end the export
            // before the rows it keeps.
            let page = try events(after: cursor, since: since, until: until, limit: pageSize)
            guard let last = page.last else { break }
            cursor = last.seq
            let kept = page.filter(keep).prefix(Int(min(Int64(pageSize), limit - sent)))
            sent += Int64(kept.count)
            try sink(Array(kept))
            if page.count < pageSize { break }
        }
    }
}
