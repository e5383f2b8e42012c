import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// What one run of the `shoal` binary did.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stdout parsed as one JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        guard let dictionary = object as? [String: Any] else {
            throw ShoalError(.usage, "stdout is not a JSON object: \(stdout)")
        }
        return dictionary
    }

    /// The per-target array of a JSON report, keyed by target id.
    func targets() throws -> [String: [String: Any]] {
        let list = try json()["targets"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["target"] as! String, $0) })
    }
}

/// A throwaway fleet in a temporary folder, and the built `shoal` binary to run on it.
final class Sandbox: @unchecked Sendable {
    /// The fleet's folder, removed with the sandbox.
    private let directory: TemporaryDirectory

    var root: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory()
    }

    func path(_ relative: String) -> String {
        directory.file(relative)
    }

    /// Writes a file (creating folders), replacing what was there.
    func write(_ relative: String, _ contents: String) throws {
        try directory.write(contents, to: relative)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path(relative))
    }

    /// Every file under the sandbox with its bytes, to prove a command changed
    /// nothing; but the run journals under `.shoal/`: a run that changes
    /// nothing (every target refused) still records that it ran.
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".shoal" { enumerator?.skipDescendants() }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path(relative), isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
            }
        }
        return files
    }

    /// Runs `shoal args…` in the sandbox with its config.
    ///
    /// Waiting blocks no thread: the cooperative pool has one thread per
    /// core, and a test blocked in `waitUntilExit` would stall the others'
    /// tasks (a sampler, a lock holder's release). At most
    /// ``ProcessSlots/shared`` runs are in flight across all tests.
    @discardableResult
    func shoal(_ args: String..., environment: [String: String] = [:]) async throws -> CLIResult {
        try await run(args, environment: environment)
    }

    func run(_ args: [String], environment: [String: String] = [:]) async throws -> CLIResult {
        await ProcessSlots.shared.acquire()
        do {
            let result = try await start(args, environment: environment).finish()
            await ProcessSlots.shared.release()
            return result
        } catch {
            await ProcessSlots.shared.release()
            throw error
        }
    }

    /// Starts `shoal args…` at once, outside ``ProcessSlots``, and returns;
    /// `await` the run's ``RunningShoal/finish()`` for its result. For tests
    /// that need runs to overlap, or act while one runs.
    func launch(_ args: String..., environment: [String: String] = [:]) throws -> RunningShoal {
        try start(args, environment: environment)
    }

    func launch(_ args: [String], environment: [String: String] = [:]) throws -> RunningShoal {
        try start(args, environment: environment)
    }

    /// ``launch(_:environment:)`` with stderr on `terminal` instead of a file,
    /// so that shoal sees a terminal there and draws its progress line.
    func launch(_ args: [String], environment: [String: String] = [:], stderr terminal: PseudoTerminal) throws -> RunningShoal {
        defer { terminal.childStarted() }
        return try start(args, environment: environment, stderr: terminal.child)
    }

    private func start(_ args: [String], environment: [String: String], stderr terminal: FileHandle? = nil) throws -> RunningShoal {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        env.removeValue(forKey: "SHOAL_CONFIG")
        // `--partition auto`'s variables, set when the tests run in a Kubernetes Job.
        env.removeValue(forKey: "JOB_COMPLETION_INDEX")
        env.removeValue(forKey: "SHOAL_PARTITIONS")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // Never a terminal to prompt on, whatever ran the tests.
        process.standardInput = FileHandle.nullDevice
        return try start(process, stderr: terminal)
    }

    /// Starts `process` (shoal, or another program a test runs) with its
    /// stdout, and its stderr unless `terminal` is given, in files of the
    /// sandbox, which ``RunningShoal/result()`` reads and removes.
    func start(_ process: Process, stderr terminal: FileHandle? = nil) throws -> RunningShoal {
        let running = RunningShoal(process: process, stdout: path(".out-\(UUID().uuidString)"),
                                   stderr: path(".err-\(UUID().uuidString)"))
        FileManager.default.createFile(atPath: running.stdout, contents: nil)
        FileManager.default.createFile(atPath: running.stderr, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: running.stdout))
        process.standardError = try terminal ?? FileHandle(forWritingTo: URL(fileURLWithPath: running.stderr))
        process.terminationHandler = { _ in running.exited() }
        do {
            try process.run()
        } catch {
            running.removeFiles()
            throw error
        }
        return running
    }

    /// Rows of a query on a SQLite file of the sandbox, read with ShoalKit's real driver.
    func rows(_ relative: String, _ sql: String) async throws -> [[String?]] {
        try await rows(relative, sql, [])
    }

    /// The single-column values of a query.
    func column(_ relative: String, _ sql: String) async throws -> [String] {
        try await rows(relative, sql).map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    /// Whether a table exists in a SQLite file of the sandbox.
    func tableExists(_ relative: String, _ table: String) async throws -> Bool {
        try await !rows(relative, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1", [table]).isEmpty
    }

    func rows(_ relative: String, _ sql: String, _ parameters: [String?]) async throws -> [[String?]] {
        let session = try await SQLiteSession.open(path: path(relative), mode: .readOnly)
        let result = try await session.query(sql, parameters)
        await session.close()
        return result
    }

    /// The built `shoal` executable, next to the test bundle.
    static let binary: String = {
        let fm = FileManager.default
        var candidates: [String] = []
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("shoal").path)
            directory.deleteLastPathComponent()
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repo.appendingPathComponent(".build/debug/shoal").path)
        return candidates.first { fm.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()
}

/// A `shoal` process started by ``Sandbox/launch(_:environment:)``.
final class RunningShoal: @unchecked Sendable {
    let process: Process
    let stdout: String
    let stderr: String
    private let lock = NSLock()
    private var hasExited = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(process: Process, stdout: String, stderr: String) {
        self.process = process
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Called by the process's termination handler.
    func exited() {
        lock.lock()
        hasExited = true
        let waiting = waiters
        waiters = []
        lock.unlock()
        for waiter in waiting { waiter.resume() }
    }

    /// Waits (without blocking a thread) for the process to exit, and returns what it did.
    func finish() async throws -> CLIResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if hasExited {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
        process.waitUntilExit()  // the handler may run just before the status is recorded
        return try result()
    }

    /// The result of an exited process; removes its output files.
    func result() throws -> CLIResult {
        process.terminationHandler = nil  // it holds self: break the cycle
        defer { removeFiles() }
        return CLIResult(status: process.terminationStatus,
                         stdout: try String(contentsOfFile: stdout, encoding: .utf8),
                         stderr: try String(contentsOfFile: stderr, encoding: .utf8))
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: stdout)
        try? FileManager.default.removeItem(atPath: stderr)
    }
}

/// How many `shoal` processes the tests run at once, whole test run: enough
/// to keep two cores and the server busy, few enough that parallel tests do
/// not exhaust the server's connections or time out on a loaded machine.
actor ProcessSlots {
    static let shared = ProcessSlots(limit: max(4, 2 * ProcessInfo.processInfo.activeProcessorCount))

    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        available = limit
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
