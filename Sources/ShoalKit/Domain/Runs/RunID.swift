import Foundation

/// The id of one run (SPEC §11): `YYYYMMDDTHHMMSSZ-xxxx`, the UTC second it
/// started and four random lowercase hex digits, e.g.
/// `20261206T224512Z-3f9a`. Ids sort by start time as text, and name the
/// run's journal file (`<id>.jsonl`) and its history rows (`run_id`).
///
/// ```swift
/// let id = RunID(startedAt: Date())                    // a new run
/// let named = try RunID(parsing: "20261206T224512Z-3f9a")  // an argument
/// ```
public struct RunID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id as printed and stored.
    public let description: String

    /// A new id for a run that starts at `date`, with a random suffix
    /// (two runs started in the same second get different files).
    public init(startedAt date: Date, suffix: UInt16 = .random(in: .min ... .max)) {
        let time = Self.basic(date)
        let hex = String(suffix, radix: 16)
        description = time + "-" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// Validates a run id typed by a user or read from a file name; the
    /// error (`.usage`, exit 2) shows the expected form.
    public init(parsing text: String) throws {
        guard Self.isValid(text) else {
            throw ShoalError(.usage, "`\(text)` is not a run id: expected YYYYMMDDTHHMMSSZ-xxxx "
                             + "(the UTC start and four hex digits, as `shoal runs` lists them), e.g. 20261206T224512Z-3f9a")
        }
        description = text
    }

    /// When the run started, to the second.
    public var startedAt: Date {
        // `isValid` parsed the same text.
        Self.date(basic: description.prefix(16))!
    }

    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.description < rhs.description }

    /// `20261206T224512Z`: ISO 8601's basic form (no separators), UTC.
    private static func basic(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle()).filter { $0 != "-" && $0 != ":" }
    }

    /// The instant of a basic-form time, nil when it is none (month 13, hour 25).
    private static func date(basic text: Substring) -> Date? {
        let t = Array(text)
        let extended = String(t[0..<4]) + "-" + String(t[4..<6]) + "-" + String(t[6..<8]) + "T"
            + String(t[9..<11]) + ":" + String(t[11..<13]) + ":" + String(t[13..<15]) + "Z"
        guard let date = try? Date.ISO8601FormatStyle().parse(extended), basic(date) == text else { return nil }
        return date
    }

    private static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 21, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z"),
              bytes[16] == UInt8(ascii: "-") else { return false }
        let digits = bytes[0..<8] + bytes[9..<15]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              bytes[17...].allSatisfy({ isLowercaseHex($0) }) else { return false }
        return date(basic: text.prefix(16)) != nil
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
