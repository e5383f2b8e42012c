/// What ``TargetPlanner`` computes from a target's version rows alone (the
/// applied revisions, in order, and the plan), kept for the next target with
/// the same rows. A fleet's targets mostly share a few version sets, so
/// planning 10,000 of them walks the revision graph a few times, not 10,000.
///
/// One memo serves one command over one revision graph per database, on one
/// thread (it is a plain class, not `Sendable`).
public final class PlanMemo {
    private var appliedByRows: [VersionRows: [Migration]] = [:]
    private var plansByRows: [VersionRows: Result<Plan, ShoalError>] = [:]

    public init() {}

    /// The migrations these rows say are applied, in order.
    func applied(database: String, current: [String], _ compute: () -> [Migration]) -> [Migration] {
        let key = VersionRows(database, current)
        if let known = appliedByRows[key] { return known }
        let value = compute()
        appliedByRows[key] = value
        return value
    }

    /// A plan, or the ``ShoalError`` planning threw, for these rows; other
    /// errors are thrown and not kept.
    func plan(database: String, current: [String], _ compute: () throws -> Plan) throws -> Plan {
        let key = VersionRows(database, current)
        if let known = plansByRows[key] { return try known.get() }
        let result: Result<Plan, ShoalError>
        do {
            result = .success(try compute())
        } catch let error as ShoalError {
            result = .failure(error)
        }
        plansByRows[key] = result
        return try result.get()
    }
}

/// A database and a target's version rows, sorted: what planning and
/// counting pending revisions depend on, as a dictionary key.
struct VersionRows: Hashable {
    var database: String
    var current: [String]

    init(_ database: String, _ current: [String]) {
        self.database = database
        self.current = current.sortedIfNeeded()
    }
}
