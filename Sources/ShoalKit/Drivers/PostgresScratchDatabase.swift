/// A database of its own on a PostgreSQL server, where `shoal lint
/// --observe` applies a database's migrations to watch them (SPEC §9.2):
/// created under a fresh name, dropped afterwards whatever happened.
/// Nothing else on the server is touched.
package enum PostgresScratchDatabase {
    /// `shoal_scratch_` and 16 random hex digits.
    package static func newName() -> String {
        "shoal_scratch_" + String(UInt64.random(in: .min ... .max), radix: 16)
    }

    /// Creates database `name` on the server `serverURL` reaches, runs `body`
    /// on a session connected to it, and drops it: after `body` returns,
    /// after it throws, and after the task was cancelled (the drop runs on a
    /// session opened before, and is not cancellable). A database shoal did
    /// not create (the name was taken) is never dropped.
    ///
    /// Connection failures are ``ShoalError``s whose failure phase is
    /// `connect`; a role without `CREATEDB` gets an error naming the role,
    /// with ``DatabaseFailure/isInsufficientPrivilege``.
    package static func with<Result>(name: String, on serverURL: String, settings: SessionSettings,
                                     _ body: (any DatabaseSession) async throws -> Result) async throws -> Result {
        let admin = try await PostgresSession.connect(serverURL, settings: settings)
        return try await withCleanup({
            try await create(name, on: admin, serverURL: serverURL)
            let result: Result
            do {
                let session = try await PostgresSession.connect(PostgresURL.replacingDatabase(in: serverURL, with: name),
                                                                settings: settings)
                result = try await withCleanup({ try await body(session) }, cleanup: { await session.close() })
            } catch var error {
                do {
                    try await admin.dropDatabase(name)
                } catch let dropError {
                    if var shoalError = error as? ShoalError {
                        shoalError.hint = (shoalError.hint.map { $0 + "; " } ?? "")
                            + "the scratch database \(name) could not be dropped (\(ShoalError(dropError).message)): drop it yourself"
                        error = shoalError
                    }
                }
                throw error
            }
            try await admin.dropDatabase(name)
            return result
        }, cleanup: { await admin.close() })
    }

    /// `CREATE DATABASE`, copying the template's files (`STRATEGY =
    /// FILE_COPY` from PostgreSQL 15 on): a few hundred bytes of WAL for the
    /// server's replicas to replay instead of the whole template.
    private static func create(_ name: String, on admin: PostgresSession, serverURL: String) async throws {
        let strategy = await admin.serverVersion() >= 150_000 ? " STRATEGY = FILE_COPY" : ""
        do {
            try await admin.execute("CREATE DATABASE \(admin.quoteIdentifier(name))\(strategy)")
        } catch var error as ShoalError where error.failure?.isInsufficientPrivilege == true {
            let role = (try? await admin.query("SELECT current_user").first?.first ?? nil) ?? "?"
            error.message = "role `\(role)` may not create databases on \(serverURL): it lacks the CREATEDB privilege"
            throw error
        }
    }
}
