/// Constraints added to an existing table: checking its rows, or building
/// the index behind them, happens under a lock that blocks writes.
extension StaticRule {
    package static let constraintNotValid = StaticRule(rule: .constraintNotValid) { analysis, context in
        alterActions(analysis, context) { action, table in
            switch action {
            case .addConstraint(let constraint) where [.foreignKey, .check].contains(constraint.kind) && !constraint.notValid:
                return "\(constraint.kind.rawValue) constraint \(constraint.name.map { "\($0) " } ?? "")on \(table) is checked against every row at once, while writes to \(table) wait"
            case .addColumn(let column) where column.references:
                return "column \(table).\(column.name) REFERENCES another table: the foreign key is checked against every row of \(table) while writes wait, and an inline one cannot be NOT VALID"
            default:
                return nil
            }
        }
    }

    package static let uniqueWithoutIndex = StaticRule(rule: .uniqueWithoutIndex) { analysis, context in
        alterActions(analysis, context) { action, table in
            guard case .addConstraint(let constraint) = action, [.unique, .primaryKey].contains(constraint.kind),
                  !constraint.usingIndex else { return nil }
            return "\(constraint.kind.rawValue) constraint \(constraint.name.map { "\($0) " } ?? "")on \(table) builds its index under ACCESS EXCLUSIVE: \(table) cannot be read or written meanwhile"
        }
    }
}
