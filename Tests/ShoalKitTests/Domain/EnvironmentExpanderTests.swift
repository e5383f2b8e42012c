import Testing
@testable import ShoalKit

@Suite struct EnvironmentExpanderTests {
    let environment = ["HOST": "db.internal", "PORT": "5432", "EMPTY": "", "NESTED": "${HOST}"]

    func expand(_ text: String) throws -> String {
        try EnvironmentExpander.expand(text, keyPath: "databases.core.url", environment: environment)
    }

    func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ShoalError {
        let error = #expect(throws: ShoalError.self, sourceLocation: sourceLocation) { try expand(text) }
        return try #require(error, sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        ("postgres://localhost/app", "postgres://localhost/app"),
        ("postgres://${HOST}:${PORT}/app", "postgres://db.internal:5432/app"),
        ("${MISSING:-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${HOST:-fallback}", "db.internal"),
        ("${MISSING:-${HOST}}", "db.internal"),
        ("${MISSING:-{tenant}_db}", "{tenant}_db"),
        ("${MISSING:-}", ""),
        ("${EMPTY}", ""),
        ("${HOST:?must be set}", "db.internal"),
        ("${NESTED}", "${HOST}"),
        ("cost: $$5", "cost: $5"),
        ("$$${HOST}", "$db.internal"),
        ("$$$$", "$$"),
        ("pa$word", "pa$word"),
        ("SELECT $1", "SELECT $1"),
        ("trailing $", "trailing $"),
        ("$HOST", "$HOST"),
    ])
    func expandsReferences(_ text: String, _ expected: String) throws {
        #expect(try expand(text) == expected)
    }

    @Test func unsetVariableWithoutDefaultNamesVariableAndKeyPath() throws {
        let error = try failure("postgres://${DB_HOST}/app")
        #expect(error.kind == .config)
        #expect(error.message.contains("`DB_HOST`"))
        #expect(error.message.contains("`databases.core.url`"))
        #expect(error.message.contains("is not set"))
    }

    @Test func requiredVariableReportsItsMessage() throws {
        let error = try failure("${DB_HOST:?run scripts/env first}")
        #expect(error.message.contains("`DB_HOST`"))
        #expect(error.message.contains("run scripts/env first"))
        #expect(error.message.contains("`databases.core.url`"))
    }

    @Test func requiredVariableThatIsEmptyIsAnError() throws {
        let error = try failure("${EMPTY:?}")
        #expect(error.message.contains("`EMPTY` is not set"))
    }

    @Test(arguments: ["${HOST", "postgres://${HOST/app", "${MISSING:-${HOST}"])
    func unterminatedReferenceIsAnError(_ text: String) throws {
        let error = try failure(text)
        #expect(error.message.contains("unterminated `${` in `databases.core.url`"))
    }

    @Test(arguments: ["${}", "${1HOST}", "${HO ST}", "${HOST-default}", "${HOST:=x}"])
    func malformedReferenceIsAnError(_ text: String) throws {
        let error = try failure(text)
        #expect(error.message.contains("`databases.core.url`"))
    }

    @Test func malformedReferenceErrorHidesPasswords() throws {
        let error = try failure("${DB:postgres://u:s3cret@h/app}")
        #expect(!error.message.contains("s3cret"))
    }

    @Test func defaultsNestAFewLevelsDeep() throws {
        let levels = EnvironmentExpander.maximumNesting - 1
        let text = String(repeating: "${MISSING:-", count: levels) + "${HOST}" + String(repeating: "}", count: levels)
        #expect(try expand(text) == "db.internal")
        #expect(try expand("$${" + text + "}") == "${db.internal}")
        #expect(try expand("${MISSING:-{tenant}${HOST}{x}}") == "{tenant}db.internal{x}")
    }

    @Test func hostilyDeepDefaultsAreAnErrorNotAHangOrACrash() throws {
        let text = String(repeating: "${MISSING:-", count: 100_000) + "x" + String(repeating: "}", count: 100_000)
        let clock = ContinuousClock()
        let start = clock.now
        let error = try failure(text)
        #expect(error.message.contains("nested more than \(EnvironmentExpander.maximumNesting) deep"), "\(error.message)")
        #expect(error.message.contains("`databases.core.url`"))
        // A hang guard, not a speed test: quadratic work on a megabyte takes minutes.
        #expect(clock.now - start < .seconds(30), "took \(clock.now - start)")
    }
}
