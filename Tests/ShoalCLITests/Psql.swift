import Foundation

/// PostgreSQL's own client, to run a script the way a DBA would:
/// `psql -X -q -v ON_ERROR_STOP=1 -d URL -f FILE`.
enum Psql {
    /// The psql binary: the newest server's bin directory (Debian's
    /// `/usr/lib/postgresql/<version>/bin`, where scripts/test finds initdb),
    /// else the first on PATH, else `/usr/bin/psql`.
    static let binary: String = {
        let fm = FileManager.default
        let versions = (try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        var candidates = versions.sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin/psql" }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { "\($0)/psql" }
        return candidates.first { fm.isExecutableFile(atPath: $0) } ?? "/usr/bin/psql"
    }()

    /// Runs `script` through psql on the database at `url` (a URL or a
    /// conninfo), stopping at the first error (exit 3). The script is written
    /// to a file of `sandbox` first, as a DBA would save it.
    static func run(_ script: String, url: String, in sandbox: Sandbox) async throws -> CLIResult {
        let file = ".script-\(UUID().uuidString).sql"
        try sandbox.write(file, script)
        defer { try? sandbox.remove(file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", sandbox.path(file)]
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.root)
        return try await sandbox.start(process).finish()
    }
}
