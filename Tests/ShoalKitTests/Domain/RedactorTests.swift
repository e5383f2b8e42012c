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
}
