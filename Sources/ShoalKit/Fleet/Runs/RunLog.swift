import Foundation

/// The journal folder (SPEC §11): one `<run>.jsonl` file per run, named by
/// its id, so that names sort as the runs started. `shoal runs` lists it;
/// `shoal runs show`, `--retry-failed` and `shoal rollback` find a run in it.
public struct RunLog: Sendable {
    /// The folder that holds the journals.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The ids of the runs in the folder, newest second first (runs that
    /// started in the same second are in no particular order). A folder
    /// that does not exist yet holds none.
    public func ids() throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch where !FileManager.default.fileExists(atPath: directory) {
            return []
        } catch {
            throw ShoalError(.io, "cannot list the journal folder \(directory): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(".jsonl".count)) }.sorted(by: >)
    }

    /// The newest `limit` runs (all without one), newest first, and the
    /// files that could not be read as journals, each with why.
    public func runs(limit: Int? = nil) throws -> (runs: [RecordedRun], unreadable: [ShoalError]) {
        var runs: [RecordedRun] = []
        var unreadable: [ShoalError] = []
        // Names sort by the second a run started; runs of the same second
        // are ordered by their headers' milliseconds, so read the whole
        // second the limit ends in.
        var lastSecond: Substring?
        for id in try ids() {
            if let limit, runs.count >= limit, id.prefix(16) != lastSecond { break }
            do {
                runs.append(try RecordedRun.read(path: path(of: id)))
                lastSecond = id.prefix(16)
            } catch let error as ShoalError {
                unreadable.append(error)
            }
        }
        runs.sort { ($0.header.startedAt, $0.id) > ($1.header.startedAt, $1.id) }
        if let limit { runs = Array(runs.prefix(limit)) }
        return (runs, unreadable)
    }

    /// The run `id`, or the one run whose id starts with it or ends with
    /// `-` and it (its four random digits, `3f9a`). Throws kind
    /// `.usage` (the CLI exits 2) for an id no run has, naming the folder
    /// and the closest ids, or a prefix several runs share.
    public func run(_ id: String) throws -> RecordedRun {
        let ids = try ids()
        if ids.contains(id) { return try RecordedRun.read(path: path(of: id)) }
        let matches = ids.filter { $0.hasPrefix(id) || $0.hasSuffix("-" + id) }
        if matches.count == 1 { return try RecordedRun.read(path: path(of: matches[0])) }
        if matches.count > 1 {
            throw ShoalError(.usage, "run `\(id)` is ambiguous: \(matches.prefix(5).joined(separator: ", "))"
                             + (matches.count > 5 ? ", …" : "") + " start with it")
        }
        let newest = ids.prefix(3)
        throw ShoalError(.usage, "no run `\(id)` in \(directory)."
                         + Suggestion.didYouMeanAny(id, among: ids)
                         + (newest.isEmpty ? " The journal holds no runs yet." : " The newest: \(newest.joined(separator: ", ")) (`shoal runs` lists them)."))
    }

    /// The runs that retried `id` (`--retry-failed`) and that compensated
    /// it (`shoal rollback`), oldest first: the other side of their headers'
    /// `retry_of` and `compensates`.
    public func links(to id: String) throws -> (retriedBy: [String], compensatedBy: [String]) {
        var retriedBy: [String] = []
        var compensatedBy: [String] = []
        var headers: [RunHeader] = []
        for other in try ids() where other != id {
            if let header = try? RecordedRun.readHeader(path: path(of: other)) { headers.append(header) }
        }
        headers.sort { ($0.startedAt, $0.run.description) < ($1.startedAt, $1.run.description) }
        for header in headers {
            if header.retryOf == id { retriedBy.append(header.run.description) }
            if header.compensates == id { compensatedBy.append(header.run.description) }
        }
        return (retriedBy, compensatedBy)
    }

    /// The journal file of run `id`.
    public func path(of id: String) -> String {
        URL(filePath: directory).appending(path: id + ".jsonl").path
    }
}

extension RecordedRun {
    /// The header of the journal at `path`, reading only its first line.
    static func readHeader(path: String) throws -> RunHeader {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ShoalError(.io, "cannot read the journal \(path)", file: path)
        }
        defer { try? handle.close() }
        var line = Data()
        while let chunk = try handle.read(upToCount: 4096), !chunk.isEmpty {
            if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) {
                line.append(chunk[chunk.startIndex..<newline])
                return try JSONDecoder().decode(RunHeader.self, from: line)
            }
            line.append(chunk)
        }
        throw ShoalError(.io, "\(path) is not a shoal run journal: its first line is not a run's header", file: path)
    }
}
