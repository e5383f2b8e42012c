import CLibPQ

/// Reads and rewrites libpq connection strings, in either form
/// (`postgres://user@host/db?sslmode=require` or `host=h dbname=db`), with
/// libpq's own parser (`PQconninfoParse`), so shoal reads them exactly as
/// `psql` would.
///
/// ```swift
/// PostgresURL.databaseName(of: "postgres://app@db1/accounts")     // "accounts"
/// PostgresURL.replacingDatabase(in: "postgres://app@db1/postgres", with: "tenant_acme")
/// // "user='app' dbname='tenant_acme' host='db1'"
/// ```
package enum PostgresURL {
    /// The conninfo with its database name replaced: for `layout: database`
    /// (the tenant's database) and for reaching the maintenance database to
    /// `CREATE DATABASE`.
    ///
    /// The result is always in key=value form, every value quoted and escaped
    /// by libpq's rules, so any name is safe to put in. Everything else the
    /// input sets (host, port, user, password, sslmode, …) is kept. A string
    /// libpq cannot parse comes back unchanged, so that connecting reports
    /// libpq's own error about it.
    package static func replacingDatabase(in conninfo: String, with name: String) -> String {
        guard isConnectionString(conninfo) else {
            // A bare database name, as `psql mydb` takes it.
            return "dbname=\(quote(name))"
        }
        guard var options = parse(conninfo) else { return conninfo }
        if let index = options.firstIndex(where: { $0.keyword == "dbname" }) {
            options[index].value = name
        } else {
            options.append((keyword: "dbname", value: name))
        }
        return options.map { "\($0.keyword)=\(quote($0.value))" }.joined(separator: " ")
    }

    /// The database name the conninfo sets, or nil when it sets none (libpq
    /// then uses `PGDATABASE` or the user name) or cannot be parsed.
    package static func databaseName(of conninfo: String) -> String? {
        guard isConnectionString(conninfo) else { return conninfo.isEmpty ? nil : conninfo }
        return parse(conninfo)?.first { $0.keyword == "dbname" }?.value
    }

    /// The server a conninfo reaches, as a comparable key: every option it
    /// sets except the database name, sorted. Two URLs with equal keys reach
    /// the same server (and cluster) as the same user, so one session there
    /// can answer cluster-wide questions, such as a replica's replay position,
    /// for both. A string libpq cannot parse is its own key.
    package static func serverKey(of conninfo: String) -> String {
        guard isConnectionString(conninfo), let options = parse(conninfo) else { return conninfo }
        return options.filter { $0.keyword != "dbname" }
            .map { "\($0.keyword)=\(quote($0.value))" }
            .sorted()
            .joined(separator: " ")
    }

    /// Whether the conninfo has a say in GSSAPI: it sets `gssencmode`, a
    /// Kerberos setting (`krbsrvname`, `gsslib`, `gssdelegation`), or a
    /// `service` whose entry in the service file may set them. shoal
    /// connects with `gssencmode=disable` unless it does (see
    /// ``PostgresSession/connect(_:settings:searchPath:)``).
    static func setsGSSAPI(_ conninfo: String) -> Bool {
        guard isConnectionString(conninfo), let options = parse(conninfo) else { return false }
        return options.contains { gssKeywords.contains($0.keyword) }
    }

    /// The conninfo keywords ``setsGSSAPI(_:)`` looks for.
    static let gssKeywords: Set<String> = ["gssencmode", "krbsrvname", "gsslib", "gssdelegation", "service"]

    /// What libpq's `expand_dbname` treats as a connection string rather
    /// than a database name: a URL, or anything with an `=`.
    static func isConnectionString(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") || text.contains("=")
    }

    /// The options the string sets, in libpq's order; nil when it does not parse.
    static func parse(_ conninfo: String) -> [(keyword: String, value: String)]? {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var result: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                result.append((keyword: String(cString: keyword), value: String(cString: value)))
            }
            option += 1
        }
        return result
    }

    /// A conninfo value in single quotes, with `\` and `'` escaped by a backslash.
    static func quote(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "\\" || character == "'" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }
}
