/// A journal's header as one line: the very object `RunHeader.encode(to:)`
/// gives (`JournalLineTests` holds the two to each other), written by hand
/// for the reason target lines are (``TargetReport/journalLine``): the
/// header lists every target and where the plan found it, and a run starts
/// only once it is on disk. JSONEncoder took 0.43 s of a 100,000-target
/// no-op upgrade's 14 s (issue 16, `scripts/bench` G1); this takes a tenth.
///
/// Keys come in JSONEncoder's sorted order; `from`'s targets in run order
/// (a JSON object's order carries no meaning, and sorting 100,000 ids
/// would cost what this saves), any not in `targets` after them, sorted.
extension RunHeader {
    var journalLine: String {
        var line = JSONObjectText()
        line.add("arguments", strings: arguments)
        line.add("command", string: command)
        line.add("compensates", string: compensates)
        line.add("config_sha256", string: configSHA256)
        if let from {
            var object = JSONObjectText()
            object.reserve(from.count * 48)
            var written = 0
            for target in targets {
                guard let revisions = from[target] else { continue }
                object.add(target.jsonQuoted, quotedKey: true, strings: revisions)
                written += 1
            }
            if written < from.count {
                let listed = Set(targets)
                for target in from.keys.filter({ !listed.contains($0) }).sorted() {
                    object.add(target.jsonQuoted, quotedKey: true, strings: from[target]!)
                }
            }
            line.add("from", json: object.text)
        }
        line.add("host", string: host)
        line.add("phase", string: phase)
        line.add("retry_of", string: retryOf)
        line.add("revision", string: revision)
        line.add("run", string: run.description)
        var selectors = JSONObjectText()
        selectors.add("databases", strings: self.selectors.databases)
        selectors.add("partition", string: self.selectors.partition)
        selectors.add("shards", strings: self.selectors.shards)
        selectors.add("targets", strings: self.selectors.targets)
        selectors.add("tenants", strings: self.selectors.tenants)
        line.add("selectors", json: selectors.text)
        line.add("shoal_version", string: shoalVersion)
        line.add("started_at", string: startedAt)
        line.add("targets", strings: targets)
        line.add("user", string: user)
        return line.text + "\n"
    }
}
