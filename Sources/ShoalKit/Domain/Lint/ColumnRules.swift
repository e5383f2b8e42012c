/// Column changes on an existing table that rewrite it, scan it or fail on
/// its rows, all under `ACCESS EXCLUSIVE`.
extension StaticRule {
    /// Functions whose value differs per row: a default that calls one is
    /// computed for every existing row, so the table is rewritten.
    /// `now()` and `CURRENT_TIMESTAMP` are stable within a transaction, and
    /// PostgreSQL 11+ stores them like a constant.
    package static let volatileFunctions: Set<String> = [
        "random", "gen_random_uuid", "clock_timestamp", "timeofday", "nextval", "uuid_generate_v4", "uuid_generate_v1",
    ]

    /// Types whose default is `nextval(…)`.
    static let serialTypes: Set<String> = ["serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"]

    package static let volatileDefault = StaticRule(rule: .volatileDefault) { analysis, context in
        alterActions(analysis, context) { action, table in
            guard case .addColumn(let column) = action else { return nil }
            if column.generatedStored {
                return "column \(table).\(column.name) is GENERATED … STORED: PostgreSQL computes it for every row, rewriting \(table) under ACCESS EXCLUSIVE"
            }
            if let first = column.type.first, serialTypes.contains(first) {
                return "column \(table).\(column.name) is \(first), whose default is nextval(…): PostgreSQL rewrites \(table) under ACCESS EXCLUSIVE to fill it"
            }
            let expression = column.defaultExpression ?? []
            let volatile = expression.indices.first { index in
                expression[index].kind == .word && volatileFunctions.contains(expression[index].text)
                    && index + 1 < expression.count && expression[index + 1].isSymbol("(")
            }
            guard let volatile else { return nil }
            return "column \(table).\(column.name) gets a volatile default (\(expression[volatile].text)(…)): PostgreSQL rewrites \(table) under ACCESS EXCLUSIVE to fill it"
        }
    }

    package static let notNullWithoutDefault = StaticRule(rule: .notNullWithoutDefault) { analysis, context in
        alterActions(analysis, context) { action, table in
            guard case .addColumn(let column) = action, column.notNull, column.defaultExpression == nil,
                  !column.identity, !column.generatedStored, !(column.type.first.map(serialTypes.contains) ?? false)
            else { return nil }
            return "column \(table).\(column.name) is added NOT NULL without a default: the statement fails as soon as \(table) has a row"
        }
    }

    package static let setNotNull = StaticRule(rule: .setNotNull) { analysis, context in
        alterActions(analysis, context) { action, table in
            guard case .setNotNull(let column) = action else { return nil }
            return "SET NOT NULL on \(table).\(column) reads all of \(table) under ACCESS EXCLUSIVE"
        }
    }

    package static let columnTypeChange = StaticRule(rule: .columnTypeChange) { analysis, context in
        alterActions(analysis, context) { action, table in
            guard case .alterColumnType(let column) = action else { return nil }
            return "changing the type of \(table).\(column) rewrites \(table) and its indexes under ACCESS EXCLUSIVE (and breaks code that expects the old type)"
        }
    }
}
