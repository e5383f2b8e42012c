#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The version tables of one target as the raw baseline writes them: the
/// same tables, columns and rows shoal writes (SPEC §5), so that a fleet the
/// baseline migrated reads as at head to shoal (`RawBaselineTests` checks it).
struct RawVersionTables: Sendable {
    let dialect: Dialect
    /// Quoted, schema-qualified on PostgreSQL.
    let version: String
    let history: String
    let dirty: String
    let createSchema: String?

    /// `schema` is the tenant's schema on PostgreSQL; nil on SQLite.
    init(dialect: Dialect, schema: String?) {
        self.dialect = dialect
        let prefix = schema.map { quote($0) + "." } ?? ""
        version = prefix + quote("shoal_version")
        history = prefix + quote("shoal_version_history")
        dirty = prefix + quote("shoal_version_dirty")
        createSchema = schema.map { "CREATE SCHEMA IF NOT EXISTS \(quote($0))" }
    }

    /// The DDL shoal runs before a target's first migration, as one script.
    var createTables: String {
        let id = dialect == .sqlite ? "id INTEGER PRIMARY KEY AUTOINCREMENT" : "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        let appliedAt = dialect == .sqlite ? "applied_at text NOT NULL" : "applied_at timestamptz NOT NULL"
        return ([createSchema].compactMap { $0 } + [
            "CREATE TABLE IF NOT EXISTS \(version) (revision text PRIMARY KEY)",
            """
            CREATE TABLE IF NOT EXISTS \(history) (\(id), revision text NOT NULL, operation text NOT NULL, \
            checksum text, \(appliedAt), duration_ms integer NOT NULL, applied_by text NOT NULL, \
            shoal_version text NOT NULL, run_id text)
            """,
            "CREATE TABLE IF NOT EXISTS \(dirty) (revision text NOT NULL, operation text NOT NULL, started_at text NOT NULL)",
        ]).joined(separator: ";\n")
    }

    var selectVersions: String { "SELECT revision FROM \(version)" }

    /// The version-row change of a linear step: $1 the new revision, $2 its
    /// parent (NULL for the first).
    var replaceVersion: String {
        "WITH gone AS (DELETE FROM \(version) WHERE revision = $2) INSERT INTO \(version) (revision) VALUES ($1)"
    }

    /// SQLite has no DELETE in a WITH: the same change as two statements.
    var deleteVersion: String { "DELETE FROM \(version) WHERE revision = ?1" }
    var insertVersion: String { "INSERT INTO \(version) (revision) VALUES (?1)" }

    /// $1 revision, $2 checksum, $3 applied_at, $4 duration_ms, $5 applied_by, $6 shoal_version, $7 run_id.
    var insertHistory: String {
        let p = dialect == .sqlite ? "?" : "$"
        return """
            INSERT INTO \(history) (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version, run_id) \
            VALUES (\(p)1, 'upgrade', \(p)2, \(p)3, \(p)4, \(p)5, \(p)6, \(p)7)
            """
    }
}

func quote(_ identifier: String) -> String {
    "\"" + identifier.replacing("\"", with: "\"\"") + "\""
}

/// What the raw baseline records as `applied_by` and `shoal_version`.
enum RawContext {
    static let appliedBy = "bench@localhost"
    static let version = "raw-baseline"
    /// The run id of every history row the baseline writes.
    static let runID = "20261207T000000Z-0000"

    /// The current UTC time as `2026-11-26T17:47:55.123Z`.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    /// Milliseconds on the monotonic clock.
    static func milliseconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1_000_000
    }
}
