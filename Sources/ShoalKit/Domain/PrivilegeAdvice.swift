/// What to grant when PostgreSQL refuses a statement for want of a privilege
/// (SQLSTATE 42501), so that shoal's error says how to fix it rather than
/// passing the bare refusal through (SPEC §14):
///
///     permission denied for database app: grant CREATE on database app to migrator
///     hint: GRANT CREATE ON DATABASE app TO migrator
///
/// It reads the server's primary message, whose forms come from
/// PostgreSQL's `aclcheck_error` (`permission denied for <kind> <name>`,
/// `must be owner of <kind> <name>`) and a few commands of its own
/// (`permission denied to create database`). A message it does not know
/// gets no advice: the server's text is then the best there is.
package struct PrivilegeAdvice: Sendable, Equatable {
    /// Words to append to the server's message, after a colon.
    package var words: String
    /// The statement that grants what is missing, for the error's hint.
    package var sql: String

    /// Advice for `message` when the statement ran as `role` (the session's
    /// `current_user`: the `role` key's role after `SET ROLE`, else the login
    /// role); nil when the message names no privilege shoal knows how to grant.
    package static func advice(forServerMessage message: String, role: String) -> PrivilegeAdvice? {
        let grantee = sqlName(role)
        if message == "permission denied to create database" {
            return PrivilegeAdvice(words: "role \(role) needs the CREATEDB attribute", sql: "ALTER ROLE \(grantee) CREATEDB")
        }
        if let name = object(after: "permission denied for database ", in: message) {
            return PrivilegeAdvice(words: "grant CREATE on database \(name) to \(role)",
                                   sql: "GRANT CREATE ON DATABASE \(sqlName(name)) TO \(grantee)")
        }
        if let name = object(after: "permission denied for schema ", in: message) {
            return PrivilegeAdvice(words: "grant USAGE and CREATE on schema \(name) to \(role)",
                                   sql: "GRANT USAGE, CREATE ON SCHEMA \(sqlName(name)) TO \(grantee)")
        }
        for kind in ["table", "view", "materialized view", "sequence"] {
            guard let name = object(after: "permission denied for \(kind) ", in: message) else { continue }
            let privileges = kind == "sequence" ? "USAGE, SELECT, UPDATE" : "SELECT, INSERT, UPDATE, DELETE"
            return PrivilegeAdvice(
                words: "grant \(role) the privileges the statement needs on \(kind) \(name), or migrate as its owner "
                    + "(the `role` key)",
                sql: "GRANT \(privileges) ON \(kind == "sequence" ? "SEQUENCE " : "")\(sqlName(name)) TO \(grantee)")
        }
        for kind in ["function", "procedure"] {
            guard let name = object(after: "permission denied for \(kind) ", in: message) else { continue }
            return PrivilegeAdvice(words: "grant EXECUTE on \(kind) \(name) to \(role)",
                                   sql: "GRANT EXECUTE ON \(kind.uppercased()) \(sqlName(name)) TO \(grantee)")
        }
        for kind in ownedKinds {
            guard let name = object(after: "must be owner of \(kind) ", in: message) else { continue }
            return PrivilegeAdvice(
                words: "only the owner of \(kind) \(name) (or a member of the owner role) may change it: set the "
                    + "database's `role` key to that owner, or make \(role) its owner",
                sql: "ALTER \(kind.uppercased()) \(sqlName(name)) OWNER TO \(grantee)")
        }
        return nil
    }

    /// The kinds of `must be owner of <kind> <name>` that `ALTER <KIND> … OWNER TO` takes.
    private static let ownedKinds = ["materialized view", "table", "view", "sequence", "schema", "type", "function",
                                     "procedure", "database"]

    /// The name after `prefix` in `message`, or nil when `message` does not
    /// start with it. PostgreSQL prints it bare (`tenant_acme`), or quoted
    /// when it needs quotes.
    private static func object(after prefix: String, in message: String) -> String? {
        guard message.hasPrefix(prefix) else { return nil }
        let name = message.dropFirst(prefix.count)
        return name.isEmpty ? nil : String(name)
    }

    /// `name` as SQL writes an identifier: bare when PostgreSQL would read
    /// it back unchanged (`[a-z_][a-z0-9_]*`), else in double quotes with
    /// every `"` doubled. A name PostgreSQL or libpq printed in quotes
    /// (`"Tenant Acme"`) is taken without them first: they print names
    /// raw inside the quotes, so what is between them is the name.
    static func sqlName(_ name: String) -> String {
        var name = Substring(name)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = name.dropFirst().dropLast() }
        let bare = name.first.map { $0 == "_" || ("a"..."z").contains($0) } == true
            && name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        return bare ? String(name) : "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}
