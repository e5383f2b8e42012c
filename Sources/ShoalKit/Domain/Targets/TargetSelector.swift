/// Which targets a command acts on: `--db`, `--shard`, `--tenant`,
/// `--target` and `--partition` (SPEC §3).
///
/// Kinds combine with AND, values of one kind with OR, and an empty kind
/// constrains nothing, so an empty selector selects the whole fleet.
///
/// ```swift
/// let selector = TargetSelector(databases: ["accounts"], tenants: ["a*"], partition: try Partition(parsing: "1/4"))
/// let chosen = selector.select(allTargets)
/// ```
public struct TargetSelector: Sendable, Hashable {
    /// Exact database names.
    public var databases: [String]
    /// Exact shard names.
    public var shards: [String]
    /// Globs on tenant names; a target without a tenant matches none.
    public var tenants: [String]
    /// Globs on target ids.
    public var targets: [String]
    public var partition: Partition?

    public init(databases: [String] = [], shards: [String] = [], tenants: [String] = [], targets: [String] = [],
                partition: Partition? = nil) {
        self.databases = databases
        self.shards = shards
        self.tenants = tenants
        self.targets = targets
        self.partition = partition
    }

    /// True when no selector was given: every target is selected.
    public var isEmpty: Bool {
        databases.isEmpty && shards.isEmpty && tenants.isEmpty && targets.isEmpty && partition == nil
    }

    /// Whether `target` passes every kind of selector but `--partition`,
    /// whose slices depend on the other targets (see ``select(_:)``).
    public func matches(_ target: Target) -> Bool {
        if !databases.isEmpty && !databases.contains(target.database) { return false }
        if !shards.isEmpty {
            guard let shard = target.shard, shards.contains(shard) else { return false }
        }
        if !tenants.isEmpty {
            guard let tenant = target.tenant, tenants.contains(where: { Glob.matches($0, tenant) }) else { return false }
        }
        if !targets.isEmpty && !targets.contains(where: { Glob.matches($0, target.id) }) { return false }
        return true
    }

    /// The targets that match, in their original (run) order.
    ///
    /// `--partition` slices every target of the selected databases (of all
    /// of `targets` without `--db`), so that the slices of one fleet differ
    /// in size by at most one; `--shard`, `--tenant` and `--target` then
    /// narrow the slice.
    public func select(_ targets: [Target]) -> [Target] {
        guard !isEmpty else { return targets }
        guard let partition else { return targets.filter(matches) }
        let sliced = databases.isEmpty ? targets : targets.filter { databases.contains($0.database) }
        let slice = Set(partition.slice(of: sliced.map(\.id)))
        return targets.filter { slice.contains($0.id) && matches($0) }
    }

    /// Rejects `--db` names that are not configured and `--shard` names that
    /// no selected database has, with a suggestion, before anything runs.
    public func validate(against config: FleetConfig) throws {
        let names = config.databases.map(\.name)
        for name in databases where !names.contains(name) {
            let hint = Suggestion.closest(to: name, in: names).map { "; did you mean `\($0)`?" }
                ?? "; configured databases: \(names.joined(separator: ", "))"
            throw ShoalError(.usage, "--db `\(name)` is not a configured database\(hint)")
        }
        let selected = databases.isEmpty ? config.databases : config.databases.filter { databases.contains($0.name) }
        let shardNames = Array(Set(selected.flatMap { $0.shards.map(\.name) })).sorted()
        let scope = databases.isEmpty ? "any database" : "the selected database\(databases.count == 1 ? "" : "s")"
        for shard in shards where !shardNames.contains(shard) {
            let unsharded = selected.count == 1 ? " (it is not sharded)" : " (none of them is sharded)"
            let hint = shardNames.isEmpty ? unsharded
                : Suggestion.closest(to: shard, in: shardNames).map { "; did you mean `\($0)`?" }
                    ?? "; shards: \(shardNames.joined(separator: ", "))"
            throw ShoalError(.usage, "--shard `\(shard)` is not a shard of \(scope)\(hint)")
        }
    }
}
