/// One static rule of `shoal lint` (SPEC §9.1) as a value: its id and a
/// check that reads one analysed statement and says what is wrong with it,
/// naming the table, or nil when nothing is.
package struct StaticRule: Sendable {
    package let rule: LintRule
    package let check: @Sendable (StatementAnalysis, StatementContext) -> String?

    /// Every static rule, in the order of SPEC §9.1's table.
    package static let all: [StaticRule] = [
        .requireConcurrentIndex, .requireConcurrentIndexDrop, .concurrentlyInTransaction,
        .volatileDefault, .notNullWithoutDefault, .setNotNull, .columnTypeChange,
        .constraintNotValid, .uniqueWithoutIndex, .rename, .drop, .blockingCommand,
    ]

    /// The static rules for databases of `driver`.
    package static func rules(for driver: DriverKind) -> [StaticRule] {
        all.filter { $0.rule.applies(to: driver) }
    }

    /// The message for the actions of an `ALTER TABLE` on an existing table
    /// that `describe` flags, joined; nil when it flags none.
    static func alterActions(_ analysis: StatementAnalysis, _ context: StatementContext,
                             _ describe: (AlterTableAction, TableName) -> String?) -> String? {
        guard analysis.kind == .alterTable, let table = analysis.table, context.isExisting(table) else { return nil }
        let messages = analysis.actions.compactMap { describe($0, table) }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }
}

/// What a rule knows about a statement beyond its text: the migration it is in.
package struct StatementContext: Sendable {
    /// Tables that earlier statements of the same migration created.
    package var createdTables: [TableName] = []
    /// The migration's `transaction` header.
    package var transactional = true

    package init(createdTables: [TableName] = [], transactional: Bool = true) {
        self.createdTables = createdTables
        self.transactional = transactional
    }

    /// True unless an earlier statement of the migration created `table`:
    /// an existing table may be large and in use.
    package func isExisting(_ table: TableName) -> Bool {
        !createdTables.contains { $0.matches(table) }
    }
}
