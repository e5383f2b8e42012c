import ArgumentParser
import Foundation
import ShoalKit

/// `--config` and `--json`, taken by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $SHOAL_CONFIG, then ./config.json).")
    var config: String?

    @Flag(name: .long, help: "Print one JSON document on stdout; text goes to stderr.")
    var json = false

    /// Loads the fleet, with the app's logger. Commands that never connect
    /// pass `resolvingConnections: false`: they work with the URL variables
    /// unset (SPEC §2).
    func loadFleet(resolvingConnections: Bool = true) throws -> Fleet {
        let env = ProcessInfo.processInfo.environment
        let path = ConfigLoader.locate(explicit: config, environment: env,
                                       currentDirectory: FileManager.default.currentDirectoryPath)
        return try Fleet.load(configPath: path, environment: env, logger: .init(label: "shoal"),
                              resolvingConnections: resolvingConnections)
    }
}

/// Target selectors (SPEC §3): AND across kinds, OR within a kind.
struct SelectorOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "Only targets of this database (repeatable).")
    var databases: [String] = []

    @Option(name: .customLong("shard"), help: "Only targets on this shard (repeatable).")
    var shards: [String] = []

    @Option(name: .customLong("tenant"), help: "Only tenants matching this glob (repeatable).")
    var tenants: [String] = []

    @Option(name: .customLong("target"), help: "Only targets whose id matches this glob, e.g. 'app/a*' (repeatable).")
    var targets: [String] = []

    @Option(name: .customLong("partition"),
            help: "The K-th of N disjoint, stable slices of the fleet, e.g. 2/4; auto: K from JOB_COMPLETION_INDEX + 1 and N from SHOAL_PARTITIONS (a Kubernetes Indexed Job).")
    var partition: String?

    /// The selector, with `--partition auto` resolved from this process's environment.
    func selector() throws -> TargetSelector {
        let environment = ProcessInfo.processInfo.environment
        return TargetSelector(databases: databases, shards: shards, tenants: tenants, targets: targets,
                              partition: try partition.map { try Partition(parsing: $0, environment: environment) })
    }
}

/// Options of commands that change targets (upgrade, downgrade, stamp).
struct FanOutOptions: ParsableArguments {
    @Option(name: .long, help: "Targets in flight at once, whole fleet (default: config's concurrency, else 8).")
    var concurrency: Int?

    @Option(name: .customLong("on-error"), help: "continue | stop | rollback.")
    var onError: String = "continue"

    @Option(name: .long, help: "Migrate the first N selected targets that have work, and go on only if all succeeded.")
    var canary: Int = 0

    @Flag(name: .customLong("dry-run"), help: "Print each target's plan; change nothing.")
    var dryRun = false

    @Option(name: .customLong("replica-timeout"), help: "Seconds to wait for each replica to replay the change.")
    var replicaTimeout: Double = 60

    @Option(name: .customLong("lock-wait"), help: "Seconds to wait for another shoal run that holds a target.")
    var lockWait: Double = 30

    @Flag(name: .customLong("allow-missing-replicas"),
          help: "Migrate a target even when one of its replicas cannot be reached; report that replica unreachable.")
    var allowMissingReplicas = false

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if FleetRunner.OnError(rawValue: onError) == nil {
            throw ValidationError("--on-error must be continue, stop or rollback (got \(onError))")
        }
        if canary < 0 { throw ValidationError("--canary must be 0 or more") }
        if replicaTimeout < 0 { throw ValidationError("--replica-timeout must be 0 or more") }
        if lockWait < 0 { throw ValidationError("--lock-wait must be 0 or more") }
    }

    func options(config: FleetConfig) -> FleetRunner.Options {
        var options = FleetRunner.Options(concurrency: concurrency ?? config.concurrency,
                                          onError: FleetRunner.OnError(rawValue: onError) ?? .continue,
                                          canary: canary, dryRun: dryRun,
                                          lockWait: .milliseconds(Int(lockWait * 1000)),
                                          replicaTimeout: .milliseconds(Int(replicaTimeout * 1000)))
        options.allowMissingReplicas = allowMissingReplicas
        return options
    }
}

/// `--transaction` of the commands that apply steps (upgrade, downgrade,
/// rollback; SPEC §13): overrides every database's `transaction_mode` for
/// the run. A bad value is a usage error (exit 2) with a suggestion.
struct TransactionOption: ParsableArguments {
    @Option(name: .customLong("transaction"),
            help: "per-step: each migration commits on its own; per-target: all of a target's migrations commit together (default: config's transaction_mode, else per-step).")
    var transaction: String?

    func validate() throws {
        _ = try mode()
    }

    /// The mode asked for; without the option, the one the retried run
    /// was given (`--retry-failed`: a per-target run's retry stays per
    /// target), else nil.
    func mode(retrying recorded: RecordedRun? = nil) throws -> TransactionMode? {
        guard let transaction else { return recorded.flatMap { Self.recordedMode($0.header.arguments) } }
        if let mode = TransactionMode(rawValue: transaction) { return mode }
        let names = TransactionMode.allCases.map(\.rawValue)
        let close = Suggestion.closest(to: transaction, in: names).map { " Did you mean `\($0)`?" } ?? ""
        throw ValidationError("--transaction must be `per-step` or `per-target`, not `\(transaction)`.\(close)")
    }

    /// `--transaction X` or `--transaction=X` among a recorded run's arguments.
    static func recordedMode(_ arguments: [String]) -> TransactionMode? {
        for (index, argument) in arguments.enumerated() {
            if argument == "--transaction", index + 1 < arguments.count { return TransactionMode(rawValue: arguments[index + 1]) }
            if argument.hasPrefix("--transaction=") { return TransactionMode(rawValue: String(argument.dropFirst("--transaction=".count))) }
        }
        return nil
    }
}

/// `--replica NAME` of `status` and `history`: read from that replica
/// instead of the primary, on a read-only session.
struct ReplicaOption: ParsableArguments {
    @Option(name: .customLong("replica"), help: "Read from the replica of this name (config.json `replicas`) instead of the primary.")
    var replica: String?

    /// The targets to read: those that have the replica, or all of them
    /// without `--replica`. A usage error (exit 2) when none has it.
    func targets(_ targets: [Target]) throws -> [Target] {
        guard let replica else { return targets }
        return try Target.havingReplica(named: replica, in: targets)
    }
}

/// `--phase` of `upgrade` and `revision`: `expand` or `contract` (SPEC §9.3).
enum PhaseArgument {
    /// `text` as a phase (nil when the option was not given); anything else
    /// is a usage error (exit 2) with a suggestion.
    static func parse(_ text: String?) throws -> MigrationPhase? {
        guard let text else { return nil }
        if let phase = MigrationPhase(rawValue: text) { return phase }
        let close = Suggestion.closest(to: text, in: MigrationPhase.allCases.map(\.rawValue)).map { " Did you mean `\($0)`?" } ?? ""
        throw ValidationError("--phase must be `expand` or `contract`, not `\(text)`.\(close)")
    }
}
