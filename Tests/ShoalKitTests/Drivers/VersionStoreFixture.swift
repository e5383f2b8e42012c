import Foundation
import ShoalTestSupport
@testable import ShoalKit

/// A SQLite target in a temp directory, with helpers to build steps.
struct VersionStoreFixture {
    let dir: TemporaryDirectory
    let path: String
    let target: Target
    let session: SQLiteSession
    let store: VersionStore
    let context = ApplyContext(appliedBy: "o'brien@build-host", shoalVersion: "9.9.9")

    static func make() async throws -> VersionStoreFixture {
        let dir = try TemporaryDirectory()
        let path = dir.file("tenants/acme.sqlite")
        let target = Target(id: "app/acme", database: "app", tenant: "acme", driver: .sqlite, location: .sqlite(path: path))
        let session = try await SQLiteSession.open(path: path, mode: .readWrite)
        return VersionStoreFixture(dir: dir, path: path, target: target, session: session,
                       store: VersionStore(session: session, target: target))
    }

    static func migration(_ revision: String, parents: [String] = [], transactional: Bool = true,
                          up: String, down: String? = nil, verify: String? = nil) -> Migration {
        Migration(revision: revision, parents: parents, message: "make \(revision)", transactional: transactional,
                  up: up, down: down, verify: verify, checksum: "sum-\(revision)", path: "/versions/app/\(revision).sql")
    }

    /// The step that upgrades from `before` (the migration's parents by default).
    static func up(_ migration: Migration, before: [String]? = nil) -> PlanStep {
        let before = before ?? migration.parents
        let after = (Set(before).subtracting(migration.parents).union([migration.revision])).sorted()
        return PlanStep(migration: migration, direction: .up, removeVersions: migration.parents,
                        addVersions: [migration.revision], versionsBefore: before, versionsAfter: after)
    }

    static func down(_ migration: Migration) -> PlanStep {
        PlanStep(migration: migration, direction: .down, removeVersions: [migration.revision],
                 addVersions: migration.parents, versionsBefore: [migration.revision], versionsAfter: migration.parents)
    }

    func tableExists(_ name: String) async throws -> Bool {
        try await session.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", [name]).count == 1
    }
}
