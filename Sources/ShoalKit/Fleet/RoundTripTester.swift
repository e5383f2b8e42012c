/// `shoal test` (SPEC §10.2): every step's `down` undoes its `up`, and its
/// `up` redoes it. On a scratch target (``ScratchTarget``: a scratch
/// PostgreSQL database, for a schema-per-tenant database with the objects
/// in the schema a tenant would have; a temporary SQLite file) the tester
/// walks the graph from `base` in graph order, and for each revision
/// describes the schema (F0), upgrades that one step with its verify
/// section, describes it again (F1), downgrades that one step, which must
/// give F0 back, and upgrades it again, which must give F1 back. The walk
/// stops at the first failure: the scratch target's state is then unknown.
/// The scratch target is removed afterwards, also after a failure or a
/// cancelled task; nothing else is touched.
///
/// ```swift
/// let database = try fleet.database("app")
/// let report = try await RoundTripTester(fleet: fleet).test(database, graph: try fleet.graph(for: database))
/// for step in report.steps where step.status == .failed { print(step.revision, step.diff) }
/// ```
public struct RoundTripTester: Sendable {
    public let fleet: Fleet

    public init(fleet: Fleet) {
        self.fleet = fleet
    }

    /// Walks `database`'s migrations (`graph`, from ``Fleet/graph(for:)``):
    /// all of them, or with `to` only that revision and its ancestors
    /// (`head`, `heads`, an id or a prefix).
    ///
    /// Several heads do not stop the walk (every branch is tested, one after
    /// the other, on the one scratch target), but the report then fails
    /// (``RoundTripReport/failed(strict:)``).
    ///
    /// Throws before anything is created, with kind `.usage`, for a database
    /// with no migrations or a `to` that is `base` or relative, and with kind
    /// `.revision` for an unknown or ambiguous `to` (the CLI exits 2); with
    /// kind `.config` when the scratch server cannot be reached or the role
    /// may not create a database; with kind `.interrupted` when the task is
    /// cancelled. A step that fails is reported, not thrown.
    public func test(_ database: DatabaseConfig, graph: RevisionGraph, to: RevisionSpec? = nil) async throws -> RoundTripReport {
        try await test(database, graph: graph, to: to, scratchName: PostgresScratchDatabase.newName())
    }

    /// ``test(_:graph:to:)`` in a scratch database named `scratchName`
    /// (tests check that it is gone afterwards).
    package func test(_ database: DatabaseConfig, graph: RevisionGraph, to: RevisionSpec?,
                      scratchName: String) async throws -> RoundTripReport {
        let (revisions, heads, resolvedTo) = try Self.revisions(of: graph, to: to, database: database.name)
        let clock = ContinuousClock()
        let started = clock.now
        let steps = try await ScratchTarget.with(database, fleet: fleet, command: "`shoal test`", postgresName: scratchName) { scratch in
            var stairway = Stairway(graph: graph, database: database.name, scratch: scratch, context: fleet.context)
            try await stairway.store.ensureTables()
            var steps: [RoundTripReport.Step] = []
            for revision in revisions {
                let step = try await stairway.walk(revision)
                steps.append(step)
                if step.status == .failed { break }
            }
            return steps
        }
        return RoundTripReport(database: database.name, to: resolvedTo, heads: heads, steps: steps,
                               notRun: revisions.count - steps.count, durationMs: (clock.now - started).milliseconds)
    }

    /// The revisions to walk, in graph order, their heads, and `to` resolved.
    static func revisions(of graph: RevisionGraph, to spec: RevisionSpec?,
                          database: String) throws -> (revisions: [String], heads: [String], to: String?) {
        guard !graph.isEmpty else {
            throw ShoalError(.usage, "\(database) has no migrations in \(graph.directory): nothing to test",
                             hint: "`shoal revision --db \(database) -m MESSAGE` writes the first one")
        }
        switch spec {
        case nil, .heads?:
            return (graph.migrations.map(\.revision), graph.heads, nil)
        case .head?, .revision?:
            try Planner.validate(spec!, graph: graph, database: database)
            let revision = if case .revision(let id)? = spec { try graph.resolve(id) } else { graph.heads[0] }
            return (graph.ordered(graph.ancestors(of: [revision], inclusive: true)), [revision], revision)
        case .base?, .relative?:
            throw ShoalError(.usage, "--to takes a revision id or prefix, `head` or `heads`, not `\(spec!)`: "
                             + "shoal test walks from base up to it")
        }
    }
}

/// One scratch target walked revision by revision: the state between
/// steps (its version rows) and how each step is checked.
private struct Stairway {
    let graph: RevisionGraph
    let database: String
    let scratch: ScratchTarget
    let context: ApplyContext
    let store: VersionStore
    /// The scratch target's version rows.
    var current: [String] = []

    init(graph: RevisionGraph, database: String, scratch: ScratchTarget, context: ApplyContext) {
        self.graph = graph
        self.database = database
        self.scratch = scratch
        self.context = context
        store = VersionStore(session: scratch.session, target: scratch.target)
    }

    /// Up, down, up again for `revision`, whose parents are applied.
    mutating func walk(_ revision: String) async throws -> RoundTripReport.Step {
        let up = try Planner.upgrade(graph: graph, current: current, to: .revision(revision), database: database).steps
        guard up.count == 1, let up = up.first else {
            throw ShoalError(.plan, "shoal test expected one step to \(revision), planned \(up.map(\.revision))", revision: revision)
        }
        var step = RoundTripReport.Step(revision: revision, message: up.migration.message, status: .failed)
        let before = try await describe()
        guard let upMs = try await timed(up, failing: &step) else { return step }
        step.upMs = upMs
        current = up.versionsAfter
        let after = try await describe()
        let outside = outsideTenantSchema(after)
        if !outside.isEmpty {
            step.diff = outside.map { "+ " + $0 }
            step.error = .init(message: "the up of \(revision) creates objects outside the tenant's schema, "
                               + "which every tenant of \(database) would share or collide on: name them without a schema, "
                               + "so that the search path puts them in the tenant's", revision: revision)
            return step
        }
        guard up.migration.down != nil || SQLScript.isEmpty(up.migration.up) else {
            step.status = .noDown
            return step
        }
        guard let downMs = try await timed(up.inverse, failing: &step) else { return step }
        step.downMs = downMs
        current = up.inverse.versionsAfter
        guard try await describe().matches(before, failing: &step, "the down of \(revision) does not undo its up: the schema "
                                           + "after it is not the schema before the up (+ left behind, - dropped too much)") else {
            return step
        }
        guard try await timed(up, failing: &step) != nil else { return step }
        current = up.versionsAfter
        guard try await describe().matches(after, failing: &step, "the up of \(revision), run again after its down, does not "
                                           + "give the schema of its first run (+ only now, - only the first time)") else {
            return step
        }
        step.status = .ok
        return step
    }

    /// Runs `planStep` and returns its milliseconds, or records its error in
    /// `step` and returns nil. A cancelled task's error is thrown.
    private func timed(_ planStep: PlanStep, failing step: inout RoundTripReport.Step) async throws -> Int? {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try await store.apply(planStep, context: context)
            return (clock.now - started).milliseconds
        } catch let error as ShoalError where !Task.isCancelled {
            step.error = .init(error)
            return nil
        }
    }

    /// The scratch target's schema, its other schemas included (a migration
    /// writing outside the tenant's schema shows).
    private func describe() async throws -> SchemaDescription {
        // A migration that drops the tenant's schema leaves nothing of it.
        try await scratch.session.describeSchemas(of: [scratch.target], everySchema: true)[0] ?? SchemaDescription(lines: [])
    }

    /// For a schema-per-tenant scratch target, the lines of objects in
    /// another schema than the tenant's (a migration that writes `public.`).
    private func outsideTenantSchema(_ description: SchemaDescription) -> [String] {
        guard case .postgres(_, _?) = scratch.target.location else { return [] }
        return description.lines.filter { line in
            let name = line.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
            return !name.hasPrefix("{schema}.")
        }
    }
}

private extension SchemaDescription {
    /// True when this is `expected`; else records in `step` the difference
    /// and an error saying `message`.
    func matches(_ expected: SchemaDescription, failing step: inout RoundTripReport.Step, _ message: String) -> Bool {
        guard self != expected else { return true }
        step.diff = diff(against: expected)
        step.error = .init(message: message, revision: step.revision)
        return false
    }
}
