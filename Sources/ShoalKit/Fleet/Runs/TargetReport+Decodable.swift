import Foundation

// A journal (SPEC §11) records each target's report as the fan-out JSON
// report has it; `shoal runs show`, `--retry-failed` and `shoal rollback`
// read them back.

extension TargetReport.Status: Decodable {}
extension TargetReport.ReplicaReport.Status: Decodable {}

extension CodingUserInfoKey {
    /// The ``Direction`` of a run's applied steps, which the report's JSON
    /// does not spell (an upgrade applies `up` steps, a downgrade `down`).
    static let appliedDirection = CodingUserInfoKey(rawValue: "shoal.appliedDirection")!
}

extension TargetReport: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        target = try c.decode(String.self, forKey: .target)
        database = try c.decode(String.self, forKey: .database)
        shard = try c.decodeIfPresent(String.self, forKey: .shard)
        tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
        status = try c.decode(Status.self, forKey: .status)
        from = try c.decode([String].self, forKey: .from)
        to = try c.decode([String].self, forKey: .to)
        applied = try c.decodeIfPresent([AppliedStep].self, forKey: .applied) ?? []
        planned = try c.decodeIfPresent([String].self, forKey: .planned)
        groups = try c.decodeIfPresent([[String]].self, forKey: .groups)
        stoppedAt = try c.decodeIfPresent(String.self, forKey: .stoppedAt)
        durationMs = try c.decodeIfPresent(Int.self, forKey: .durationMs) ?? 0
        replicas = try c.decodeIfPresent([ReplicaReport].self, forKey: .replicas) ?? []
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        revisionsKnown = try c.decodeIfPresent(Bool.self, forKey: .revisionsKnown) ?? true
        error = try c.decodeIfPresent(ErrorInfo.self, forKey: .error)
    }
}

extension TargetReport.AppliedStep: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(revision: try c.decode(String.self, forKey: .revision),
                  direction: decoder.userInfo[.appliedDirection] as? Direction ?? .up,
                  durationMs: try c.decodeIfPresent(Int.self, forKey: .durationMs) ?? 0)
    }
}

extension TargetReport.ErrorInfo: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(message: try c.decode(String.self, forKey: .message),
                  revision: try c.decodeIfPresent(String.self, forKey: .revision))
        recordedSQLState = try c.decodeIfPresent(String.self, forKey: .sqlState)
    }
}

extension TargetReport.ReplicaReport: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), status: try c.decode(Status.self, forKey: .status),
                  waitedMs: try c.decodeIfPresent(Int.self, forKey: .waitedMs),
                  lagBytes: try c.decodeIfPresent(Int.self, forKey: .lagBytes),
                  message: try c.decodeIfPresent(String.self, forKey: .message))
    }
}

extension FleetReport.Summary: Decodable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        targets = try c.decodeIfPresent(Int.self, forKey: .targets) ?? 0
        ok = try c.decodeIfPresent(Int.self, forKey: .ok) ?? 0
        upToDate = try c.decodeIfPresent(Int.self, forKey: .upToDate) ?? 0
        failed = try c.decodeIfPresent(Int.self, forKey: .failed) ?? 0
        skipped = try c.decodeIfPresent(Int.self, forKey: .skipped) ?? 0
        rolledBack = try c.decodeIfPresent(Int.self, forKey: .rolledBack) ?? 0
        replicaLag = try c.decodeIfPresent(Int.self, forKey: .replicaLag) ?? 0
    }
}
