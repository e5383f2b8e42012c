import Foundation

/// One run as its journal recorded it (SPEC §11): the header line, one
/// report per target that finished, and the closing line, read back from
/// `<journal_dir>/<run>.jsonl` long after the process that ran it is gone.
///
/// A run killed before its closing line is ``State-swift.enum/interrupted``:
/// the targets it selected and never reported are ``unreported``. A line
/// cut short by the kill (the last one, without its newline) is ignored and
/// counted in ``ignoredLines``; it never makes the journal unreadable.
public struct RecordedRun: Sendable {
    /// Whether the run wrote its closing line.
    public enum State: String, Sendable, Hashable, Encodable {
        case finished
        /// Killed (or still running) before its closing line.
        case interrupted
    }

    public var header: RunHeader
    /// The journal file.
    public var path: String
    /// Each target's report, in the order they finished.
    public var targets: [TargetReport]
    /// When the run wrote its closing line; nil for an interrupted run.
    public var finishedAt: String?
    /// The run's duration from its closing line; nil for an interrupted run.
    public var durationMs: Int?
    /// Lines that are not part of the journal (1-based): a last line cut
    /// short by a kill, or a line that is not what a journal holds.
    public var ignoredLines: [Int]

    public var id: String { header.run.description }
    public var state: State { finishedAt == nil ? .interrupted : .finished }

    /// The selected targets no line reported (an interrupted run's
    /// `unknown` targets), in run order.
    public var unreported: [String] {
        let reported = Set(targets.map(\.target))
        return header.targets.filter { !reported.contains($0) }
    }

    /// The counts of the reported targets' outcomes.
    public var summary: FleetReport.Summary {
        FleetReport(command: header.command, durationMs: durationMs ?? 0, targets: targets).summary
    }

    /// Reads the journal at `path`. Throws, naming the file, when it cannot
    /// be read or its first line is not a run's header; a torn or foreign
    /// line after it is ignored (``ignoredLines``).
    public static func read(path: String) throws -> RecordedRun {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path))
        } catch {
            throw ShoalError(.io, "cannot read the journal \(path): \(error.localizedDescription)", file: path)
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A complete file ends with a newline, leaving one empty piece.
        let torn = lines.last.map { !$0.isEmpty } ?? false
        let tornNumber = lines.count
        if !torn { lines.removeLast() }
        let decoder = JSONDecoder()
        guard let first = lines.first, let header = try? decoder.decode(RunHeader.self, from: Data(first)),
              !(torn && lines.count == 1) else {
            throw ShoalError(.io, "\(path) is not a shoal run journal: its first line is not a run's header", file: path)
        }
        if header.command == "downgrade" { decoder.userInfo[.appliedDirection] = Direction.down }
        var run = RecordedRun(header: header, path: path, targets: [], finishedAt: nil, durationMs: nil, ignoredLines: [])
        for (index, line) in lines.enumerated().dropFirst() {
            let number = index + 1
            if torn && number == tornNumber {
                run.ignoredLines.append(number)
            } else if let report = try? decoder.decode(TargetReport.self, from: Data(line)) {
                run.targets.append(report)
            } else if let footer = try? decoder.decode(RunFooter.self, from: Data(line)) {
                run.finishedAt = footer.finishedAt
                run.durationMs = footer.durationMs
            } else {
                run.ignoredLines.append(number)
            }
        }
        return run
    }
}
