/// What ``TargetPlanner`` computes from a target's version rows alone (the
/// applied revisions, in order, and the plan), kept for the next target with
/// the same rows. A fleet's targets mostly share a few version sets, so
/// planning 10,000 of them walks the revision graph a few times, not 10,000.
///
/// One memo serves one command over one revision graph per database, on one
/// thread (it is a plain class, not `Sendable`).
public final class PlanMemo {
    /// A database and a target's version rows, sorted.
    private struct Rows: Hashable {
        var database: String
        var current: [String]
        init(_ database: String, _ current: [String]) {
            self.database = database
            // Readers return the rows sorted already: copy only when not.
            self.current = zip(current, current.dropFirst()).allSatisfy { $0 <= $1 } ? current : current.sorted()
        }
    }
    private var appliedByRows: [Rows: [Migration]] = [:]
    private var plansByRows: [Rows: Result<Plan, ShoalError>] = [:]

    public init() {}

    /// The migrations these rows say are applied, in order.
    func applied(database: String, current: [String], _ compute: () -> [Migration]) -> [Migration] {
        let key = Rows(database, current)
        if let known = appliedByRows[key] { return known }
        let value = compute()
        appliedByRows[key] = value
        return value
    }

    /// A plan, or the ``ShoalError`` planning threw, for these rows; other
    /// errors are thrown and not kept.
    func plan(database: String, current: [String], _ compute: () throws -> Plan) throws -> Plan {
        let key = Rows(database, current)
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
