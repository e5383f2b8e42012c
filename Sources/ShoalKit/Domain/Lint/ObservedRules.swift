/// The findings of `shoal lint --observe` (SPEC §9.2): what one
/// ``StatementObservation`` says about the statement, by the `observed-*`
/// rules.
///
/// - `observed-rewrite`: existing tables or indexes got a new `relfilenode`
///   while the statement held a lock that blocks writes (`ShareLock` or
///   stronger). Outside a transaction the locks cannot be read; every
///   PostgreSQL statement that rewrites a relation holds `ACCESS EXCLUSIVE`
///   on it, so a rewrite counts there too.
/// - `observed-scan-under-lock`: an existing table read in full while the
///   statement held `ShareLock` or stronger on it. A table the statement
///   also rewrote is left to `observed-rewrite` (a rewrite reads it all).
/// - `observed-blocks-writes`: `ShareLock`, `ShareRowExclusiveLock` or
///   `ExclusiveLock` on existing tables.
///
/// An `AccessExclusiveLock` with no rewrite and no scan is a catalog change
/// that `lock_timeout` keeps short: no finding.
package enum ObservedRules {
    /// The findings for `observation`, a statement of `migration` shown as
    /// `file`. `allowed`: the rules its allow comments allow; the
    /// migration's `allow:` header is added here.
    package static func findings(for observation: StatementObservation, in migration: Migration, file: String,
                                 allowed: Set<LintRule>) -> [LintFinding] {
        let strongest = observation.locks.map(\.strength).max() ?? 0
        let strongestMode = observation.locks.first { $0.strength == strongest }?.mode
        func lock(on table: String) -> StatementObservation.Lock? {
            observation.locks.filter { $0.table == table }.max { $0.strength < $1.strength }
        }
        func finding(_ rule: LintRule, _ message: String) -> LintFinding {
            LintFinding(database: observation.database, revision: observation.revision, file: file,
                        line: observation.line, rule: rule, severity: rule.severity(in: migration.phase),
                        message: message, help: rule.help(in: migration.phase), statement: observation.statement,
                        allowed: allowed.contains(rule) || migration.allowedRules.contains(rule),
                        observation: observation)
        }
        var findings: [LintFinding] = []

        if !observation.rewrites.isEmpty,
           !observation.locksObserved || strongest >= StatementObservation.Lock.blocksWrites {
            let held = strongestMode.map { "while holding \($0)" } ?? "outside a transaction, under ACCESS EXCLUSIVE"
            findings.append(finding(.observedRewrite,
                                    "rewrote \(observation.rewrites.joined(separator: ", ")) \(held): \(whoWaits(strongest, observed: observation.locksObserved)) for the whole rewrite"))
        }

        let scannedUnderLock = observation.scans.compactMap { table -> (String, StatementObservation.Lock)? in
            guard !observation.rewrites.contains(table), let lock = lock(on: table),
                  lock.strength >= StatementObservation.Lock.blocksWrites else { return nil }
            return (table, lock)
        }
        if !scannedUnderLock.isEmpty {
            let described = scannedUnderLock.map { "\($0.0) (under \($0.1.mode))" }
            let strongestScan = scannedUnderLock.map(\.1.strength).max() ?? 0
            findings.append(finding(.observedScanUnderLock,
                                    "read all of \(described.joined(separator: ", ")): \(whoWaits(strongestScan, observed: true)) until the scan ends"))
        }

        let blocking = observation.locks.filter {
            $0.strength >= StatementObservation.Lock.blocksWrites && $0.strength < StatementObservation.Lock.blocksReads
        }
        if !blocking.isEmpty {
            let described = blocking.map { "\($0.mode) on \($0.table)" }
            findings.append(finding(.observedBlocksWrites,
                                    "held \(described.joined(separator: ", ")): writes wait until the statement finishes"))
        }
        return findings
    }

    /// Who waits behind a lock of `strength`.
    private static func whoWaits(_ strength: Int, observed: Bool) -> String {
        !observed || strength >= StatementObservation.Lock.blocksReads ? "reads and writes wait" : "writes wait"
    }
}
