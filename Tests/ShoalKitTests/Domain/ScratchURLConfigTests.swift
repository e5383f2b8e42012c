import Foundation
import Testing
@testable import ShoalKit

/// The `scratch_url` key of a postgres database: where `shoal lint
/// --observe` creates its scratch database (SPEC §9.2).
@Suite struct ScratchURLConfigTests {
    @Test func scratchURLIsReadWithItsVariablesExpanded() throws {
        let config = try parseConfig(configWith(#"{"driver": "postgres", "url": "postgres://h/app", "scratch_url": "postgres://${LINT_USER}@lint-host/postgres"}"#),
                                     environment: ["LINT_USER": "linter"])
        #expect(config.databases[0].scratchURL == "postgres://linter@lint-host/postgres")
    }

    @Test func scratchURLIsOptional() throws {
        let config = try parseConfig(configWith(#"{"driver": "postgres", "url": "postgres://h/app"}"#))
        #expect(config.databases[0].scratchURL == nil)
    }

    static let rejected: [RejectedConfig] = [
        .init("misspelt", configWith(#"{"driver": "postgres", "url": "x", "scratch_uri": "y"}"#), "`databases.app.scratch_uri`", "did you mean `scratch_url`?"),
        .init("sqlite", configWith(#"{"driver": "sqlite", "path": "a", "scratch_url": "y"}"#), "`databases.app.scratch_url` does not apply to a sqlite database"),
        .init("tenant placeholder", configWith(#"{"driver": "postgres", "url": "postgres://h/app_{tenant}", "layout": "database", "tenants": "t.json", "scratch_url": "postgres://h/{tenant}"}"#), "`databases.app.scratch_url` cannot contain `{tenant}`"),
        .init("empty", configWith(#"{"driver": "postgres", "url": "x", "scratch_url": ""}"#), "`databases.app.scratch_url`"),
    ]

    @Test(arguments: rejected)
    func badScratchURLIsRejectedWithItsKey(_ rejected: RejectedConfig) throws {
        try expectRejected(rejected)
    }

    /// Like `url`, a connection setting: commands that never connect load
    /// the config without its variables.
    @Test func anUnsetVariableInScratchURLWaitsForACommandThatConnects() throws {
        let json = configWith(#"{"driver": "postgres", "url": "postgres://h/app", "scratch_url": "${LINT_URL}"}"#)
        let config = try ConfigLoader.parse(Data(json.utf8), file: testConfigFile, environment: [:], resolvingConnections: false)
        #expect(config.unresolvedConnections.map(\.name) == ["LINT_URL"])
        let error = #expect(throws: ShoalError.self) { try parseConfig(json) }
        #expect(error?.message.contains("LINT_URL") == true)
    }
}
