import Testing
@testable import ShoalKit

/// libpq's connection errors as shoal reports them: never with the password,
/// even where libpq quotes it on its own (no server needed).
@Suite struct PostgresErrorTests {
    /// Conninfo strings libpq cannot use, and what libpq 15 answers (see `psql`).
    @Test(arguments: [
        ("postgres://u:Secr%zz3tPw@127.0.0.1:1/db", "invalid percent-encoded token: \"Secr%zz3tPw\""),
        ("postgres://u:Secr/3tPw@127.0.0.1:1/db", "invalid integer value \"Secr\" for connection option \"port\""),
        ("postgres://u:Secr@3tPw@127.0.0.1:1/db", "could not translate host name \"3tPw@127.0.0.1\" to address: Name or service not known"),
        ("postgres://u:Secr3tPw@[::1", "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
            + "\"postgres://u:Secr3tPw@[::1\""),
        ("host=h password='Secr3tPw' port=x", "invalid integer value \"x\" for connection option \"port\""),
        ("host=h password='Secr\\'3tPw' port=x", "could not use password \"Secr'3tPw\""),
        ("postgres://u:Secr%413tPw@h/db", "password \"SecrA3tPw\" rejected"),
    ])
    func connectionFailureHidesThePasswordLibpqQuotes(_ conninfo: String, _ libpqMessage: String) {
        let error = PostgresError.connectionFailed(conninfo: conninfo, libpqMessage: libpqMessage + "\n", password: nil)
        #expect(!error.description.contains("Secr"), "\(error)")
        #expect(!error.description.contains("3tPw"), "\(error)")
        #expect(error.message.hasPrefix("cannot connect to "))
    }

    @Test func connectionFailureKeepsWhatIsNotASecret() {
        let error = PostgresError.connectionFailed(
            conninfo: "postgres://app:Secr3tPw@no-such-host.invalid/db",
            libpqMessage: "could not translate host name \"no-such-host.invalid\" to address: Name or service not known\n",
            password: "Secr3tPw")
        #expect(error.message == "cannot connect to postgres://app:***@no-such-host.invalid/db: could not translate host "
                + "name \"no-such-host.invalid\" to address: Name or service not known")
    }

    /// libpq quotes an `sslpassword` it cannot decode like a password; the
    /// key file it could not load is kept, with what to do about it.
    @Test func connectionFailureHidesTheSSLPassword() {
        let undecodable = PostgresError.connectionFailed(
            conninfo: "postgres://db/app?sslkey=/tls/client.key&sslpassword=K3y%zzPass", libpqMessage: "invalid percent-encoded token: \"K3y%zzPass\"\n",
            password: nil)
        #expect(!undecodable.description.contains("K3y"), "\(undecodable)")
        let decoded = PostgresError.connectionFailed(
            conninfo: "host=db sslpassword='K3y Pass%41'", libpqMessage: "could not use \"K3y PassA\"", password: nil)
        #expect(!decoded.description.contains("K3y"), "\(decoded)")
        let key = PostgresError.connectionFailed(
            conninfo: "postgres://db/app?sslkey=/tls/client.key&sslpassword=K3yPass",
            libpqMessage: "connection to server at \"127.0.0.1\", port 5432 failed: could not load private key file \"/tls/client.key\": bad decrypt\n",
            password: nil)
        // The value of a URL's last parameter ends at whitespace: the `:` after it goes too.
        #expect(key.message == "cannot connect to postgres://db/app?sslkey=/tls/client.key&sslpassword=*** connection to server at "
                + "\"127.0.0.1\", port 5432 failed: could not load private key file \"/tls/client.key\": bad decrypt")
        #expect(key.hint == "an encrypted key needs its passphrase in the URL's sslpassword; shoal never prompts for one")
        #expect(undecodable.hint == nil)
    }

    /// A login role without CONNECT gets the grant, the names quoted for
    /// SQL (libpq prints the database's raw inside quotes).
    @Test func aMissingConnectPrivilegeGetsItsGrant() {
        let message = "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  permission denied for database "
            + "\"app\"x\"\nDETAIL:  User does not have CONNECT privilege.\n"
        let error = PostgresError.connectionFailed(conninfo: "postgres://m@db/app", libpqMessage: message, password: nil,
                                                   user: "Migrator")
        #expect(error.hint == "grant it: GRANT CONNECT ON DATABASE \"app\"\"x\" TO \"Migrator\"")
        #expect(PostgresError.connectionFailed(conninfo: "postgres://m@db/app", libpqMessage: message, password: nil).hint == nil)
    }

    @Test func shortPasswordsAreNotScrubbedEverywhere() {
        #expect(PostgresError.scrub("a db at port 5432", secrets: ["db", "a"]) == "a db at port 5432")
        #expect(PostgresError.scrub("xx hunter2 yy hunter2", secrets: ["hunter2"]) == "xx *** yy ***")
    }
}
