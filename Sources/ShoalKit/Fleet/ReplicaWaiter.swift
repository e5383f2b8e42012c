import Logging

/// The replica half of a fan-out run (SPEC §7), one per run.
///
/// - ``preflight(_:allowMissing:concurrency:pool:)``, in the planning pass: every replica of a
///   target that has work is reached once, checked to be a standby of that
///   target's primary, and closed. A target with a replica that fails is
///   refused before any SQL runs, unless `--allow-missing-replicas`; then
///   it is migrated and the replica reported `unreachable`.
/// - ``settle(_:targets:settled:)``, after each batch of targets: waits until every
///   replica has replayed past the WAL position its primary reached after
///   the batch's commits, and reports each replica `caught-up` (with the
///   time waited) or the target `replica-lag` (with the bytes still to
///   replay), each target as soon as its own waits have ended. The
///   primary's change stays either way.
///
/// Waits are shared: the targets of a batch that reach the same replica
/// server (every tenant of a shard) wait together, on one session, for the
/// highest of their positions; each target is settled by the first poll
/// that shows its own position replayed.
actor ReplicaWaiter {
    private let timeout: Duration
    private let allowMissing: Bool
    private let concurrency: Int
    private let events: @Sendable (FleetEvent) -> Void
    private let logger: Logger
    /// Replicas the preflight found missing, by target id then replica name:
    /// why (only kept with `--allow-missing-replicas`).
    private let missing: [String: [String: String]]

    init(options: FleetRunner.Options, missing: [String: [String: String]] = [:],
         events: @escaping @Sendable (FleetEvent) -> Void, logger: Logger) {
        timeout = options.replicaTimeout
        allowMissing = options.allowMissingReplicas
        concurrency = options.concurrency
        self.missing = missing
        self.events = events
        self.logger = logger
    }

    /// True when `report` is not final until its replicas are waited for:
    /// the run changed a target that has replicas.
    nonisolated static func waits(_ report: TargetReport, for target: Target) -> Bool {
        report.status == .ok && !target.replicas.isEmpty
    }

    // MARK: - Pre-flight

    /// One primary server and one replica server: what a wait and a probe are about.
    private struct Link: Hashable {
        var primary: String
        var replica: String
        init(_ target: Target, _ replica: ReplicaConfig) {
            if case .postgres(let url, _) = target.location {
                primary = PostgresURL.serverKey(of: url)
            } else {
                primary = ""
            }
            self.replica = PostgresURL.serverKey(of: replica.url)
        }
    }

    /// Refuses the targets of `plan` whose replicas cannot be waited for
    /// (or, with `allowMissing`, notes those replicas in the plan).
    static func preflight(_ plan: inout FleetPlan, allowMissing: Bool, concurrency: Int, pool: SessionPool) async {
        let targets = plan.targets
        var links: [Link: (target: Target, replica: ReplicaConfig)] = [:]
        for (index, decision) in plan.decisions.enumerated() {
            guard decision.runs else { continue }
            for replica in targets[index].replicas where links[Link(targets[index], replica)] == nil {
                links[Link(targets[index], replica)] = (targets[index], replica)
            }
        }
        guard !links.isEmpty else { return }
        let probes = await forEachConcurrently(Array(links), limit: concurrency) { link, member in
            (link, await Self.probe(member.replica, of: member.target, pool: pool)?.message)
        }
        let problems = Dictionary(uniqueKeysWithValues: probes.compactMap { link, problem in problem.map { (link, $0) } })
        guard !problems.isEmpty else { return }

        for (index, decision) in plan.decisions.enumerated() where decision.runs {
            let target = targets[index]
            let failing = target.replicas.compactMap { replica in
                problems[Link(target, replica)].map { (replica.name, $0) }
            }
            guard !failing.isEmpty else { continue }
            if allowMissing {
                for (name, reason) in failing { plan.allowMissingReplica(index, name: name, reason: reason) }
                continue
            }
            let reasons = failing.map { "replica `\($0.0)` \($0.1)" }.joined(separator: "; ")
            plan.refuse(index, ShoalError(.plan, "\(target.id): \(reasons); nothing was changed",
                                          hint: "bring the replica back, or pass --allow-missing-replicas to migrate the primary without waiting for it"))
        }
    }

    /// Why shoal cannot wait for `replica` of `target`, as an error (whose
    /// message, like every error's, hides the URL's password), or nil when
    /// it can: reachable, a standby, and of the same cluster as the primary.
    private static func probe(_ replica: ReplicaConfig, of target: Target, pool: SessionPool) async -> ShoalError? {
        let session: any DatabaseSession
        do {
            session = try await PostgresSession.connectReadOnly(replica.url)
        } catch {
            return ShoalError(.database, "cannot be reached: \(ShoalError(error).message)")
        }
        let inRecovery = try? await session.isStandby()
        let replicaIdentity = try? await session.systemIdentifier()
        await session.close()
        guard inRecovery == true else {
            return ShoalError(.plan, "at \(replica.url) is not a standby (pg_is_in_recovery() is not true)")
        }
        guard case .postgres(let url, _) = target.location, let replicaIdentity else { return nil }
        let primaryIdentity: String? = await pool.withSlot(for: target) {
            guard let session = try? await PostgresSession.connectReadOnly(url, settings: target.settings) else { return nil }
            let identity = try? await session.systemIdentifier()
            await session.close()
            return identity
        }
        if let primaryIdentity, primaryIdentity != replicaIdentity {
            return ShoalError(.plan, "at \(replica.url) is not a replica of \(target.id)'s primary: its system identifier is \(replicaIdentity), the primary's \(primaryIdentity)")
        }
        return nil
    }

    // MARK: - Waiting

    /// One target's replica in a wait.
    private struct Member: Sendable {
        var index: Int
        var replica: String
        var position: WALPosition
    }

    /// Waits for the replicas of the targets in `results` that changed, and
    /// returns their final reports in target order (the others are left
    /// out). `settled` gets each final report as soon as every wait it is in
    /// has ended (at once for a target with no replica to wait for), so a
    /// slow replica holds back only the targets it replicates.
    func settle(_ results: [(Int, TargetReport)], targets: [Target],
                settled: @Sendable (Int, TargetReport) -> Void = { _, _ in }) async -> [(Int, TargetReport)] {
        var reports: [Int: TargetReport] = [:]
        var replicaReports: [Int: [String: TargetReport.ReplicaReport]] = [:]
        var groups: [Link: (url: String, members: [Member])] = [:]
        for (index, report) in results where Self.waits(report, for: targets[index]) {
            let target = targets[index]
            reports[index] = report
            for replica in target.replicas {
                if let reason = missing[target.id]?[replica.name] {
                    replicaReports[index, default: [:]][replica.name] = .init(name: replica.name, status: .unreachable, message: reason)
                } else if let position = report.commitPosition {
                    groups[Link(target, replica), default: (replica.url, [])].members
                        .append(Member(index: index, replica: replica.name, position: position))
                } else {
                    replicaReports[index, default: [:]][replica.name] = .init(
                        name: replica.name, status: .unreachable,
                        message: "not waited for: the primary's WAL position could not be read after the commit")
                }
            }
        }

        // How many waits each target is still in; at 0 its report is final.
        var waitsLeft: [Int: Int] = [:]
        for group in groups.values {
            for index in Set(group.members.map(\.index)) { waitsLeft[index, default: 0] += 1 }
        }
        var final: [(Int, TargetReport)] = []
        for index in reports.keys.sorted() where waitsLeft[index] == nil {
            let report = finalReport(reports[index]!, replicas: replicaReports[index] ?? [:], target: targets[index])
            final.append((index, report))
            settled(index, report)
        }

        let waiter = ReplicaCatchUp(timeout: timeout)
        let events = events
        let waits = Array(groups.values)
        await withTaskGroup(of: ([Member], ReplicaCatchUp.Outcome).self) { tasks in
            var next = 0
            func startNext() {
                let group = waits[next]
                next += 1
                tasks.addTask {
                    let name = group.members[0].replica
                    let targetCount = Set(group.members.map(\.index)).count
                    events(.waitingForReplica(name: name, targets: targetCount))
                    let outcome = await waiter.wait(replicaURL: group.url, for: group.members.map(\.position))
                    let caughtUp = outcome.results.values.allSatisfy { if case .caughtUp = $0 { true } else { false } }
                    events(.replicaWaited(ReplicaWait(replica: name, targets: targetCount, polls: outcome.polls,
                                                      waitedMs: outcome.waitedMs, caughtUp: caughtUp)))
                    return (group.members, outcome)
                }
            }
            while next < waits.count && next < max(1, concurrency) { startNext() }
            while let (members, outcome) = await tasks.next() {
                for member in members {
                    let report: TargetReport.ReplicaReport
                    switch outcome.results[member.position] ?? .unreachable(message: "not waited for") {
                    case .caughtUp(let waited):
                        report = .init(name: member.replica, status: .caughtUp, waitedMs: waited, lagBytes: 0)
                    case .lagging(let waited, let lag, let message):
                        report = .init(name: member.replica, status: .lagging, waitedMs: waited, lagBytes: lag, message: message)
                    case .unreachable(let message):
                        report = .init(name: member.replica, status: .unreachable, message: message)
                    }
                    replicaReports[member.index, default: [:]][member.replica] = report
                }
                for index in Set(members.map(\.index)).sorted() {
                    waitsLeft[index, default: 1] -= 1
                    guard waitsLeft[index] == 0 else { continue }
                    let report = finalReport(reports[index]!, replicas: replicaReports[index] ?? [:], target: targets[index])
                    final.append((index, report))
                    settled(index, report)
                }
                if next < waits.count { startNext() }
            }
        }
        return final.sorted { $0.0 < $1.0 }
    }

    /// A target's report once all its replicas are settled: their outcomes
    /// in config order, and `replica-lag` when one is behind (or, without
    /// `--allow-missing-replicas`, could not be waited for).
    private func finalReport(_ report: TargetReport, replicas byName: [String: TargetReport.ReplicaReport],
                             target: Target) -> TargetReport {
        var report = report
        report.replicas = target.replicas.compactMap { byName[$0.name] }
        let behind = report.replicas.filter { $0.status == .lagging || ($0.status == .unreachable && !allowMissing) }
        if !behind.isEmpty {
            report.status = .replicaLag
            let reasons = behind.map { "replica `\($0.name)` \($0.message ?? $0.status.rawValue)" }
            report.error = .init(message: "\(report.target) committed on the primary, which keeps the change, but " + reasons.joined(separator: "; "),
                                 failure: DatabaseFailure(phase: .replicaWait))
            logger.info("\(report.target): replica-lag: \(reasons.joined(separator: "; "))")
        }
        return report
    }
}
