import ShoalKit

/// shoal's version tables exactly as the release before run ids (SPEC §11)
/// created them: the history table has no `run_id` column. Tests build
/// them by hand, with rows, to prove that shoal evolves such a table in
/// place on its first write and that reading one changes nothing.
package enum VersionTablesBeforeRunIDs {
    /// The release's `CREATE TABLE` statements for the default table names
    /// (its `VersionTableSQL.createVersionTables`, word for word), in the
    /// current schema, joined with `;`.
    package static func create(_ driver: DriverKind) -> String {
        let (id, appliedAt) = switch driver {
        case .sqlite: ("id INTEGER PRIMARY KEY AUTOINCREMENT", "applied_at text NOT NULL")
        case .postgres: ("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "applied_at timestamptz NOT NULL")
        }
        return """
            CREATE TABLE IF NOT EXISTS "shoal_version" (revision text PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS "shoal_version_history" (\(id), revision text NOT NULL, operation text NOT NULL, \
            checksum text, \(appliedAt), duration_ms integer NOT NULL, applied_by text NOT NULL, \
            shoal_version text NOT NULL);
            CREATE TABLE IF NOT EXISTS "shoal_version_dirty" (revision text NOT NULL, operation text NOT NULL, started_at text NOT NULL)
            """
    }

    /// The tables of ``create(_:)`` holding what that release wrote when it
    /// upgraded a target to `revision` (a root migration whose checksum is
    /// `checksum`): the version row and one history row, applied at
    /// ``appliedAt`` by ``appliedBy`` with shoal ``shoalVersion``.
    package static func atRevision(_ revision: String, checksum: String, _ driver: DriverKind) -> String {
        create(driver) + """
            ;
            INSERT INTO shoal_version (revision) VALUES ('\(revision)');
            INSERT INTO shoal_version_history (revision, operation, checksum, applied_at, duration_ms, applied_by, shoal_version) \
            VALUES ('\(revision)', 'upgrade', '\(checksum)', '\(appliedAt)', 7, '\(appliedBy)', '\(shoalVersion)')
            """
    }

    package static let appliedAt = "2026-11-26T17:47:55.123Z"
    package static let appliedBy = "ops@old-host"
    package static let shoalVersion = "0.12.0"
}
