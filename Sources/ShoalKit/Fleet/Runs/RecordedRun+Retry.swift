/// What `--retry-failed` and `shoal rollback` take from a recorded run (SPEC §11).
extension RecordedRun {
    /// The targets `--retry-failed` selects: those the run reported
    /// `failed`, `skipped` or `replica-lag`, and those it never reported.
    public var retryTargets: Set<String> {
        let retried: Set<TargetReport.Status> = [.failed, .skipped, .replicaLag]
        return Set(targets.filter { retried.contains($0.status) }.map(\.target) + unreported)
    }

    /// What `shoal rollback` undoes: each reported target whose version
    /// rows the run changed, with where it found and left them, and each
    /// target a killed run never reported, with where it found it. Throws kind
    /// `.usage` for a run that cannot be compensated (a rollback, a command
    /// shoal does not know).
    public func compensation(force: Bool) throws -> Compensation {
        let operation: Operation
        switch header.command {
        case "upgrade": operation = .upgrade
        case "downgrade": operation = .downgrade
        case "stamp": operation = .stamp
        case "rollback":
            throw ShoalError(.usage, "run \(id) is itself a rollback (of \(header.compensates ?? "?")): to redo what it "
                             + "undid, run the command again (`shoal runs show \(header.compensates ?? id)` shows it)")
        default:
            throw ShoalError(.usage, "run \(id) ran `\(header.command)`, which shoal rollback cannot undo")
        }
        var moves: [String: Compensation.Move] = [:]
        for report in targets where report.revisionsKnown {
            let move = Compensation.Move(from: report.from, to: report.to)
            if move.from != move.to { moves[report.target] = move }
        }
        // A killed run's unreported targets: where the plan found them, and
        // an unknown end (``FleetRunner`` settles it from their history).
        for id in unreported {
            if let from = header.from?[id] { moves[id] = Compensation.Move(from: from, to: nil) }
        }
        return Compensation(run: id, operation: operation, moves: moves, force: force)
    }
}
