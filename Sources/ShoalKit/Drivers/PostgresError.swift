import Foundation

/// How the PostgreSQL driver turns libpq's failures into ``ShoalError``s.
///
/// Server errors come from ``PostgresResult/error(statement:)`` (SQLSTATE,
/// detail, hint); these are the client-side ones: connecting, a lost
/// connection, a closed session, a cancelled task. ``ShoalError`` hides
/// passwords in their text; a connection failure also hides the forms of the
/// password libpq quotes, which ``Redactor`` cannot recognise.
enum PostgresError {
    /// `cannot connect to <conninfo>: <libpq's message>`, without the
    /// password even where libpq echoes it in an unusual form.
    ///
    /// libpq quotes the part of a conninfo it cannot read, which may be the
    /// password alone (`invalid percent-encoded token: "pa%zz"`) or a piece of
    /// it: a raw `/` in a URL password makes what precedes it the port
    /// (`invalid integer value "pa" for connection option "port"`), a raw `@`
    /// makes what follows it part of the host name. When the
    /// string does not parse, `PQpass` knows no password, so the passwords
    /// ``Redactor`` finds in the conninfo itself are scrubbed as well.
    ///
    /// The hint says what to do where libpq's message does not (``hint(for:user:)``).
    static func connectionFailed(conninfo: String, libpqMessage: String, password: String?, user: String? = nil) -> ShoalError {
        let text = "cannot connect to \(conninfo): \(clean(libpqMessage))"
        return ShoalError(.database, scrub(text, secrets: secrets(in: conninfo) + [password].compactMap { $0 }),
                          failure: DatabaseFailure(phase: .connect), hint: hint(for: libpqMessage, user: user))
    }

    /// What to do about the connection failures whose libpq message does
    /// not say: a login role without `CONNECT` on the database gets the
    /// grant it lacks (`user`: the login role libpq used); a client key that
    /// did not load is most often an encrypted key without its passphrase
    /// (shoal never prompts for one, see ``PostgresConnection``).
    static func hint(for libpqMessage: String, user: String? = nil) -> String? {
        if libpqMessage.contains("User does not have CONNECT privilege"), let user,
           let range = libpqMessage.firstRange(of: "permission denied for database ") {
            let database = libpqMessage[range.upperBound...].prefix { !$0.isNewline }
            return "grant it: GRANT CONNECT ON DATABASE \(PrivilegeAdvice.sqlName(String(database))) TO \(PrivilegeAdvice.sqlName(user))"
        }
        guard libpqMessage.contains("could not load private key file") else { return nil }
        return "an encrypted key needs its passphrase in the URL's sslpassword; shoal never prompts for one"
    }

    /// The passwords in `conninfo` in every form libpq may quote them: as
    /// written, unquoted, percent-decoded, and the pieces between raw `/` and `@`.
    static func secrets(in conninfo: String) -> [String] {
        var forms: [String] = []
        for secret in Redactor.secrets(in: conninfo) {
            var unquoted = secret
            if secret.count >= 2, secret.hasPrefix("'"), secret.hasSuffix("'") {
                unquoted = String(secret.dropFirst().dropLast()).replacing(#"\'"#, with: "'").replacing(#"\\"#, with: #"\"#)
            }
            forms += [secret, unquoted, unquoted.removingPercentEncoding ?? unquoted]
            forms += unquoted.split(whereSeparator: { $0 == "/" || $0 == "@" }).map(String.init)
        }
        return forms
    }

    /// A failure libpq reports on the connection rather than in a result
    /// (the server went away, the socket broke).
    static func connectionLost(_ libpqMessage: String, while action: String) -> ShoalError {
        let message = clean(libpqMessage)
        return ShoalError(.database, message.isEmpty ? "\(action) failed" : "\(action) failed: \(message)",
                          failure: DatabaseFailure())
    }

    /// The session was closed; nothing more can run on it.
    static let closed = ShoalError(.database, "the PostgreSQL session is closed")

    /// The task was cancelled before the statement was sent, so nothing ran.
    static let cancelledBeforeStart = ShoalError(
        .interrupted, "cancelled before the statement was sent", failure: DatabaseFailure(code: .postgres(.queryCanceled)))

    /// A COMMIT that the server answered with ROLLBACK.
    static let commitRolledBack = ShoalError(
        .database,
        "COMMIT rolled back the transaction: a statement in it had failed",
        failure: DatabaseFailure(code: .postgres(.inFailedSQLTransaction), statement: "COMMIT"),
        hint: "the transaction's earlier error says what went wrong; nothing in it was saved")

    /// libpq's messages end with a newline and sometimes carry an `ERROR:` prefix.
    static func clean(_ message: String) -> String {
        // Trailing blanks by index: `dropLast()` in a loop is quadratic.
        var end = message.endIndex
        while end > message.startIndex, message[message.index(before: end)].isWhitespace { end = message.index(before: end) }
        var text = message[..<end]
        for prefix in ["ERROR:  ", "FATAL:  "] where text.hasPrefix(prefix) {
            text = text.dropFirst(prefix.count)
        }
        return String(text)
    }

    /// Replaces every occurrence of each of `secrets` in `text` with `***`,
    /// longest first. Passwords shorter than four characters are left to
    /// ``Redactor`` alone: replacing them everywhere would garble the message
    /// without protecting anything.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in Set(secrets).sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            text = text.replacing(secret, with: "***")
        }
        return text
    }
}
