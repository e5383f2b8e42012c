/// Breaks valid inputs the ways files get broken by hand, by tools and by
/// attackers: flipped and invalid bytes, stray quotes, braces and `$`,
/// truncation, duplicated runs (duplicate keys), deep nesting, huge numbers
/// and very long lines.
struct Mutator {
    /// The size of the rare huge insertions (deep nesting, long lines): large
    /// enough to expose a quadratic path even in a debug build, small enough
    /// to keep the default run short. A long run (`SHOAL_FUZZ_CASES`) goes
    /// ten times bigger; the explicit worst-case tests go bigger still.
    static let huge = Fuzz.requestedCases == nil ? 20_000 : 200_000

    /// Fragments worth inserting: the syntax of JSON, of `${…}` variables,
    /// of migration headers and sections, of SQL quoting, and escapes.
    static let tokens: [String] = [
        "\"", "{", "}", "[", "]", ":", ",", "$", "${", "$$", "}", "${DB_URL}", "${UNSET}", "${EMPTY}",
        "${EMPTY:-x}", "${UNSET:-${DB_URL}}", "${UNSET:?boom}", "${", "${1X}", "${X:+y}", "\\", "\\u0000", "\\ud800",
        "\\uDFFF", "\\u", "\u{0}", "\n", "\r\n", "\r", "\t", " ", "null", "true", "false", "-0", "1e999", "-1e-999",
        "99999999999999999999999999", "-9223372036854775809", "0.5", "01", "{tenant}", "../", "..", "/", "'", "`",
        ";", "--", "/*", "*/", "$$", "$tag$", "E'", "-- revision: ", "-- parents: ", "-- message: ", "-- transaction: ",
        "-- shoal:up", "-- shoal:down", "-- shoal:verify", "-- shoal:", "--shoal: up", "head", "heads", "base",
        "\u{FEFF}", "é", "\u{301}", "İ", "ß", "\u{202E}", "😀", "\u{2028}", "password=", "postgres://u:p@h/db",
        "\"databases\"", "\"driver\"", "\"tenants\"", "\"shards\"", "\"url\"", "\"path\"", "\"after\"", "\"schema\"",
    ]

    /// Byte sequences that are not UTF-8: a lone continuation byte, a cut
    /// sequence, an overlong `/`, a surrogate, beyond U+10FFFF, 0xFF.
    static let invalidUTF8: [[UInt8]] = [[0x80], [0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xE2, 0x82]]

    /// 1 to 4 random mutations of `input`; with `others`, splices from them too.
    static func mutate(_ input: [UInt8], others: [[UInt8]] = [], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<random.int(1...4) {
            mutateOnce(&bytes, others: others, using: &random)
        }
        return bytes
    }

    static func mutate(_ input: String, others: [String] = [], using random: inout SplitMix64) -> [UInt8] {
        mutate(Array(input.utf8), others: others.map { Array($0.utf8) }, using: &random)
    }

    private static func mutateOnce(_ bytes: inout [UInt8], others: [[UInt8]], using random: inout SplitMix64) {
        let position = random.int(0...bytes.count)
        func range() -> Range<Int> {
            guard !bytes.isEmpty else { return 0..<0 }
            let start = random.int(0...(bytes.count - 1))
            let length = random.oneIn(4) ? random.int(0...(bytes.count - start)) : random.int(0...min(16, bytes.count - start))
            return start..<(start + length)
        }
        switch random.int(0...15) {
        case 0 where !bytes.isEmpty:
            bytes[random.int(0...(bytes.count - 1))] ^= UInt8(1) << UInt8(random.int(0...7))
        case 1 where !bytes.isEmpty:
            bytes[random.int(0...(bytes.count - 1))] = UInt8(random.int(0...255))
        case 2, 3, 4:
            bytes.insert(contentsOf: Array(random.pick(tokens).utf8), at: position)
        case 5:
            bytes.insert(contentsOf: random.pick(invalidUTF8), at: position)
        case 6:
            bytes.removeSubrange(range())
        case 7:
            // A duplicated run: duplicate keys, sections, header lines.
            let run = range()
            bytes.insert(contentsOf: bytes[run], at: min(run.upperBound, bytes.count))
        case 8:
            bytes.removeSubrange(position...)
        case 9 where random.oneIn(4):
            // Deep nesting: arrays, objects, variables in defaults, comments.
            let depth = random.oneIn(8) ? huge : random.int(1...600)
            let unit = random.pick(["[", "{\"a\":", "${X:-", "/*", "(", "[{\"k\":"])
            bytes.insert(contentsOf: Array(String(repeating: unit, count: depth).utf8), at: position)
        case 10 where random.oneIn(4):
            // A very long line or string.
            let length = random.oneIn(8) ? huge : random.int(100...5_000)
            let character = random.pick(["a", " ", "\\\\", "é", "$", "{", "-", "0"])
            bytes.insert(contentsOf: Array(String(repeating: character, count: length).utf8), at: position)
        case 11:
            var number = random.oneIn(2) ? "-" : ""
            for _ in 0..<random.int(18...400) { number += String(random.int(0...9)) }
            if random.oneIn(3) { number += "e\(random.int(-999...999))" }
            bytes.insert(contentsOf: Array(number.utf8), at: position)
        case 12 where !others.isEmpty:
            let other = random.pick(others)
            guard !other.isEmpty else { return }
            let start = random.int(0...(other.count - 1))
            let end = random.int(start...other.count)
            bytes.insert(contentsOf: other[start..<end], at: position)
        case 13:
            // A NUL or control byte.
            bytes.insert(UInt8(random.int(0...31)), at: position)
        case 14 where !bytes.isEmpty:
            // Swap two runs: keys with values, lines with lines.
            let first = range()
            let moved = Array(bytes[first])
            bytes.removeSubrange(first)
            bytes.insert(contentsOf: moved, at: random.int(0...bytes.count))
        default:
            bytes.insert(contentsOf: Array(random.pick(tokens).utf8), at: position)
        }
    }

    /// A random string made of `alphabet`'s pieces, `length` pieces long.
    static func text(from alphabet: [String], length: ClosedRange<Int>, using random: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<random.int(length) { text += random.pick(alphabet) }
        return text
    }
}
