/// Reads one migration file (SPEC §4) into a ``Migration``.
///
/// ```sql
/// -- revision: 5c1e9a0b7f3d
/// -- parents: 9d2a61c0e4b8
/// -- message: add email to users
///
/// -- shoal:up
/// ALTER TABLE users ADD COLUMN email text;
///
/// -- shoal:down
/// ALTER TABLE users DROP COLUMN email;
/// ```
///
/// The header is the run of `-- key: value` lines at the top of the file
/// (blank lines before it are fine); it ends at the first other line. Keys are
/// `revision` (required), `parents` (space-separated ids; absent or empty for a
/// root), `message`, `transaction` (`true`, the default, or `false`), `phase`
/// (`expand` or `contract`, SPEC §9.3) and `allow` (lint rule ids allowed for
/// the whole migration, SPEC §9.1). Unknown
/// and repeated keys are errors, and so is a known key set apart from the header
/// by a blank line, which would otherwise be silently ignored.
///
/// A revision id is 1 to 64 ASCII letters, digits or underscores, and not one
/// of the words `head`, `heads` and `base` (in any case), which name revisions
/// in commands.
/// The file must be named after it: `<revision>_<slug>.sql` (or `<revision>.sql`).
///
/// Sections start at the exact lines `-- shoal:up`, `-- shoal:down` and
/// `-- shoal:verify` (trailing blanks tolerated), each at most once and in any
/// order; `up` is required and may be empty. Any other line that looks like a
/// marker (`-- shoal:upgrade`, `--shoal: up`) is an error rather than a comment,
/// except a lint allow comment `-- shoal:allow RULE[,RULE] reason`, whose
/// rule ids must exist.
/// Between the header and the first section only blank lines and `--` comments
/// are allowed. Each section's text drops its leading and trailing blank lines.
///
/// Every error is `ShoalError(.migrationFile)` with the file and the 1-based line.
package enum MigrationParser {
    /// The longest revision id accepted.
    package static let maxRevisionLength = 64

    /// Words that name revisions in commands and so cannot be revision ids.
    package static let reservedRevisionIDs: Set<String> = ["head", "heads", "base"]

    /// The header keys a migration file may use.
    package static let headerKeys = ["revision", "parents", "message", "transaction", "phase", "allow"]

    /// True for 1 to 64 ASCII letters, digits or underscores. Reserved words are
    /// checked separately, so that an error can say which rule was broken.
    package static func isValidRevisionID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxRevisionLength && id.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
        }
    }

    /// Parses the text of the file at `path` (used in errors and kept as ``Migration/path``).
    package static func parse(_ text: String, path: String) throws -> Migration {
        let lines = MigrationText.lines(text)
        func fail(_ message: String, line: Int) -> ShoalError {
            ShoalError(.migrationFile, message, file: path, line: line)
        }

        // Header.
        var index = 0
        while index < lines.count && MigrationText.isBlank(lines[index]) { index += 1 }
        let headerLine = min(index, max(lines.count - 1, 0)) + 1
        var fields: [String: (value: String, line: Int)] = [:]
        while index < lines.count, sectionMarker(lines[index]) == nil, let (key, value) = headerField(lines[index]) {
            let line = index + 1
            guard headerKeys.contains(key) else {
                throw fail("unknown header key `\(key)`.\(Suggestion.didYouMeanAny(key, among: headerKeys)) "
                    + "The keys are \(headerKeys.joined(separator: ", ")).", line: line)
            }
            if let first = fields[key] {
                throw fail("header key `\(key)` appears twice (first on line \(first.line)); keep one.", line: line)
            }
            fields[key] = (value, line)
            index += 1
        }

        // Sections.
        var sections: [Section: (lines: [String], line: Int)] = [:]
        var currentSection: Section?
        while index < lines.count {
            let text = lines[index]
            let line = index + 1
            index += 1
            if try LintAllowance.comment(text, file: path, lineNumber: line) != nil {
                if let section = currentSection { sections[section]?.lines.append(text) }
                continue
            }
            switch sectionMarker(text) {
            case .known(let section):
                if let first = sections[section] {
                    throw fail("second `\(section.marker)` section (the first is on line \(first.line)); merge them into one.",
                               line: line)
                }
                sections[section] = ([], line)
                currentSection = section
                continue
            case .unknown(let marker):
                throw fail("unknown section marker `\(marker)`.\(markerSuggestion(marker)) "
                    + "The sections are `-- shoal:up`, `-- shoal:down` and `-- shoal:verify`, each alone on its line.", line: line)
            case nil:
                break
            }
            if let section = currentSection {
                sections[section]?.lines.append(text)
                continue
            }
            let trimmed = MigrationText.trimmed(text)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("--") {
                if let (key, _) = headerField(text), headerKeys.contains(key) {
                    throw fail("header line `\(trimmed)` is apart from the header; header lines must be consecutive "
                        + "at the top of the file, with no other line between them.", line: line)
                }
                continue
            }
            throw fail("SQL before the first section; put it under `-- shoal:up` (or `-- shoal:down`), "
                + "or make it a `--` comment.", line: line)
        }

        // Header values.
        guard let revisionField = fields["revision"] else {
            throw fail("missing `-- revision: <id>` header; add it at the top of the file, named like the file "
                + "(`<revision>_<slug>.sql`).", line: headerLine)
        }
        let revision = revisionField.value
        try checkID(revision, what: "revision", line: revisionField.line, path: path)

        var parents: [String] = []
        if let parentsField = fields["parents"] {
            for parent in parentsField.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
                try checkID(parent, what: "parent", line: parentsField.line, path: path)
                if parent == revision {
                    throw fail("revision \(revision) lists itself as a parent; parents are the revisions it follows.",
                               line: parentsField.line)
                }
                if parents.contains(parent) {
                    throw fail("parent \(parent) is listed twice; list each parent once.", line: parentsField.line)
                }
                parents.append(parent)
            }
        }

        var transactional = true
        if let field = fields["transaction"] {
            switch field.value {
            case "true": transactional = true
            case "false": transactional = false
            default:
                throw fail("transaction must be `true` or `false`, not `\(field.value)`.", line: field.line)
            }
        }

        let message = fields["message"].map(\.value).flatMap { $0.isEmpty ? nil : $0 }

        var phase: MigrationPhase?
        if let field = fields["phase"] {
            guard let value = MigrationPhase(rawValue: field.value) else {
                let names = MigrationPhase.allCases.map(\.rawValue)
                throw fail("phase must be `expand` or `contract`, not `\(field.value)`."
                    + Suggestion.didYouMeanAny(field.value, among: names), line: field.line)
            }
            phase = value
        }
        var allowedRules: [LintRule] = []
        if let field = fields["allow"] {
            for rule in try LintAllowance.header(field.value, file: path, line: field.line) where !allowedRules.contains(rule) {
                allowedRules.append(rule)
            }
        }

        guard sections[.up] != nil else {
            let line = sections.values.map(\.line).min() ?? max(lines.count, 1)
            throw fail("no `-- shoal:up` section; add one (it may be empty, as in a merge revision).", line: line)
        }

        try checkFileName(path: path, revision: revision, line: revisionField.line)

        func body(_ section: Section) -> String? {
            sections[section].map { MigrationText.trimmingBlankLines($0.lines).joined(separator: "\n") }
        }
        let upText = body(.up) ?? ""
        let upSection = sections[.up]!
        let upLine = upSection.line + 1 + upSection.lines.prefix(while: MigrationText.isBlank).count
        return Migration(revision: revision, parents: parents, message: message, transactional: transactional,
                         up: upText, down: body(.down), verify: body(.verify),
                         checksum: Checksum.of(up: upText), path: path,
                         phase: phase, allowedRules: allowedRules, upLine: upLine)
    }

    /// Checks that the file at `path` is named `<revision>_<slug>.sql` or
    /// `<revision>.sql`, so that a directory listing shows which file holds which
    /// revision and two files cannot silently swap ids.
    package static func checkFileName(path: String, revision: String, line: Int? = nil) throws {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        if name == revision + ".sql" || (name.hasPrefix(revision + "_") && name.hasSuffix(".sql")) { return }
        throw ShoalError(.migrationFile,
                         "file name `\(name)` does not match its revision \(revision); rename the file to "
                             + "`\(revision)_<slug>.sql` or fix the `-- revision:` header.",
                         file: path, line: line)
    }

    // MARK: - Lines

    enum Section: String, CaseIterable {
        case up, down, verify
        var marker: String { "-- shoal:\(rawValue)" }
    }

    enum Marker: Equatable {
        case known(Section)
        case unknown(String)
    }

    /// What a line is when it looks like a section marker: `--`, optional blanks,
    /// `shoal`, optional blanks, `:` at the start of the line.
    static func sectionMarker(_ line: String) -> Marker? {
        let text = MigrationText.trimmingTrailingBlanks(line)
        for section in Section.allCases where text == section.marker { return .known(section) }
        var rest = Substring(text)
        guard rest.hasPrefix("--") else { return nil }
        rest = rest.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" })
        guard rest.hasPrefix("shoal") else { return nil }
        rest = rest.dropFirst(5).drop(while: { $0 == " " || $0 == "\t" })
        return rest.hasPrefix(":") ? .unknown(text) : nil
    }

    /// " Did you mean `-- shoal:up`?" for `-- shoal:upgrade`, `-- shoal: up` or
    /// `-- shoal:vrify`; "" when no section is close.
    static func markerSuggestion(_ marker: String) -> String {
        let name = MigrationText.trimmed(String(marker.drop(while: { $0 != ":" }).dropFirst())).lowercased()
        let names = Section.allCases.map(\.rawValue)
        let close = names.first { !name.isEmpty && (name.hasPrefix($0) || $0.hasPrefix(name)) }
            ?? Suggestion.closest(to: name, in: names)
        return close.map { " Did you mean `-- shoal:\($0)`?" } ?? ""
    }

    /// `(key, value)` for a `-- key: value` line: `--`, blanks, a key of letters,
    /// digits, `_` or `-` starting with a letter, `:`, then a blank or the end of
    /// the line. The value is trimmed.
    static func headerField(_ line: String) -> (key: String, value: String)? {
        var rest = Substring(line)
        guard rest.hasPrefix("--") else { return nil }
        rest = rest.dropFirst(2).drop(while: { $0 == " " || $0 == "\t" })
        let key = rest.prefix(while: { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        guard let first = key.first, first.isLetter else { return nil }
        rest = rest.dropFirst(key.count)
        guard rest.hasPrefix(":") else { return nil }
        rest = rest.dropFirst()
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        return (String(key), MigrationText.trimmed(String(rest)))
    }

    private static func checkID(_ id: String, what: String, line: Int, path: String) throws {
        if !isValidRevisionID(id) {
            let shown = id.isEmpty ? "(empty)" : "`\(id)`"
            throw ShoalError(.migrationFile,
                             "\(what) \(shown) is not a valid revision id; use 1 to \(maxRevisionLength) "
                                 + "letters, digits or underscores.",
                             file: path, line: line)
        }
        if reservedRevisionIDs.contains(id.lowercased()) {
            throw ShoalError(.migrationFile,
                             "\(what) `\(id)` is a reserved word (head, heads, base); pick another revision id.",
                             file: path, line: line)
        }
    }
}
