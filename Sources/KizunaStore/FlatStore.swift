import Foundation
import GRDB
import KizunaCore

/// The flat's record on disk: events, alarms and every step of their ladder, the audit
/// trail, the occupancy snapshot and hourly activity counts per room. SQLite through GRDB.
///
/// Durability: WAL journal with `synchronous = FULL`. WAL lets the API read while the
/// writer writes; FULL makes every commit survive a power cut (NORMAL could lose the last
/// commits, and the last commit may be the alarm). The writer batches (one commit every
/// few seconds at most), so the fsync per commit costs little; see `StoreWriter`.
public final class FlatStore: Sendable {
    public let path: String
    let pool: DatabasePool

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        config.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // Raw events. `seq` is the cursor the API pages with: it only grows.
            try db.execute(sql: """
                CREATE TABLE event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    wall_ns INTEGER NOT NULL,
                    sensor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    value REAL
                );
                CREATE INDEX event_wall ON event(wall_ns);
                CREATE TABLE alarm (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    sensor TEXT,
                    severity TEXT NOT NULL,
                    raised_wall_ns INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    updated_wall_ns INTEGER NOT NULL
                );
                CREATE INDEX alarm_raised ON alarm(raised_wall_ns);
                CREATE TABLE alarm_step (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    alarm_id INTEGER NOT NULL REFERENCES alarm(id),
                    step TEXT NOT NULL,
                    wall_ns INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT
                );
                CREATE INDEX alarm_step_alarm ON alarm_step(alarm_id);
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    wall_ns INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT NOT NULL
                );
                CREATE TABLE snapshot (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    occupancy TEXT NOT NULL,
                    saved_wall_ns INTEGER NOT NULL,
                    boot_id TEXT NOT NULL,
                    saved_mono_ns INTEGER NOT NULL
                );
                CREATE TABLE hourly_activity (
                    hour_wall_s INTEGER NOT NULL,
                    room TEXT NOT NULL,
                    motion INTEGER NOT NULL,
                    door INTEGER NOT NULL,
                    PRIMARY KEY (hour_wall_s, room)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v2-outbox") { db in
            // Alarm delivery (issue 6). Every network alarm step gets one row per delivery
            // target, written in the same transaction as the step itself, before any attempt.
            // `state`: pending until the target accepted it (delivered) or refused it for good
            // (rejected: a 4xx other than 408/429, kept for the authority to see).
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    target TEXT NOT NULL,
                    step_id INTEGER NOT NULL REFERENCES alarm_step(id),
                    alarm_id INTEGER NOT NULL,
                    step TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    message TEXT NOT NULL,
                    created_wall_ns INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_attempt_wall_ns INTEGER,
                    last_error TEXT,
                    state TEXT NOT NULL DEFAULT 'pending',
                    done_wall_ns INTEGER,
                    UNIQUE (target, idempotency_key)
                );
                CREATE INDEX outbox_pending ON outbox(target, state, id);
                CREATE TABLE delivery_attempt (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                    wall_ns INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    micros INTEGER NOT NULL
                );
                CREATE INDEX delivery_attempt_outbox ON delivery_attempt(outbox_id);
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
            // This store's identity, part of every idempotency key: a device whose store is
            // replaced (new SD card) starts its alarm ids again, and must not look like a duplicate.
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('store_id', ?)",
                           arguments: [String(UUID().uuidString.lowercased().prefix(8))])
        }
        m.registerMigration("v3-routine") { db in
            // The learned routine (issue 8): one row, the model's numbers as little-endian
            // float64 in a blob. Replaced hourly and at stop; read once at start.
            try db.execute(sql: """
                CREATE TABLE routine (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    saved_wall_ns INTEGER NOT NULL,
                    state BLOB NOT NULL
                );
                """)
        }
        m.registerMigration("v4-declared-absence") { db in
            // The authority's "away until", kept with the occupancy snapshot it explains.
            try db.execute(sql: """
                ALTER TABLE snapshot ADD COLUMN declared_until_ns INTEGER;
                ALTER TABLE snapshot ADD COLUMN declared_by TEXT;
                """)
        }
        m.registerMigration("v5-outbox-by-alarm") { db in
            // The outbox by alarm: what is still firing (`Outbox.firing`, at every re-send) and
            // what each target was told of the alarms still out (at every start) look an alarm's
            // rows up; without it both scanned the whole outbox per row (a summer of repeats to
            // three targets: tens of seconds at a start).
            try db.execute(sql: "CREATE INDEX outbox_alarm ON outbox(alarm_id, step_id)")
        }
        return m
    }

    /// The learned routine saved last (nil: none yet).
    public func routine() throws -> StoredRoutine? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT saved_wall_ns, state FROM routine WHERE id = 1").map {
                StoredRoutine(saved: WallTime(nanosecondsSinceEpoch: $0["saved_wall_ns"]), encoded: $0["state"])
            }
        }
    }

    /// This store's identity (8 hex digits), made when it was created.
    public var storeID: String {
        (try? pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'store_id'") } ?? nil) ?? "00000000"
    }

    /// Runs a write transaction (used by the writer).
    /// Closes the file (before it is set aside); the store is not used after.
    public func close() throws { try pool.close() }

    func write<T>(_ body: (Database) throws -> T) throws -> T { try pool.write(body) }

    /// Runs a read (concurrent with writes, from a WAL snapshot).
    public func read<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// Bytes of the database and its WAL on disk.
    public var bytesOnDisk: Int {
        [path, path + "-wal"].reduce(0) { sum, p in
            sum + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0)
        }
    }
}
