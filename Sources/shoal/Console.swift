import Foundation
import ShoalKit

/// Where output goes: results on stdout, text on stderr under `--json`,
/// progress only on a terminal, colour unless NO_COLOR is set.
enum Console {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    static let colorEnabled = ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true

    /// A result line: stdout, or stderr when stdout carries JSON.
    static func line(_ text: String, json: Bool) {
        write(text + "\n", toStderr: json)
    }

    /// Result lines written at once (a table printed when it is complete:
    /// one system call instead of one per line).
    static func lines(_ lines: [String], json: Bool) {
        guard !lines.isEmpty else { return }
        write(lines.joined(separator: "\n") + "\n", toStderr: json)
    }

    static func write(_ text: String, toStderr: Bool) {
        (toStderr ? FileHandle.standardError : FileHandle.standardOutput).write(Data(text.utf8))
    }

    static func error(_ error: ShoalError) {
        write(paint("error: ", .red, stderr: true) + error.description + "\n", toStderr: true)
    }

    /// Prints one JSON document on stdout.
    static func json(_ value: some Encodable) throws {
        var data = try ShoalJSON.encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }

    /// Prints one JSON document on stdout as `writeJSON` hands it over,
    /// piece by piece (a report of 100,000 targets is never whole in memory).
    static func json(streaming writeJSON: ((Data) throws -> Void) throws -> Void) throws {
        try writeJSON { FileHandle.standardOutput.write($0) }
        FileHandle.standardOutput.write(Data([0x0A]))
    }

    enum Color: String { case red = "31", green = "32", yellow = "33", dim = "2" }

    static func paint(_ text: String, _ color: Color, stderr: Bool = false) -> String {
        guard colorEnabled, stderr ? stderrIsTerminal : stdoutIsTerminal else { return text }
        return "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m"
    }
}
