/// What ``TargetPlanner`` computes from a target's version rows alone (the
/// applied revisions, in order, and the plan), kept for the next target with
/// the same rows. A fleet's targets mostly share a few version sets, so
/// planning 10,000 of them walks the revision graph a few times, not 10,000.
///
/// One memo serves one command over one revision graph per database, on one
/// thread (it is a plain class, not `Sendable`).
public final class PlanMemo {
    private var appliedByRows: [String: [[String]: [String]]] = [:]
    private var plansByRows: [String: [[String]: Result<Plan, ShoalError>]] = [:]

    public init() {}

    func applied(database: String, current: [String], _ compute: () -> [String]) -> [String] {
        let key = current.sorted()
        if let known = appliedByRows[database]?[key] { return known }
        let value = compute()
        appliedByRows[database, default: [:]][key] = value
        return value
    }

    /// A plan, or the ``ShoalError`` planning threw, for these rows; other
    /// errors are thrown and not kept.
    func plan(database: String, current: [String], _ compute: () throws -> Plan) throws -> Plan {
        let key = current.sorted()
        if let known = plansByRows[database]?[key] { return try known.get() }
        let result: Result<Plan, ShoalError>
        do {
            result = .success(try compute())
        } catch let error as ShoalError {
            result = .failure(error)
        }
        plansByRows[database, default: [:]][key] = result
        return try result.get()
    }
}
