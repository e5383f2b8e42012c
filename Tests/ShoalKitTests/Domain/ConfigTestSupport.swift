import Foundation
import Testing
@testable import ShoalKit

/// The path config texts in tests pretend to come from.
let testConfigFile = "/fleet/config.json"

func parseConfig(_ json: String, environment: [String: String] = [:]) throws -> FleetConfig {
    try ConfigLoader.parse(Data(json.utf8), file: testConfigFile, environment: environment)
}

/// `{"databases": {"<name>": <entry>}}`.
func configWith(_ entry: String, name: String = "app") -> String {
    "{\"databases\": {\"\(name)\": \(entry)}}"
}

/// The ShoalError parsing `json` throws (recording a failure when it does not throw one).
func configFailure(_ json: String, environment: [String: String] = [:],
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> ShoalError {
    let error = #expect(throws: ShoalError.self, sourceLocation: sourceLocation) {
        try parseConfig(json, environment: environment)
    }
    return try #require(error, sourceLocation: sourceLocation)
}

/// Parses `rejected.json` and expects a config error, at a line of the test
/// config file, whose message holds every one of `rejected.fragments`.
func expectRejected(_ rejected: RejectedConfig, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let error = try configFailure(rejected.json, sourceLocation: sourceLocation)
    #expect(error.kind == .config, sourceLocation: sourceLocation)
    #expect(error.file == testConfigFile, sourceLocation: sourceLocation)
    #expect(error.line != nil, sourceLocation: sourceLocation)
    for fragment in rejected.fragments {
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    }
}

/// A config text that must be rejected, and fragments its message must contain.
struct RejectedConfig: Sendable, CustomTestStringConvertible {
    var label: String
    var json: String
    var fragments: [String]
    var testDescription: String { label }

    init(_ label: String, _ json: String, _ fragments: String...) {
        self.label = label
        self.json = json
        self.fragments = fragments
    }
}
