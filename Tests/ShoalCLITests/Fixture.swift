import Foundation
import ShoalKit
import ShoalTestSupport

/// Migration files and fleets the end-to-end tests start from.
enum Fixture {
    static let r1 = "1111aaaa0001"
    static let r2 = "2222bbbb0002"
    static let r3 = "3333cccc0003"
    static let tenants = ["acme", "globex", "initech"]

    /// r1 ← r2 ← r3, the standard fleet's migrations, as file text.
    static let users = MigrationFile(revision: r1, message: "create users",
                                     up: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
                                     down: "DROP TABLE users;").text
    static let email = MigrationFile(revision: r2, parents: [r1], message: "add email to users",
                                     up: "ALTER TABLE users ADD COLUMN email TEXT;",
                                     down: "ALTER TABLE users DROP COLUMN email;",
                                     verify: "SELECT count(*) = 0 FROM users WHERE email LIKE '% %';").text
    static let projects = MigrationFile(revision: r3, parents: [r2], message: "create projects",
                                        up: "CREATE TABLE projects (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES users(id), title TEXT);\nCREATE INDEX projects_owner ON projects (owner);",
                                        down: "DROP TABLE projects;").text

    /// A fleet with one SQLite database `app` of `tenants`, at
    /// `tenants/app/{tenant}.sqlite`, and the three migrations above.
    static func sqliteFleet(_ sandbox: Sandbox, tenants: [String] = tenants, extraConfig: String = "") throws {
        try fleet(sandbox, app: sqliteApp, tenants: tenants, extraConfig: extraConfig)
    }

    /// The keys of `app` as SQLite files.
    static let sqliteApp = "\"driver\": \"sqlite\", \"path\": \"tenants/app/{tenant}.sqlite\", \"tenants\": \"tenants/app.json\""

    /// The keys of `app` as PostgreSQL tenants, a schema each (the default
    /// layout and schema template), in the database at `url`.
    static func postgresApp(url: String) -> String {
        "\"driver\": \"postgres\", \"url\": \(json(url)), \"tenants\": \"tenants/app.json\""
    }

    /// A fleet with one multi-tenant database `app` whose entry has the keys
    /// `app`, the registry `tenants/app.json` and the three migrations above.
    /// `extraConfig` goes at the top level, after `concurrency`, and ends with a comma.
    static func fleet(_ sandbox: Sandbox, app: String, tenants: [String] = tenants, extraConfig: String = "") throws {
        try sandbox.write("config.json", """
        {
          "concurrency": 4,\(extraConfig)
          "databases": {
            "app": { \(app) }
          }
        }
        """)
        try sandbox.write("tenants/app.json", "[" + tenants.map(json).joined(separator: ", ") + "]")
        try sandbox.write("versions/app/\(r1)_create_users.sql", users)
        try sandbox.write("versions/app/\(r2)_add_email.sql", email)
        try sandbox.write("versions/app/\(r3)_create_projects.sql", projects)
    }

    static func tenantFile(_ tenant: String) -> String { "tenants/app/\(tenant).sqlite" }

    /// `text` as a JSON string literal (ShoalKit's own quoting, as the
    /// registries and journals shoal writes use).
    static func json(_ text: String) -> String {
        text.jsonQuoted
    }
}
