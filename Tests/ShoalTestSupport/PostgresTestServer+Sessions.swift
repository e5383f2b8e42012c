import ShoalKit

extension PostgresTestServer {
    /// Thrown when shoal's sessions are still open on a database after 10 s.
    package struct SessionsStillOpen: Error, CustomStringConvertible {
        package var database: String
        package var description: String { "shoal sessions still open on \(database) after 10 s" }
    }

    /// Sessions established to `database` so far (`pg_stat_database`),
    /// read once none of shoal's is left on it (a backend flushes its
    /// statistics before it leaves `pg_stat_activity`, so the count is then
    /// complete). Tests count what a read costs on the server with it.
    package static func sessionsOpened(_ database: String) async throws -> Int {
        let session = try await PostgresSession.connect(try url())
        return try await session.closing {
            var left = -1
            for _ in 0..<1000 where left != 0 {
                if left > 0 { try await Task.sleep(for: .milliseconds(10)) }
                left = try await session.query("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'shoal'",
                                               [database]).first?.first.flatMap { $0.flatMap { Int($0) } } ?? -1
            }
            guard left == 0 else { throw SessionsStillOpen(database: database) }
            return try await session.query("SELECT sessions FROM pg_stat_database WHERE datname = $1", [database])
                .first?.first.flatMap { $0.flatMap { Int($0) } } ?? -1
        }
    }
}
