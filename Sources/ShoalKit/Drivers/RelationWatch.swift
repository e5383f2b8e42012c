/// What the statements of one migration do to the PostgreSQL tables and
/// indexes that existed before it (SPEC §9.2), read from the session that
/// runs them, between statements, before anything commits:
///
/// - locks: `pg_locks` of the session's own backend, granted relation locks;
/// - rewrites: `pg_class.relfilenode` changed since the last read;
/// - scans: a table's `seq_scan` grew (an index's count is of index
///   scans, and is not read), counted as the server's shared statistics plus
///   the backend's own not yet reported ones (`pg_stat_get_numscans` +
///   `pg_stat_get_xact_numscans`), so the count is right inside a
///   transaction and between transactions alike.
///
/// Start it at the beginning of a migration (inside its transaction, if it
/// has one); relations the migration creates are never reported.
package struct RelationWatch: Sendable {
    private struct Relation: Sendable {
        var name: String
        var fileNode: String?
        var scans: Int
    }

    /// The relations that existed at the start, by oid.
    private var relations: [String: Relation]
    /// Their oids as a PostgreSQL array literal, the query's parameter.
    private let oidArray: String

    private init(relations: [String: Relation]) {
        self.relations = relations
        oidArray = "{" + relations.keys.sorted().joined(separator: ",") + "}"
    }

    /// The tables, partitioned tables, materialized views and indexes of
    /// every schema but PostgreSQL's own, as they are now.
    package static func start(on session: any DatabaseSession) async throws -> RelationWatch {
        let rows = try await session.query("""
            SELECT c.oid::text, c.relname, c.relfilenode::text, \(scanCount) \
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
            WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
            """)
        var relations: [String: Relation] = [:]
        for row in rows {
            guard row.count == 4, let oid = row[0], let name = row[1] else { continue }
            relations[oid] = Relation(name: name, fileNode: row[2], scans: Int(row[3] ?? "") ?? 0)
        }
        return RelationWatch(relations: relations)
    }

    /// Reads what the statement that just ran did into `observation`
    /// (locks only when ``StatementObservation/locksObserved``), and makes
    /// the present the baseline of the next statement. Each list is sorted;
    /// a relation's lock is its strongest mode.
    package mutating func read(into observation: inout StatementObservation, on session: any DatabaseSession) async throws {
        observation.locks = []
        observation.rewrites = []
        observation.scans = []
        guard !relations.isEmpty else { return }
        let rows = try await session.query("""
            SELECT 'lock', l.relation::text, l.mode FROM pg_catalog.pg_locks l \
            WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted \
            AND l.relation = ANY($1::oid[]) \
            UNION ALL SELECT 'file', c.oid::text, c.relfilenode::text FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[]) \
            UNION ALL SELECT 'scans', c.oid::text, \(Self.scanCount) FROM pg_catalog.pg_class c \
            WHERE c.oid = ANY($1::oid[]) AND c.relkind IN ('r', 'p', 'm')
            """, [oidArray])
        var strongest: [String: StatementObservation.Lock] = [:]
        var rewritten: Set<String> = []
        var scanned: Set<String> = []
        for row in rows {
            guard row.count == 3, let kind = row[0], let oid = row[1], let relation = relations[oid] else { continue }
            switch kind {
            case "lock":
                let lock = StatementObservation.Lock(table: relation.name, mode: row[2] ?? "")
                if lock.strength > strongest[oid]?.strength ?? -1 { strongest[oid] = lock }
            case "file":
                if row[2] != relation.fileNode { rewritten.insert(relation.name) }
                relations[oid]?.fileNode = row[2]
            default:
                let scans = Int(row[2] ?? "") ?? 0
                if scans > relation.scans { scanned.insert(relation.name) }
                relations[oid]?.scans = scans
            }
        }
        if observation.locksObserved {
            observation.locks = strongest.values.sorted { ($0.table, $0.mode) < ($1.table, $1.mode) }
        }
        observation.rewrites = rewritten.sorted()
        observation.scans = scanned.sorted()
    }

    /// A relation's sequential scans so far, reported or not (text).
    private static let scanCount =
        "(pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::text"
}
