import ShoalKit

/// A real database of either driver that lives for one test, so that one
/// test can prove what every ``DatabaseSession`` promises on both:
///
///     @Test(arguments: DriverKind.allCases)
///     func commitKeeps(driver: DriverKind) async throws {
///         try await ScratchDatabase.withSession(driver) { session, database in … }
///     }
///
/// SQLite: a file in a ``TemporaryDirectory``. PostgreSQL: a database of
/// ``PostgresTestServer/withScratchDatabase(_:)``, so a case that cannot
/// reach its server fails, never skips.
package struct ScratchDatabase: Sendable {
    package let driver: DriverKind
    /// The SQLite file's path, or the PostgreSQL database's conninfo.
    package let location: String

    /// A new session on the database (read-write), for tests that need two.
    package func open() async throws -> any DatabaseSession {
        switch driver {
        case .sqlite: try await SQLiteSession.open(path: location, mode: .readWrite)
        case .postgres: try await PostgresSession.connect(location)
        }
    }

    /// Makes a database of `driver`, runs `body` with it, then removes it.
    package static func with<Result>(_ driver: DriverKind,
                                    _ body: (ScratchDatabase) async throws -> Result) async throws -> Result {
        switch driver {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { withExtendedLifetime(directory) {} }
            return try await body(ScratchDatabase(driver: .sqlite, location: directory.file("scratch.sqlite")))
        case .postgres:
            return try await PostgresTestServer.withScratchDatabase { url in
                try await body(ScratchDatabase(driver: .postgres, location: url))
            }
        }
    }

    /// A session on a fresh database of `driver` (see ``with(_:_:)``),
    /// closed after `body`; `body` also gets the database, to open more.
    package static func withSession<Result>(
        _ driver: DriverKind,
        _ body: (_ session: any DatabaseSession, _ database: ScratchDatabase) async throws -> Result
    ) async throws -> Result {
        try await with(driver) { database in
            let session = try await database.open()
            return try await session.closing { try await body(session, database) }
        }
    }
}
