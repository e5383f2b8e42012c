/// How values get into the fleet page without becoming markup: text and
/// attributes HTML-escaped, the JSON document made safe to sit inside a
/// `<script>` element.
enum PageEscaping {
    /// `text` for an element's content or a quoted attribute value.
    static func html(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// A JSON document as the text of a `<script type="application/json">`:
    /// `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (so no value can
    /// close the element or open a comment), U+2028 and U+2029 as `\u2028`,
    /// `\u2029`, and the whitespace between tokens left out (a 10,000-target
    /// document shrinks by almost half). The characters escaped only occur
    /// inside strings, where `\uXXXX` means the same character, so the
    /// document parses to the same value.
    static func scriptJSON(_ document: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(document.count)
        func append(_ text: StaticString) {
            text.withUTF8Buffer { output.append(contentsOf: $0) }
        }
        var inString = false
        var index = 0
        while index < document.count {
            let byte = document[index]
            index += 1
            if !inString {
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09: continue
                case 0x22: inString = true
                default: break
                }
                output.append(byte)
                continue
            }
            switch byte {
            case 0x5C:  // a backslash and the character it escapes, as they are
                output.append(byte)
                if index < document.count { output.append(document[index]); index += 1 }
            case 0x22: inString = false; output.append(byte)
            case 0x3C: append("\\u003c")
            case 0x3E: append("\\u003e")
            case 0x26: append("\\u0026")
            case 0xE2 where index + 1 < document.count && document[index] == 0x80
                && (document[index + 1] == 0xA8 || document[index + 1] == 0xA9):
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
                append(document[index + 1] == 0xA8 ? "\\u2028" : "\\u2029")
                index += 2
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
