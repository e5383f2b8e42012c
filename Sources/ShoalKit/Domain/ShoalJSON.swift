import Foundation

/// How shoal writes a JSON document (`--json`, `/api/...`, the page's
/// embedded data): pretty, keys sorted, slashes as they are.
public enum ShoalJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Writes the document ``encode(_:)`` would give for `shell` with its
    /// top-level array `key` holding `elements`, byte for byte, a few
    /// hundred elements at a time: `shell` must encode that array empty.
    /// JSONEncoder builds a whole document in memory more than once over
    /// (`upgrade --json` of 100,000 targets: about 100 MB more at its
    /// peak, issue 16); this holds one chunk. `write` gets the pieces in
    /// order; the document ends without a newline, as ``encode(_:)``'s.
    public static func stream<Element: Encodable>(_ shell: some Encodable, array key: String, elements: [Element],
                                                   chunk: Int = 512, to write: (Data) throws -> Void) throws {
        let empty = try encode(shell)
        // Pretty printing puts a top-level member on its own line at two
        // spaces, and an empty array as `[`, an empty line, `  ]`: JSON
        // strings never hold a raw newline, so this occurs once.
        let marker = Data("\n  \(key.jsonQuoted) : [\n\n  ]".utf8)
        guard !elements.isEmpty else {
            try write(empty)
            return
        }
        guard let found = empty.range(of: marker) else {
            // A shell without that empty array at the top: writing it would
            // lose the elements.
            throw EncodingError.invalidValue(elements, .init(codingPath: [], debugDescription:
                "ShoalJSON.stream: the document has no empty top-level array \(key.jsonQuoted) to fill"))
        }
        let opening = found.lowerBound + marker.count - "\n\n  ]".utf8.count
        try write(empty[..<opening])
        let step = max(1, chunk)
        for start in stride(from: 0, to: elements.count, by: step) {
            // `[`, newline, the elements at two spaces, newline, `]`: the
            // elements without the brackets, two spaces further in.
            let array = try encode(Array(elements[start..<min(start + step, elements.count)]))
            var piece = Data((start == 0 ? "\n" : ",\n").utf8)
            piece.reserveCapacity(array.count + array.count / 8)
            // Every line but an empty one (the inside of an empty array),
            // a line at a time.
            let body = array.dropFirst(2).dropLast(2)
            var lineStart = body.startIndex
            while lineStart < body.endIndex {
                let lineEnd = body[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? body.endIndex
                if body[lineStart] != 0x0A { piece.append(contentsOf: "  ".utf8) }
                piece.append(body[lineStart..<lineEnd])
                lineStart = lineEnd
            }
            try write(piece)
        }
        try write(empty[(opening + "\n".utf8.count)...])
    }
}
