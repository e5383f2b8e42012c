/// A migration's place in an expand/contract change (SPEC §9.3), from its
/// `-- phase:` header. `expand` adds what new code needs and keeps old code
/// working; `contract` removes what only old code used, once no old code
/// runs. `shoal upgrade --phase expand` stops before the first `contract`
/// migration of each target.
public enum MigrationPhase: String, CaseIterable, Sendable, Hashable, Codable {
    case expand, contract
}
