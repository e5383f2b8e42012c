import ShoalKit

/// Changes a tenant's database behind shoal's back, as a user or another tool would.
enum SQLiteWriter {
    static func execute(_ path: String, _ sql: String) async throws {
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        try await session.execute(sql)
        await session.close()
    }
}
