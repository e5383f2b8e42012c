/// How a target's steps are grouped into transactions (SPEC §13): the
/// `transaction_mode` config key (top level or per database) and
/// `--transaction` on `upgrade`, `downgrade` and `rollback`.
public enum TransactionMode: String, CaseIterable, Sendable, Hashable {
    /// Each step commits on its own: a failure keeps the steps before it.
    /// The default.
    case perStep = "per-step"
    /// All of a target's steps commit together, so a failure leaves the
    /// target where it started, and a fleet pays one commit (one fsync) per
    /// target rather than one per migration. A `transaction: false`
    /// migration splits the group.
    case perTarget = "per-target"

    /// `steps` in the transactions this mode runs them in, in order. Per
    /// step, each step alone; per target, the transactional steps between
    /// two `transaction: false` migrations together, and each of those
    /// migrations alone (it runs outside any transaction):
    ///
    /// ```swift
    /// TransactionMode.perTarget.groups(steps)  // [[r1, r2], [r3 (transaction: false)], [r4]]
    /// ```
    public func groups(_ steps: [PlanStep]) -> [[PlanStep]] {
        guard self == .perTarget else { return steps.map { [$0] } }
        var groups: [[PlanStep]] = []
        var current: [PlanStep] = []
        for step in steps {
            if step.migration.transactional {
                current.append(step)
                continue
            }
            if !current.isEmpty { groups.append(current) }
            groups.append([step])
            current = []
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
