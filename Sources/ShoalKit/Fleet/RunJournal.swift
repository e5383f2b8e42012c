import Dispatch
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The journal of one run (SPEC §11): `<journal_dir>/<run id>.jsonl`, one
/// compact JSON object per line. The header says what ran and how it was
/// asked for; then each target's final report, written and fsynced before
/// its ``FleetEvent/targetFinished(_:)`` reaches the caller (who prints its
/// line on that event); then a footer with the summary. A run killed before
/// the footer leaves whole lines only, but for perhaps the last one, so a
/// reader can tell what it did after the process is gone.
///
/// Writes are group commits: the run's events queue up here, and a writer
/// on a queue of its own takes all that are waiting, writes their lines
/// with one `write`, fsyncs once, then delivers the events in the order they
/// came. A thousand targets finishing together cost a few fsyncs, none of
/// them on the run's tasks.
final class RunJournal: @unchecked Sendable {
    /// The journal file, absolute.
    let path: String
    /// The run's id: the header's, which may differ from the one asked for
    /// when a file of that name already existed.
    let run: RunID

    private let file: Int32
    private let deliver: @Sendable (FleetEvent) -> Void
    private let logger: Logger
    private let queue = DispatchQueue(label: "shoal.run-journal")
    private let lock = NSLock()
    /// Events waiting for the writer, under `lock`.
    private var pending: [FleetEvent] = []
    private var draining = false
    /// Only touched on `queue`.
    private var written: Set<String> = []
    private var failure: String?
    private var closed = false
    /// How many fsyncs the target lines and footer took: fewer than lines
    /// when targets finish together (read once ``finish(_:)`` returned).
    private(set) var syncs = 0


    /// Creates `<directory>/<id>.jsonl` (the folder too, if missing) with
    /// the header written and fsynced, or throws before the run touches
    /// anything: a journal that cannot be written refuses the run
    /// (`.config`, exit 2), naming the folder and the keys that move or
    /// turn off the journal. Another file with the id (two runs in the same
    /// second drawing the same digits) gets the run a new id.
    /// `events` receives every event sent through ``send(_:)``.
    init(directory: String, header: RunHeader, configFile: String?, logger: Logger,
         events: @escaping @Sendable (FleetEvent) -> Void) throws {
        func refusal(_ reason: String) -> ShoalError {
            ShoalError(.config, "cannot write the run journal in \(directory): \(reason); the run was not started. "
                       + "Make the folder writable, name another with `journal_dir` in config.json, "
                       + "or turn the journal off with `\"journal\": false`", file: configFile)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw refusal("the folder cannot be created (\(Self.reason(error)))")
        }
        var header = header
        var descriptor: Int32 = -1
        var path = ""
        for _ in 0..<16 {
            path = directory + "/" + header.run.description + ".jsonl"
            descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor < 0 && errno == EEXIST else { break }
            header.run = RunID(startedAt: header.run.startedAt)
        }
        guard descriptor >= 0 else { throw refusal(String(cString: strerror(errno))) }
        do {
            try Self.writeAll(header.journalLine, to: descriptor)
            try Self.sync(descriptor)
            // The file's name is only durable once its folder is synced.
            let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if folder >= 0 { _ = fsync(folder); close(folder) }
        } catch {
            close(descriptor)
            unlink(path)
            throw refusal(Self.reason(error))
        }
        self.file = descriptor
        written.reserveCapacity(header.targets.count)
        self.path = path
        self.run = header.run
        self.deliver = events
        self.logger = logger
    }

    deinit {
        if !closed { close(file) }
    }

    /// Passes `event` on after the lines of every finished target sent so
    /// far (this one's included) are on disk. Events keep their order.
    func send(_ event: FleetEvent) {
        let start = lock.withLock {
            pending.append(event)
            defer { draining = true }
            return !draining
        }
        if start { queue.async { self.drain() } }
    }

    /// Writes the reports of targets whose ``FleetEvent/targetFinished(_:)``
    /// never came (targets that never started), then the footer, and
    /// closes the file; returns once the last event sent was delivered.
    func finish(_ report: FleetReport) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                self.drain()
                let missing = report.targets.filter { !self.written.contains($0.target) }
                let footer = RunFooter(finishedAt: Timestamp.string(), durationMs: report.durationMs, summary: report.summary)
                self.append(missing, then: Self.line(footer))
                if !self.closed { close(self.file) }
                self.closed = true
                if let failure = self.failure {
                    self.logger.error("the run journal \(self.path) is incomplete: \(failure)")
                }
                done.resume()
            }
        }
    }

    /// Takes every waiting event, writes and fsyncs the lines of the
    /// finished targets among them, then delivers them; until none wait.
    private func drain() {
        while true {
            let batch: [FleetEvent] = lock.withLock {
                let taken = pending
                pending = []
                if taken.isEmpty { draining = false }
                return taken
            }
            guard !batch.isEmpty else { return }
            // The reports stay in the batch: copying them out would hold a
            // second array of them (a no-op upgrade of 100,000 targets
            // finishes most of them in one batch).
            let finished = batch.lazy.compactMap { event in
                if case .targetFinished(let report) = event { report } else { nil }
            }
            for report in finished { written.insert(report.target) }
            if !finished.isEmpty { append(finished) }
            for event in batch { deliver(event) }
        }
    }

    /// Lines per `write`: a batch of 100,000 targets that finished together
    /// (a no-op upgrade) is written a few hundred lines at a time, so that
    /// its text never exists whole; it is still fsynced once.
    static let linesPerWrite = 512

    /// Appends the lines of `reports`, then `tail`, and fsyncs them once;
    /// the first failure is kept (the run goes on: what it changed is in
    /// the databases' history either way) and nothing more is written.
    private func append(_ reports: some Sequence<TargetReport>, then tail: String = "") {
        guard failure == nil, !closed else { return }
        do {
            var lines = ""
            var count = 0
            for report in reports {
                lines += report.journalLine
                count += 1
                if count == Self.linesPerWrite {
                    try Self.writeAll(lines, to: file)
                    lines = ""
                    count = 0
                }
            }
            try Self.writeAll(lines + tail, to: file)
            try Self.sync(file)
            syncs += 1
        } catch {
            failure = Self.reason(error)
        }
    }

    /// The footer as one line (the header's is ``RunHeader/journalLine``,
    /// targets' ``TargetReport/journalLine``).
    private static func line(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, numbers and arrays of them: they always encode.
        return String(decoding: try! encoder.encode(value), as: UTF8.self) + "\n"
    }

    private static func writeAll(_ text: String, to file: Int32) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            bytes = bytes.dropFirst(count)
        }
    }

    private static func sync(_ file: Int32) throws {
        guard fsync(file) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? POSIXError { return String(cString: strerror(error.code.rawValue)) }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
        return error.localizedDescription
    }
}
