/// What one `up` statement does, read at the token level: enough for the
/// rules of `shoal lint` (SPEC §9.1), not a SQL parser. A statement it does
/// not recognise is ``Kind/other`` and no static rule flags it.
///
/// ```swift
/// let analysis = StatementAnalysis("CREATE INDEX CONCURRENTLY users_email ON public.users (email)")
/// analysis.kind          // .createIndex
/// analysis.concurrently  // true
/// analysis.table         // public.users
/// ```
package struct StatementAnalysis: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        case createTable, createIndex, dropIndex, dropTable, alterTable
        case vacuum, cluster, lockTable, reindex, refreshMaterializedView
        case other
    }

    package var kind: Kind
    /// The tables the statement works on: the one created, indexed, altered,
    /// vacuumed or refreshed, or each one dropped or locked. Empty when the
    /// statement names none (`CLUSTER;`).
    package var tables: [TableName] = []
    /// The index of `CREATE INDEX` (nil when unnamed) or the first of `DROP INDEX`.
    package var index: String?
    /// `CREATE UNIQUE INDEX`.
    package var unique = false
    /// `CONCURRENTLY` as a keyword of the statement (an option list's included).
    package var concurrently = false
    /// `VACUUM FULL` or `VACUUM (FULL)`.
    package var full = false
    /// The actions of an `ALTER TABLE`, in order.
    package var actions: [AlterTableAction] = []

    package var table: TableName? { tables.first }

    package init(_ statement: String) {
        self.init(tokens: SQLTokenizer.tokens(statement))
    }

    package init(tokens: [SQLToken]) {
        var cursor = TokenCursor(tokens)
        kind = .other
        if cursor.accept("create") {
            readCreate(&cursor)
        } else if cursor.accept("drop") {
            readDrop(&cursor)
        } else if cursor.accept("alter", "table") {
            kind = .alterTable
            _ = cursor.accept("if", "exists")
            _ = cursor.accept("only")
            tables = cursor.tableName().map { [$0] } ?? []
            _ = cursor.acceptSymbol("*")
            actions = cursor.remainingSplitAtCommas().map(Self.action)
            concurrently = cursor.tokens.contains { $0.isWord("detach") } && cursor.tokens.contains { $0.isWord("concurrently") }
        } else if cursor.accept("vacuum") {
            kind = .vacuum
            let options = cursor.parenthesized()
            full = options.contains { $0.isWord("full") } || cursor.accept("full")
            while cursor.acceptAny("freeze", "verbose", "analyze", "analyse") {}
            tables = cursor.tableNames()
        } else if cursor.accept("cluster") {
            kind = .cluster
            _ = cursor.parenthesized()
            _ = cursor.accept("verbose")
            tables = cursor.tableName().map { [$0] } ?? []
        } else if cursor.accept("lock") {
            kind = .lockTable
            _ = cursor.accept("table")
            _ = cursor.accept("only")
            tables = cursor.tableNames()
        } else if cursor.accept("reindex") {
            kind = .reindex
            concurrently = cursor.parenthesized().contains { $0.isWord("concurrently") }
            let object = cursor.acceptAny("index", "table", "schema", "database", "system")
            concurrently = cursor.accept("concurrently") || concurrently
            if object, let name = cursor.tableName() {
                tables = [name]
            }
        } else if cursor.accept("refresh", "materialized", "view") {
            kind = .refreshMaterializedView
            concurrently = cursor.accept("concurrently")
            tables = cursor.tableName().map { [$0] } ?? []
        }
    }

    private mutating func readCreate(_ cursor: inout TokenCursor) {
        while cursor.acceptAny("global", "local", "temporary", "temp", "unlogged") {}
        if cursor.accept("table") {
            kind = .createTable
            _ = cursor.accept("if", "not", "exists")
            tables = cursor.tableName().map { [$0] } ?? []
            return
        }
        unique = cursor.accept("unique")
        guard cursor.accept("index") else { return }
        kind = .createIndex
        concurrently = cursor.accept("concurrently")
        _ = cursor.accept("if", "not", "exists")
        if !(cursor.current?.isWord("on") ?? true) { index = cursor.tableName()?.description }
        if cursor.accept("on") {
            _ = cursor.accept("only")
            tables = cursor.tableName().map { [$0] } ?? []
        }
    }

    private mutating func readDrop(_ cursor: inout TokenCursor) {
        if cursor.accept("index") {
            kind = .dropIndex
            concurrently = cursor.accept("concurrently")
            _ = cursor.accept("if", "exists")
            index = cursor.tableNames().first?.description
        } else if cursor.accept("table") {
            kind = .dropTable
            _ = cursor.accept("if", "exists")
            tables = cursor.tableNames()
        }
    }

    private static func action(_ tokens: [SQLToken]) -> AlterTableAction {
        var cursor = TokenCursor(tokens)
        if cursor.accept("add") {
            if let constraint = tableConstraint(&cursor) { return .addConstraint(constraint) }
            _ = cursor.accept("column")
            _ = cursor.accept("if", "not", "exists")
            guard let name = cursor.identifier() else { return .other }
            return .addColumn(columnDefinition(name: name, &cursor))
        }
        if cursor.accept("alter") {
            _ = cursor.accept("column")
            guard let column = cursor.identifier() else { return .other }
            if cursor.accept("type") || cursor.accept("set", "data", "type") { return .alterColumnType(column: column) }
            if cursor.accept("set", "not", "null") { return .setNotNull(column: column) }
            return .other
        }
        if cursor.accept("rename") {
            if cursor.accept("to") { return cursor.identifier().map { .renameTable(to: $0) } ?? .other }
            if cursor.current?.isWord("constraint") ?? true { return .other }
            _ = cursor.accept("column")
            guard let from = cursor.identifier(), cursor.accept("to"), let to = cursor.identifier() else { return .other }
            return .renameColumn(from: from, to: to)
        }
        if cursor.accept("drop") {
            if cursor.current?.isWord("constraint") ?? true { return .other }
            _ = cursor.accept("column")
            _ = cursor.accept("if", "exists")
            return cursor.identifier().map { .dropColumn($0) } ?? .other
        }
        return .other
    }

    /// The table constraint that follows `ADD`, or nil when `ADD` adds a column.
    private static func tableConstraint(_ cursor: inout TokenCursor) -> AlterTableAction.TableConstraint? {
        let start = cursor.position
        let name = cursor.accept("constraint") ? cursor.identifier() : nil
        let kind: AlterTableAction.TableConstraint.Kind
        if cursor.accept("primary", "key") {
            kind = .primaryKey
        } else if cursor.accept("unique") {
            kind = .unique
        } else if cursor.accept("foreign", "key") {
            kind = .foreignKey
        } else if cursor.accept("check") {
            kind = .check
        } else if cursor.accept("exclude") {
            kind = .exclude
        } else {
            cursor.position = start
            return nil
        }
        return .init(name: name, kind: kind, notValid: cursor.containsAtTopLevel("not", "valid"),
                     usingIndex: cursor.containsAtTopLevel("using", "index"))
    }

    /// Words that end a column's type and a `DEFAULT` expression.
    private static let columnConstraintWords: Set<String> = [
        "constraint", "not", "null", "default", "check", "unique", "primary", "references", "generated", "collate",
    ]

    private static func columnDefinition(name: String, _ cursor: inout TokenCursor) -> AlterTableAction.ColumnDefinition {
        var type: [String] = []
        while let token = cursor.current, !(token.kind == .word && columnConstraintWords.contains(token.text)) {
            type.append(token.text)
            cursor.position += 1
        }
        var defaultExpression: [SQLToken]?
        var depth = 0
        var inDefault = false
        for token in cursor.tokens[cursor.position...] {
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            if depth == 0, token.kind == .word, columnConstraintWords.contains(token.text) {
                inDefault = token.text == "default"
                if inDefault { defaultExpression = [] }
            } else if inDefault {
                defaultExpression?.append(token)
            }
        }
        return .init(name: name, type: type, defaultExpression: defaultExpression,
                     notNull: cursor.containsAtTopLevel("not", "null") || cursor.containsAtTopLevel("primary", "key"),
                     references: cursor.containsAtTopLevel("references"),
                     generatedStored: cursor.containsAtTopLevel("generated") && cursor.containsAtTopLevel("stored"),
                     identity: cursor.containsAtTopLevel("generated") && cursor.containsAtTopLevel("identity"))
    }
}

/// Reads tokens front to back for ``StatementAnalysis``.
private struct TokenCursor {
    let tokens: [SQLToken]
    var position = 0

    init(_ tokens: [SQLToken]) { self.tokens = tokens }

    var current: SQLToken? { position < tokens.count ? tokens[position] : nil }

    /// Moves past `words` when the next tokens are exactly those words.
    mutating func accept(_ words: String...) -> Bool {
        guard position + words.count <= tokens.count,
              zip(tokens[position...], words).allSatisfy({ $0.isWord($1) }) else { return false }
        position += words.count
        return true
    }

    /// Moves past the next token when it is one of `words`.
    mutating func acceptAny(_ words: String...) -> Bool {
        guard let current, current.kind == .word, words.contains(current.text) else { return false }
        position += 1
        return true
    }

    mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard current?.isSymbol(symbol) == true else { return false }
        position += 1
        return true
    }

    /// A name (a word or a quoted name).
    mutating func identifier() -> String? {
        guard let current, current.isName else { return nil }
        position += 1
        return current.text
    }

    /// `name`, `schema.name` or `catalog.schema.name`.
    mutating func tableName() -> TableName? {
        guard var name = identifier() else { return nil }
        var schema: String?
        while current?.isSymbol(".") == true, position + 1 < tokens.count, tokens[position + 1].isName {
            position += 1
            schema = name
            name = identifier()!
        }
        return TableName(schema: schema, name: name)
    }

    /// Comma-separated table names.
    mutating func tableNames() -> [TableName] {
        var names: [TableName] = []
        while let name = tableName() {
            names.append(name)
            guard acceptSymbol(",") else { break }
        }
        return names
    }

    /// The tokens inside the parentheses that open here, or none.
    mutating func parenthesized() -> [SQLToken] {
        guard current?.isSymbol("(") == true else { return [] }
        let start = position + 1
        var depth = 0
        while let token = current {
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            position += 1
            if depth == 0 { return Array(tokens[start..<(position - 1)]) }
        }
        return Array(tokens[start...])
    }

    /// The tokens from here on, split at commas outside parentheses.
    func remainingSplitAtCommas() -> [[SQLToken]] {
        var parts: [[SQLToken]] = [[]]
        var depth = 0
        for token in tokens[position...] {
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            if depth == 0 && token.isSymbol(",") {
                parts.append([])
            } else {
                parts[parts.count - 1].append(token)
            }
        }
        return parts.filter { !$0.isEmpty }
    }

    /// True when `words` follow each other from here on, outside parentheses.
    func containsAtTopLevel(_ words: String...) -> Bool {
        var depth = 0
        for index in position..<tokens.count {
            let token = tokens[index]
            if token.isSymbol("(") { depth += 1 }
            if token.isSymbol(")") { depth -= 1 }
            if depth == 0, index + words.count <= tokens.count,
               zip(tokens[index...], words).allSatisfy({ $0.isWord($1) }) {
                return true
            }
        }
        return false
    }
}
