/// A target's report as one line of a run's journal: the very object
/// `TargetReport.encode(to:)` gives the JSON report (`JournalLineTests`
/// holds the two to each other, field by field, with hostile strings).
///
/// Written out here rather than by `JSONEncoder` because of where it runs:
/// every finished target's line is on the run's critical path, and
/// JSONEncoder takes about 20 µs a report, 20 ms of a 1,000-target no-op
/// upgrade that otherwise takes about 110 ms (`scripts/bench` W4 went from
/// 1.11× to 1.26× the baseline). This takes about 1 µs.
extension TargetReport {
    var journalLine: String {
        var line = JSONObjectText()
        line.add("target", string: target)
        line.add("database", string: database)
        line.add("shard", string: shard)
        line.add("tenant", string: tenant)
        line.add("status", string: status.rawValue)
        line.add("from", strings: from)
        line.add("to", strings: to)
        if !revisionsKnown { line.add("revisions_known", json: "false") }
        line.add("applied", json: JSONObjectText.array(applied.map { step in
            var object = JSONObjectText()
            object.add("revision", string: step.revision)
            object.add("duration_ms", int: step.durationMs)
            return object.text
        }))
        if let planned { line.add("planned", strings: planned) }
        if let groups { line.add("groups", json: JSONObjectText.array(groups.map { JSONObjectText.array($0.map(\.jsonQuoted)) })) }
        if let stoppedAt { line.add("stopped_at", string: stoppedAt) }
        line.add("duration_ms", int: durationMs)
        if let error {
            var object = JSONObjectText()
            object.add("message", string: error.message)
            object.add("revision", string: error.revision)
            object.add("sql_state", string: error.sqlState)
            line.add("error", json: object.text)
        } else {
            line.add("error", json: "null")
        }
        line.add("replicas", json: JSONObjectText.array(replicas.map { replica in
            var object = JSONObjectText()
            object.add("name", string: replica.name)
            object.add("status", string: replica.status.rawValue)
            object.add("waited_ms", int: replica.waitedMs)
            object.add("lag_bytes", int: replica.lagBytes)
            if let message = replica.message { object.add("message", string: message) }
            return object.text
        }))
        if retries > 0 { line.add("retries", int: retries) }
        return line.text + "\n"
    }
}

/// A compact JSON object written member by member.
struct JSONObjectText {
    private var members = ""

    /// The object, braces included.
    var text: String { "{" + members + "}" }

    /// `json` must be a JSON value already; `key` a plain name (shoal's
    /// own keys), or with `quotedKey` one already quoted (a target id).
    mutating func add(_ key: String, quotedKey: Bool = false, json: String) {
        // Appended piece by piece: no temporary Strings (100,000 lines of
        // a dozen members each are on a no-op upgrade's critical path).
        if !members.isEmpty { members += "," }
        if quotedKey {
            members += key
            members += ":"
        } else {
            members += "\""
            members += key
            members += "\":"
        }
        members += json
    }

    /// Room for `bytes` more, for an object of many members.
    mutating func reserve(_ bytes: Int) {
        members.reserveCapacity(members.utf8.count + bytes)
    }

    mutating func add(_ key: String, string: String?) {
        add(key, json: string.map(\.jsonQuoted) ?? "null")
    }

    mutating func add(_ key: String, int: Int?) {
        add(key, json: int.map(String.init) ?? "null")
    }

    mutating func add(_ key: String, quotedKey: Bool = false, strings: [String]) {
        add(key, quotedKey: quotedKey, json: Self.array(strings.map(\.jsonQuoted)))
    }

    static func array(_ values: [String]) -> String {
        "[" + values.joined(separator: ",") + "]"
    }
}
