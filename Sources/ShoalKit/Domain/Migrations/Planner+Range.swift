extension Planner {
    /// The plan of a revision range `[FROM:]TO` (`shoal sql`): the steps a
    /// target at FROM (`base` when the range has no `:`) runs to reach TO,
    /// with no target to read. FROM stands for the version rows a `stamp`
    /// to it leaves. The plan is the upgrade from there when it has steps,
    /// else the downgrade: `head:base` unapplies everything.
    ///
    /// Only the first `:` splits, so `a:b:c` asks for TO `b:c` and is
    /// refused like any malformed revision. Errors are those of
    /// ``RevisionSpec/init(parsing:)`` and ``validate(_:graph:database:)``,
    /// and of the upgrade; a downgrade that cannot be planned (a missing
    /// `down` section) leaves the empty upgrade.
    package static func range(_ range: String, graph: RevisionGraph, database: String) throws -> Plan {
        let parts = range.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let fromSpec = try RevisionSpec(parsing: parts.count == 2 ? parts[0] : "base")
        let toSpec = try RevisionSpec(parsing: parts[parts.count - 1])
        for spec in [fromSpec, toSpec] { try validate(spec, graph: graph, database: database) }
        let from = try stamp(graph: graph, current: [], to: fromSpec, database: database)
        let forward = try upgrade(graph: graph, current: from, to: toSpec, database: database)
        if forward.isEmpty, let backward = try? downgrade(graph: graph, current: from, to: toSpec, database: database) {
            return backward
        }
        return forward
    }
}
