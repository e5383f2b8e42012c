/// What a fan-out command will do to every selected target, decided before
/// any of them is touched: per target its decision (the steps or stamp rows,
/// nothing to do, a refusal, or a wait for a run in progress), then the
/// order the runnable ones go in: the canary targets first, the rest in
/// waves that respect the databases' `after` order.
///
/// Pure data: the fleet reads the targets' states, builds the plan here,
/// and executes it; a dry run prints it.
public struct FleetPlan: Sendable {
    public let command: FleetCommand
    /// In run order.
    public let targets: [Target]
    /// One per target.
    public internal(set) var decisions: [TargetDecision]
    /// What the planning read found, per target; nil when it could not read it.
    public let states: [VersionState?]
    /// Each database's revision graph, for the decisions taken again under
    /// each target's lock.
    public let graphs: [String: RevisionGraph]
    /// Replicas that cannot be waited for, which `--allow-missing-replicas`
    /// lets their targets run without: by target id, then replica name, why.
    public internal(set) var missingReplicas: [String: [String: String]] = [:]
    /// When planning started: a run's duration counts from here.
    public var started: ContinuousClock.Instant
    /// How many of the targets that run go first, alone (`--canary`).
    public let canaryCount: Int
    /// A dry run: the plan is printed, nothing runs.
    public let dryRun: Bool
    /// Lint errors that nothing allows in the migrations an upgrade applies,
    /// of databases whose `lint` is `warn` (SPEC §9.1): printed once per
    /// migration and listed in the report. See ``lint(config:)``.
    public internal(set) var lint: [LintFinding] = []
    /// Each database's wave: after every database it runs `after`.
    private let waveOfDatabase: [String: Int]
    /// The databases each database runs after.
    private let afterOfDatabase: [String: [String]]

    /// Decides every target from what the planning read found (one read
    /// result per target), and orders the ones that run. `canary`: how many
    /// of the targets that run go first, alone (`--canary`); `dryRun`: none run.
    public init(_ command: FleetCommand, targets: [Target], reads: [Result<VersionState, ShoalError>],
                graphs: [String: RevisionGraph], config: FleetConfig, canary: Int = 0, dryRun: Bool = false) {
        precondition(reads.count == targets.count, "one read per target")
        let memo = PlanMemo()
        let decisions = zip(targets, reads).map { target, read in
            TargetDecision.decide(command, read: read, graph: graphs[target.database]!, target: target, memo: memo)
        }
        var waveOfDatabase: [String: Int] = [:]
        for database in config.databases {  // already in `after` order
            waveOfDatabase[database.name] = (database.after.compactMap { waveOfDatabase[$0] }.max() ?? -1) + 1
        }
        self.command = command
        self.targets = targets
        self.decisions = decisions
        self.states = reads.map { try? $0.get() }
        self.graphs = graphs
        self.started = .now
        self.waveOfDatabase = waveOfDatabase
        self.afterOfDatabase = Dictionary(config.databases.map { ($0.name, $0.after) }, uniquingKeysWith: { first, _ in first })
        self.canaryCount = max(0, canary)
        self.dryRun = dryRun
    }

    /// Targets (by index) that run when the plan is executed: none in a dry run.
    public var running: [Int] { dryRun ? [] : decisions.indices.filter { decisions[$0].runs } }
    /// The first ``canaryCount`` targets that run (`--canary`).
    public var canary: [Int] { Array(running.prefix(canaryCount)) }
    /// The targets that run after the canary.
    public var rest: [Int] { Array(running.dropFirst(canaryCount)) }

    /// Targets that have work (or wait for a run in progress).
    public var workCount: Int { decisions.filter(\.runs).count }

    /// Refuses target `index` (a check outside the version tables failed,
    /// such as a replica that cannot be waited for). It no longer runs.
    public mutating func refuse(_ index: Int, _ error: ShoalError) {
        decisions[index] = .refused(error, current: decisions[index].current)
    }

    /// Lets target `index` run although its replica `name` cannot be waited
    /// for (`--allow-missing-replicas`); the report says why.
    public mutating func allowMissingReplica(_ index: Int, name: String, reason: String) {
        if missingReplicas[targets[index].id]?[name] == nil { missingReplicas[targets[index].id, default: [:]][name] = reason }
    }

    /// `indices` split in waves: a database runs in a later wave than every
    /// database it names in `after`, so concurrency never crosses an `after` edge.
    public func waves(of indices: [Int]) -> [[Int]] {
        let grouped = Dictionary(grouping: indices) { waveOfDatabase[targets[$0].database] ?? 0 }
        return grouped.keys.sorted().map { grouped[$0]! }
    }

    /// The first of `failed` databases that target `index`'s database runs after.
    public func blocker(of index: Int, failed: Set<String>) -> String? {
        afterOfDatabase[targets[index].database]?.first(where: failed.contains)
    }

    /// Refuses a whole `shoal rollback` (SPEC §11) whose steps need a
    /// `down` section some migration lacks, naming the files, before
    /// anything runs.
    public func checkCompensable() throws {
        var missing: [String: Set<String>] = [:]
        for (index, decision) in decisions.enumerated() {
            guard case .work(let plan) = decision else { continue }
            for step in plan.steps where step.direction == .down && step.migration.down == nil
                && !SQLScript.isEmpty(step.migration.up) {
                missing[step.migration.path, default: []].insert(targets[index].id)
            }
        }
        guard !missing.isEmpty else { return }
        let files = missing.keys.sorted().map { "\($0) (needed by \(missing[$0]!.count) target(s))" }
        throw ShoalError(.usage, "shoal rollback cannot return every target: these migrations have no down section: "
                         + "\(files.joined(separator: ", ")). Nothing ran. Add the down sections, then run it again.")
    }

    /// With `--on-error rollback`, every step must be undoable before
    /// anything runs: names every migration without a down section that a
    /// target would run.
    public func checkReversible() throws {
        var missing: [String: Set<String>] = [:]
        for (index, decision) in decisions.enumerated() {
            guard case .work(let plan) = decision else { continue }
            for step in plan.steps where step.direction == .up && step.migration.down == nil {
                missing[step.migration.path, default: []].insert(targets[index].id)
            }
        }
        guard !missing.isEmpty else { return }
        let files = missing.keys.sorted().map { "\($0) (needed by \(missing[$0]!.count) target(s))" }
        throw ShoalError(.usage, "--on-error rollback cannot promise a rollback: these migrations have no down section: \(files.joined(separator: ", ")). Add down sections, or use --on-error stop.")
    }
}
