/// One comma-separated action of an `ALTER TABLE`, as far as the lint rules
/// need to tell them apart.
package enum AlterTableAction: Sendable, Hashable {
    case addColumn(ColumnDefinition)
    case addConstraint(TableConstraint)
    /// `ALTER [COLUMN] c TYPE …` or `SET DATA TYPE …`.
    case alterColumnType(column: String)
    /// `ALTER [COLUMN] c SET NOT NULL`.
    case setNotNull(column: String)
    /// `RENAME [COLUMN] a TO b`.
    case renameColumn(from: String, to: String)
    /// `RENAME TO n`.
    case renameTable(to: String)
    /// `DROP [COLUMN] [IF EXISTS] c`.
    case dropColumn(String)
    /// Anything else: `DROP CONSTRAINT`, `SET DEFAULT`, `VALIDATE CONSTRAINT`, …
    case other

    /// The column of `ADD [COLUMN]`.
    package struct ColumnDefinition: Sendable, Hashable {
        package var name: String
        /// The type's words, lowercased: `["bigint"]`, `["timestamp", "with", "time", "zone"]`.
        package var type: [String]
        /// The tokens after `DEFAULT`, nil without one.
        package var defaultExpression: [SQLToken]?
        /// `NOT NULL`, or `PRIMARY KEY`, which implies it.
        package var notNull: Bool
        /// An inline `REFERENCES` (a foreign key).
        package var references: Bool
        /// `GENERATED ALWAYS AS (…) STORED`: computed for every existing row.
        package var generatedStored: Bool
        /// `GENERATED … AS IDENTITY`: every existing row gets a value.
        package var identity: Bool
    }

    /// The constraint of `ADD [CONSTRAINT name] …`.
    package struct TableConstraint: Sendable, Hashable {
        package enum Kind: String, Sendable, Hashable {
            case primaryKey = "PRIMARY KEY", unique = "UNIQUE", foreignKey = "FOREIGN KEY", check = "CHECK", exclude = "EXCLUDE"
        }

        package var name: String?
        package var kind: Kind
        package var notValid: Bool
        /// `UNIQUE USING INDEX i` / `PRIMARY KEY USING INDEX i`: an index built beforehand.
        package var usingIndex: Bool
    }
}
