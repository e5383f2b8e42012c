import ShoalKit

extension DatabaseSession {
    /// Runs `body`, then closes the session, also when `body` throws, so
    /// that a failing test leaves no connection open behind it.
    package nonisolated func closing<Result>(after body: () async throws -> Result) async throws -> Result {
        try await withCleanup(body, cleanup: { await close() })
    }
}
