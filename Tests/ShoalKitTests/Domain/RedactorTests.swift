import ShoalTestSupport
import Testing
@testable import ShoalKit

@Suite struct RedactorTests {
    @Test(arguments: [
        ("postgres://alice:s3cret@db.internal:5432/app", "postgres://alice:***@db.internal:5432/app"),
        ("postgresql://alice:s3cret@db/app?sslmode=require", "postgresql://alice:***@db/app?sslmode=require"),
        ("postgres://alice:p@ss@db/app", "postgres://alice:***@db/app"),
        ("postgres://alice:pa:ss@db/app", "postgres://alice:***@db/app"),
        ("postgres://alice:@db/app", "postgres://alice:***@db/app"),
        ("mysql+tcp://root:x@host", "mysql+tcp://root:***@host"),
    ])
    func hidesURLPasswords(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    @Test(arguments: [
        "postgres://alice@db.internal:5432/app",
        "postgres://db.internal/app",
        "postgres://db.internal:5432/app?application_name=a@b",
        "sqlite:///tmp/app.sqlite",
        "/fleet/tenants/app/acme.sqlite",
        "FATAL:  password authentication failed for user \"bob\"",
        "connection refused: is the server running on host \"db\" port 5432?",
        "",
    ])
    func leavesTextWithoutPasswordsAlone(_ text: String) {
        #expect(Redactor.redact(text) == text)
    }

    @Test(arguments: [
        ("host=db password=s3cret dbname=app", "host=db password=*** dbname=app"),
        ("host=db password='se cret' dbname=app", "host=db password=*** dbname=app"),
        ("host=db password = 'it\\'s' dbname=app", "host=db password=*** dbname=app"),
        ("password=s3cret", "password=***"),
        ("host=db PASSWORD=s3cret", "host=db password=***"),
        ("host=db sslpassword=key dbname=app", "host=db sslpassword=*** dbname=app"),
    ])
    func hidesConninfoPasswords(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    @Test(arguments: [
        ("postgres://db/app?user=alice&password=s3cret", "postgres://db/app?user=alice&password=***"),
        ("postgres://db/app?password=s3cret&sslmode=require", "postgres://db/app?password=***&sslmode=require"),
        ("postgres://db/app?password=a b", "postgres://db/app?password=*** b"),
    ])
    func hidesQueryPasswords(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    /// libpq's passphrase of an encrypted client key (SPEC §14): hidden like
    /// a password, and the parameters after it in a URL are kept.
    @Test(arguments: [
        ("postgres://db/app?sslpassword=k3y", "postgres://db/app?sslpassword=***"),
        ("postgres://u:pw@db/app?sslmode=verify-full&sslkey=/tls/client.key&sslpassword=k%26y&sslrootcert=/tls/ca.crt",
         "postgres://u:***@db/app?sslmode=verify-full&sslkey=/tls/client.key&sslpassword=***&sslrootcert=/tls/ca.crt"),
        // libpq reads `#` as part of a query value: all of it is hidden.
        ("postgres://db/app?sslpassword=k3y#frag", "postgres://db/app?sslpassword=***"),
        ("postgres://db/app?sslkey=/k&sslpassword=ab#cdef&sslmode=require", "postgres://db/app?sslkey=/k&sslpassword=***&sslmode=require"),
        ("postgres://db/app?password=ab#cdef", "postgres://db/app?password=***"),
        ("host=db sslkey=/tls/client.key sslpassword=k3y sslmode=verify-full",
         "host=db sslkey=/tls/client.key sslpassword=*** sslmode=verify-full"),
        ("host=db sslpassword = 'k 3y' dbname=app", "host=db sslpassword=*** dbname=app"),
        ("host=db sslpassword='it\\'s' dbname=app", "host=db sslpassword=*** dbname=app"),
        // Not a libpq keyword (they are lower-case), hidden all the same.
        ("host=db SSLPassword=k3y dbname=app", "host=db SSLpassword=*** dbname=app"),
        ("postgres://db/app?SSLPASSWORD=k3y&sslmode=require", "postgres://db/app?SSLpassword=***&sslmode=require"),
    ])
    func hidesSSLPasswords(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    @Test func hidesPasswordsInsideLongerText() {
        let text = """
        cannot connect to postgres://alice:s3cret@eu1.internal/accounts (target accounts/acme): \
        timeout; fallback "host=us1 password='x y' user=bob" failed too
        """
        let redacted = Redactor.redact(text)
        #expect(!redacted.contains("s3cret"))
        #expect(!redacted.contains("x y"))
        #expect(redacted.contains("postgres://alice:***@eu1.internal/accounts (target accounts/acme)"))
        #expect(redacted.contains("password=*** user=bob"))
    }

    @Test func hidesEveryURLInText() {
        let redacted = Redactor.redact("a=postgres://u:one@h1/x b=postgres://v:two@h2/y")
        #expect(redacted == "a=postgres://u:***@h1/x b=postgres://v:***@h2/y")
    }

    // MARK: Passwords libpq accepts raw, and what libpq echoes

    @Test(arguments: [
        // libpq ends the authority at `/` only: `?` and `#` may be raw in a password.
        ("postgres://u:pa?ss@db/app", "postgres://u:***@db/app"),
        ("postgres://u:pa#ss@db/app", "postgres://u:***@db/app"),
        ("postgres://u:p?a#s@s@db:5432/app?sslmode=require", "postgres://u:***@db:5432/app?sslmode=require"),
        // libpq cannot read a raw `/` in a password, but echoes the URL.
        ("postgres://u:pa/ss@db/app", "postgres://u:***@db/app"),
        ("postgres://u:p@a/ss@db/app", "postgres://u:***@db/app"),
        ("postgres://u:p@/?ss@db/app", "postgres://u:***@db/app"),
        // Erring on the side of hiding: the last `@` may be in the query.
        ("postgres://u:pw@db/app?application_name=a@b", "postgres://u:***@b"),
        ("postgres://u:p%2Fa%40s%3Fs%23@db/app", "postgres://u:***@db/app"),
        ("postgres://u:Secr3tPw@[::1]:5432/app", "postgres://u:***@[::1]:5432/app"),
        // libpq reads this as user `db`, password `5432?application_name=a`, host `b`.
        ("postgres://db:5432?application_name=a@b", "postgres://db:***@b"),
        // The scheme does not matter, nor what precedes it.
        ("1postgres://u:s3cret@db/app", "1postgres://u:***@db/app"),
        ("x-postgres://u:s3cret@db/app", "x-postgres://u:***@db/app"),
        ("\"postgres://u:s3cret@db/app\"", "\"postgres://u:***@db/app\""),
    ])
    func hidesPasswordsWithURLSyntaxInThem(_ text: String, _ expected: String) {
        #expect(Redactor.redact(text) == expected)
    }

    @Test(arguments: [
        "postgres://[::1]:5432/app?application_name=a@b",
        "file:///var/lib/app.sqlite",
        "postgres://db/app?options=-c%20search_path%3Dx@y",
    ])
    func leavesHostsPortsAndQueriesAlone(_ text: String) {
        #expect(Redactor.redact(text) == text)
    }

    /// Messages libpq writes about URLs and conninfo strings it cannot use
    /// (libpq 15), as PostgresError wraps them.
    @Test(arguments: [
        "cannot connect to postgres://u:Secr3tPw@[::1: end of string reached when looking for matching \"]\" in IPv6 host "
            + "address in URI: \"postgres://u:Secr3tPw@[::1\"",
        "cannot connect to postgres://u:Secr3tPw@no-such-host.invalid/db: could not translate host name "
            + "\"no-such-host.invalid\" to address: Name or service not known",
        "cannot connect to postgres://u:Secr3tPw@127.0.0.1:1/db: connection to server at \"127.0.0.1\", port 1 failed: "
            + "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
        "cannot connect to postgres://h/db?password=Secr3tPw&bogus=1: invalid URI query parameter: \"bogus\"",
        "cannot connect to host=h password=Secr3tPw bogus=1: invalid connection option \"bogus\"",
        "cannot connect to host=h password='Secr3tPw: unterminated quoted string in connection info string",
        "cannot connect to postgres://u:Secr3tPw@h:99999999/db: invalid port number: \"99999999\"",
        "FATAL:  password authentication failed for user \"u\" (postgresql://u:Secr3tPw@db/app?sslmode=require)",
    ])
    func hidesThePasswordInLibpqErrors(_ text: String) {
        let redacted = Redactor.redact(text)
        #expect(!redacted.contains("Secr3tPw"), "\(redacted)")
        #expect(!Redactor.redact(redacted).contains("Secr3tPw"))
    }

    @Test func redactsInLinearTime() {
        // Near-misses of every pattern, a megabyte at the big size: a scan
        // that restarts at each one would grow quadratically.
        let ratio = Growth.ratio(size: 5_000) { count in
            let text = String(repeating: "postgres:/${X:-pass word ", count: count)
            #expect(Redactor.redact(text) == text)
        }
        #expect(ratio < 24, "8 times the text took \(ratio) times longer")
    }

    @Test func findsTheSSLPasswordsItHides() {
        #expect(Redactor.secrets(in: "postgres://db/app?sslpassword=k%26y&sslmode=require") == ["k%26y"])
        #expect(Redactor.secrets(in: "host=db sslpassword='k 3y'") == ["'k 3y'"])
    }

    @Test func findsTheSecretsItHides() {
        #expect(Redactor.secrets(in: "postgres://u:p%40ss@h/db host=x password='a b' sslpassword=k3y") == ["p%40ss", "'a b'", "k3y"])
        #expect(Redactor.secrets(in: "postgres://u:***@h/db password=***").isEmpty)
        #expect(Redactor.secrets(in: "no secrets here").isEmpty)
    }
}
