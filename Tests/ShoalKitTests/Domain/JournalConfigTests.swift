import Foundation
import Testing
@testable import ShoalKit

/// The `journal_dir` and `journal` keys (SPEC §11): where runs write their
/// journals, or that they write none.
@Suite struct JournalConfigTests {
    static let app = #""app": {"driver": "sqlite", "path": "app.sqlite"}"#

    @Test func runsJournalBesideConfigByDefault() throws {
        let config = try parseConfig("{\"databases\": {\(Self.app)}}")
        #expect(config.journalDirectory == "/fleet/.shoal/runs")
    }

    @Test func journalDirIsRelativeToConfigsFolder() throws {
        #expect(try parseConfig("{\"journal_dir\": \"ops/runs\", \"databases\": {\(Self.app)}}").journalDirectory == "/fleet/ops/runs")
        #expect(try parseConfig("{\"journal_dir\": \"/var/lib/shoal\", \"databases\": {\(Self.app)}}").journalDirectory == "/var/lib/shoal")
        #expect(try parseConfig("{\"journal_dir\": \"${RUNS}\", \"databases\": {\(Self.app)}}", environment: ["RUNS": "/srv/runs"])
            .journalDirectory == "/srv/runs")
        #expect(try parseConfig("{\"journal\": true, \"databases\": {\(Self.app)}}").journalDirectory == "/fleet/.shoal/runs")
    }

    @Test func journalFalseTurnsItOff() throws {
        #expect(try parseConfig("{\"journal\": false, \"databases\": {\(Self.app)}}").journalDirectory == nil)
    }

    @Test func aConfigBuiltInCodeHasNoJournalUnlessItNamesOne() {
        #expect(FleetConfig(directory: "/fleet", databases: []).journalDirectory == nil)
        #expect(FleetConfig(directory: "/fleet", databases: []).configSHA256 == nil)
    }

    @Test func theConfigsBytesAreFingerprinted() throws {
        // `printf %s '<json>' | sha256sum`
        let json = "{\"databases\": {\(Self.app)}}"
        #expect(try parseConfig(json).configSHA256 == "431e1f0beedf4634847ddbe8daff6ecdafb4fd6b7d777be9db3782cf0aea7b9b")
    }

    static let rejected: [RejectedConfig] = [
        RejectedConfig("journal not a boolean", "{\"journal\": \"off\", \"databases\": {\(app)}}",
                       "`journal` must be a boolean (`false` turns the run journal off), not a string"),
        RejectedConfig("journal_dir empty", "{\"journal_dir\": \" \", \"databases\": {\(app)}}", "`journal_dir` is empty"),
        RejectedConfig("journal_dir not a string", "{\"journal_dir\": 3, \"databases\": {\(app)}}", "`journal_dir` must be a string"),
        RejectedConfig("both keys", "{\"journal\": false, \"journal_dir\": \"runs\", \"databases\": {\(app)}}",
                       "`journal_dir` names a journal folder but `\"journal\": false` turns the journal off"),
        RejectedConfig("misspelt", "{\"jornal_dir\": \"runs\", \"databases\": {\(app)}}",
                       "unknown key `jornal_dir`", "did you mean `journal_dir`?"),
    ]

    @Test(arguments: rejected)
    func badKeysAreRefusedNamingTheKey(_ config: RejectedConfig) throws {
        try expectRejected(config)
    }
}
