/// What `shoal drift` read of one target: its schema and revisions, or why
/// there is nothing to compare.
package enum SchemaRead: Sendable, Hashable {
    /// The target's current revisions (sorted) and its schema.
    case described(revisions: [String], SchemaDescription)
    /// Its schema, file or version table does not exist.
    case uninitialized(message: String)
    /// It could not be read.
    case unreachable(message: String)
}

/// The targets of one database at the same current revisions: what
/// `shoal drift` compares with each other, or with one reference.
package struct DriftGroupKey: Sendable, Hashable {
    package var database: String
    /// Sorted.
    package var revisions: [String]

    package init(database: String, revisions: [String]) {
        self.database = database
        self.revisions = revisions
    }
}

/// A group's reference under `--against files`.
package enum FilesReference: Sendable, Hashable {
    /// The schema the migration files build at the group's revisions.
    case built(SchemaDescription)
    /// Why there is none (revisions the files do not have).
    case unavailable(message: String)
}

/// Where each group's reference comes from.
package enum DriftReference: Sendable {
    /// The group's most common fingerprint.
    case majority
    /// Built from the files, per group; a group missing here has none.
    case files([DriftGroupKey: FilesReference])
}

extension DriftReport {
    /// Compares each of `targets` (with its `reads`, in the same order)
    /// with its group's reference (SPEC §10.1). Under `.majority` the
    /// reference is the fingerprint most targets of the group have; when
    /// two or more fingerprints tie for most, the group's targets are
    /// `ambiguous`. Uninitialized and unreachable targets belong to no
    /// group and count in no majority.
    package init(comparing targets: [Target], reads: [SchemaRead], against reference: DriftReference) {
        precondition(targets.count == reads.count, "one read per target")
        // Group members by first appearance; fingerprints computed once per target.
        var order: [DriftGroupKey] = []
        var members: [DriftGroupKey: [Int]] = [:]
        var fingerprints = [String?](repeating: nil, count: targets.count)
        for (index, read) in reads.enumerated() {
            guard case .described(let revisions, let description) = read else { continue }
            fingerprints[index] = description.fingerprint
            let key = DriftGroupKey(database: targets[index].database, revisions: revisions)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(index)
        }
        var drifts = zip(targets, reads).enumerated().map { index, pair in
            Self.unresolved(pair.0, pair.1, fingerprint: fingerprints[index])
        }
        var groups: [DriftGroup] = []
        for key in order {
            let indices = members[key]!
            let resolved = Self.reference(for: key, indices: indices, reads: reads, fingerprints: fingerprints, against: reference)
            groups.append(DriftGroup(database: key.database, revisions: key.revisions, fingerprint: resolved.fingerprint,
                                     targets: indices.count, message: resolved.message))
            // Targets with the same fingerprint have the same difference: compute it once.
            var diffs: [String: [String]] = [:]
            for index in indices {
                guard let fingerprint = fingerprints[index], case .described(_, let description) = reads[index] else { continue }
                if let referenceFingerprint = resolved.fingerprint, let schema = resolved.schema {
                    if fingerprint == referenceFingerprint {
                        drifts[index].state = .same
                    } else {
                        drifts[index].state = .drifted
                        if diffs[fingerprint] == nil { diffs[fingerprint] = description.diff(against: schema) }
                        drifts[index].diff = diffs[fingerprint]!
                    }
                } else {
                    drifts[index].state = .ambiguous
                    drifts[index].message = resolved.message
                }
            }
        }
        self.init(against: reference.against, groups: groups, targets: drifts, summary: DriftSummary(counting: drifts))
    }

    /// A target's entry before its group is compared: complete for the
    /// uninitialized and unreachable, `same` as a placeholder otherwise.
    private static func unresolved(_ target: Target, _ read: SchemaRead, fingerprint: String?) -> TargetDrift {
        var drift = TargetDrift(target: target.id, database: target.database, shard: target.shard, tenant: target.tenant,
                                revisions: [], fingerprint: fingerprint, state: .same, diff: [], message: nil)
        switch read {
        case .described(let revisions, _):
            drift.revisions = revisions
        case .uninitialized(let message):
            drift.state = .uninitialized
            drift.message = message
        case .unreachable(let message):
            drift.state = .unreachable
            drift.message = message
        }
        return drift
    }

    /// A group's reference schema and fingerprint, or why it has none.
    private static func reference(for key: DriftGroupKey, indices: [Int], reads: [SchemaRead], fingerprints: [String?],
                                  against reference: DriftReference) -> (schema: SchemaDescription?, fingerprint: String?, message: String?) {
        switch reference {
        case .majority:
            var counts: [String: Int] = [:]
            for index in indices { counts[fingerprints[index]!, default: 0] += 1 }
            let most = counts.values.max() ?? 0
            let leaders = counts.filter { $0.value == most }.keys.sorted()
            guard leaders.count == 1, let leader = leaders.first,
                  let index = indices.first(where: { fingerprints[$0] == leader }),
                  case .described(_, let schema) = reads[index]
            else {
                let tally = leaders.map { "\($0) (\(most))" }.joined(separator: ", ")
                return (nil, nil, "no single most common schema among the \(indices.count) targets of \(key.database) at "
                        + "\(revisionsText(key.revisions)): \(tally)")
            }
            return (schema, leader, nil)
        case .files(let references):
            switch references[key] {
            case .built(let schema)?:
                return (schema, schema.fingerprint, nil)
            case .unavailable(let message)?:
                return (nil, nil, message)
            case nil:
                return (nil, nil, "no reference was built for \(key.database) at \(revisionsText(key.revisions))")
            }
        }
    }

    /// `a+b`, or `base` for none (as `status` writes revisions).
    static func revisionsText(_ revisions: [String]) -> String {
        revisions.isEmpty ? "base" : revisions.joined(separator: "+")
    }
}

extension DriftReference {
    var against: DriftReport.Against {
        switch self {
        case .majority: .majority
        case .files: .files
        }
    }
}
