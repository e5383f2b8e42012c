/// Line handling shared by the parser and the checksum, so both agree on what
/// a line is whatever the editor that saved the file (`\n`, `\r\n` or `\r`).
enum MigrationText {
    /// The lines of `text`, without their terminators. A final terminator does
    /// not start an extra empty line; a leading byte-order mark is dropped.
    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var previousWasCR = false
        for scalar in scalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    /// `line` without trailing spaces, tabs or other blanks.
    static func trimmingTrailingBlanks(_ line: String) -> String {
        let scalars = line.unicodeScalars
        return String(scalars[..<blankSuffixStart(scalars, from: scalars.startIndex)])
    }

    /// `line` without leading and trailing blanks.
    static func trimmed(_ line: String) -> String {
        let scalars = line.unicodeScalars
        var start = scalars.startIndex
        while start < scalars.endIndex, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        return String(scalars[start..<blankSuffixStart(scalars, from: start)])
    }

    /// Where the run of blanks ending `scalars` starts, not before `start`.
    /// It walks back by index: `dropLast()` in a loop recounts the view each
    /// time, and took minutes for a line ending in 200,000 blanks.
    private static func blankSuffixStart(_ scalars: String.UnicodeScalarView, from start: String.Index) -> String.Index {
        var end = scalars.endIndex
        while end > start {
            let before = scalars.index(before: end)
            guard scalars[before].properties.isWhitespace else { break }
            end = before
        }
        return end
    }

    static func isBlank(_ line: String) -> Bool {
        line.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// Drops blank lines at both ends of `lines`.
    static func trimmingBlankLines(_ lines: some Collection<String>) -> [String] {
        var slice = Array(lines)[...]
        while let first = slice.first, isBlank(first) { slice = slice.dropFirst() }
        while let last = slice.last, isBlank(last) { slice = slice.dropLast() }
        return Array(slice)
    }
}
