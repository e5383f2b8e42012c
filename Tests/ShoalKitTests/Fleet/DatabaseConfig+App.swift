import Foundation
import ShoalTestSupport
@testable import ShoalKit

extension DatabaseConfig {
    /// `app`, a multi-tenant database of either driver for in-process fleet
    /// tests: one SQLite file per tenant in `tenants/`, or one schema per
    /// tenant (`app_{tenant}`) in the database at `url`; its registry
    /// `tenants.json` (written here, holding `tenants`) and its migrations in
    /// `versions/app` of `directory`.
    static func app(_ driver: DriverKind, url: String?, in directory: TemporaryDirectory,
                    tenants: [String]) throws -> DatabaseConfig {
        try directory.write("[" + tenants.map { "\"\($0)\"" }.joined(separator: ", ") + "]", to: "tenants.json")
        try FileManager.default.createDirectory(atPath: directory.file("tenants"), withIntermediateDirectories: true)
        return switch driver {
        case .sqlite:
            DatabaseConfig(name: "app", driver: .sqlite, path: directory.file("tenants/{tenant}.sqlite"),
                           tenants: .registry(path: directory.file("tenants.json")), versionsDirectory: directory.file("versions/app"))
        case .postgres:
            DatabaseConfig(name: "app", driver: .postgres, url: url, schemaTemplate: "app_{tenant}",
                           tenants: .registry(path: directory.file("tenants.json")), versionsDirectory: directory.file("versions/app"))
        }
    }
}
