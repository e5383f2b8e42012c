import Foundation
import Logging
import ShoalTestSupport
import Testing
import ShoalKit

/// README's "Using shoal from Swift" stays true: its example is
/// `ReadmeExample.swift`, which this target compiles with a plain
/// `import ShoalKit` as an app would, and these tests check that README
/// shows that file as it is and that the example migrates a real fleet.
struct ReadmeTests {
    /// Tests/ShoalReadmeTests/ReadmeTests.swift -> its folder.
    static let folder = URL(filePath: #filePath).deletingLastPathComponent()
    static let readme = folder.deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "README.md")

    /// The first Swift code block of README's section `heading`.
    static func codeBlock(under heading: String, in readme: String) -> String? {
        guard let section = readme.range(of: "\n\(heading)\n"),
              let open = readme.range(of: "\n```swift\n", range: section.upperBound..<readme.endIndex),
              let close = readme.range(of: "\n```\n", range: open.upperBound..<readme.endIndex) else { return nil }
        let next = readme.range(of: "\n## ", range: section.upperBound..<readme.endIndex)
        guard next.map({ open.lowerBound < $0.lowerBound }) ?? true else { return nil }
        return String(readme[open.upperBound..<close.lowerBound]) + "\n"
    }

    @Test func readmeShowsTheExampleThisTargetCompiles() throws {
        let example = try String(contentsOf: Self.folder.appending(path: "ReadmeExample.swift"), encoding: .utf8)
        let block = Self.codeBlock(under: "## Using shoal from Swift", in: try String(contentsOf: Self.readme, encoding: .utf8))
        #expect(block == example, """
            README's "Using shoal from Swift" must show Tests/ShoalReadmeTests/ReadmeExample.swift as it is: \
            change the two together
            """)
    }

    @Test func readmeShowsTheServiceExampleThisTargetCompiles() throws {
        let example = try String(contentsOf: Self.folder.appending(path: "ReadmeServiceExample.swift"), encoding: .utf8)
        let block = Self.codeBlock(under: "### Migrating at start-up in a ServiceGroup", in: try String(contentsOf: Self.readme, encoding: .utf8))
        #expect(block == example, """
            README's "Migrating at start-up in a ServiceGroup" must show \
            Tests/ShoalReadmeTests/ReadmeServiceExample.swift as it is: change the two together
            """)
    }

    @Test func serviceExampleMigratesTheDemoAppBeforeTheServerServes() async throws {
        let directory = try TemporaryDirectory()
        _ = try DemoInstaller.install(into: directory.path)
        let messages = LoggedMessages()
        let logger = Logger(label: "readme") { _ in RecordingLogHandler(messages: messages) }

        let group = makeApplication(configPath: directory.file("config.json"), logger: logger)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(60)
        while !messages.lines.contains("schema ready on 5 tenants; serving") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let lines = messages.lines
        let serving = try #require(lines.firstIndex(of: "schema ready on 5 tenants; serving"), "\(lines)")
        let migrated = ["acme", "globex", "hooli", "initech", "umbrella"].map { "app/\($0): ok" }
        #expect(Set(lines[..<serving]).isSuperset(of: migrated), "every tenant migrated before the server serves")
        await group.triggerGracefulShutdown()
        try await running.value
        let fleet = try Fleet.load(configPath: directory.file("config.json"))
        let status = try await FleetStatus(fleet: fleet, concurrency: 4).status(of: try await fleet.targets(TargetSelector(databases: ["app"])))
        #expect(status.allSatisfy { $0.state == .upToDate })
    }

    @Test func exampleUpgradesEveryTenantOfTheDemoApp() async throws {
        let directory = try TemporaryDirectory()
        _ = try DemoInstaller.install(into: directory.path)
        let messages = LoggedMessages()
        let logger = Logger(label: "readme") { _ in RecordingLogHandler(messages: messages) }

        let report = try await migrateAtStartUp(configPath: directory.file("config.json"), logger: logger)

        let tenants = ["acme", "globex", "hooli", "initech", "umbrella"]
        #expect(report.succeeded)
        #expect(report.targets.map(\.target).sorted() == tenants.map { "app/\($0)" })
        #expect(report.summary.targets == 5 && report.summary.ok == 5)
        #expect(report.targets.allSatisfy { $0.to == ["d0ee624f2b05"] }, "every tenant at the demo's head")
        #expect(messages.lines.filter { $0.hasPrefix("app/") }.sorted() == tenants.map { "app/\($0): ok" })
    }
}

/// What a ``RecordingLogHandler`` was given, in order.
private final class LoggedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []

    func append(_ line: String) { lock.withLock { recorded.append(line) } }
    var lines: [String] { lock.withLock { recorded } }
}

/// Keeps every message at `info` and above.
private struct RecordingLogHandler: LogHandler {
    let messages: LoggedMessages
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        messages.append(event.message.description)
    }
}
