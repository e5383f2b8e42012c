/// Runs `body`, then `cleanup`, also when `body` throws: a `defer` that can
/// await, for closing sessions and pools on every path.
package func withCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async rethrows -> T {
    do {
        let result = try await body()
        await cleanup()
        return result
    } catch {
        await cleanup()
        throw error
    }
}
