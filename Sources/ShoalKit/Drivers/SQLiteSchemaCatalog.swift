/// Reads a SQLite file's schema description (SPEC §10.1) from
/// `sqlite_master` and the table pragmas, in four statements.
///
/// A table is described by its columns (`pragma table_xinfo`, listed by
/// name, so a column added and dropped again round-trips), its foreign keys
/// and its unique and primary-key constraints, not by the text of its
/// `CREATE TABLE`: a `down` that rebuilds a table the SQLite way (create a
/// copy, move the rows, rename) leaves the same table behind even though
/// SQLite rewrote the stored text. Indexes, views and triggers are their
/// stored `CREATE` statements, whitespace normalised. `CHECK` constraints
/// live only in that text, and are not part of the description.
enum SQLiteSchemaCatalog {
    /// `connection`'s objects, leaving out the tables named in `excluded`
    /// (shoal's version tables) and everything on them, and SQLite's own.
    static func describe(on connection: SQLiteConnection, excluding excluded: Set<String>) throws -> SchemaDescription {
        func kept(_ table: String?) -> Bool {
            guard let table else { return false }
            return !excluded.contains(table) && !table.hasPrefix("sqlite_")
        }
        var lines: [String] = []
        let objects = try connection.query("""
            SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            """, [])
        for object in objects {
            guard let type = object[0], let name = object[1], kept(object[2]) else { continue }
            let table = object[2] ?? name
            let sql = object[3].map(SchemaDescription.normalisedWhitespace) ?? ""
            switch type {
            case "table": lines.append("table \(name)")
            case "index": lines.append("index \(table).\(name) \(sql)")
            case "view": lines.append("view \(name) \(sql)")
            case "trigger": lines.append("trigger \(table).\(name) \(sql)")
            default: lines.append("\(type) \(name) \(sql)")
            }
        }
        let columns = try connection.query("""
            SELECT m.name, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden
            FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c WHERE m.type = 'table'
            """, [])
        for column in columns where kept(column[0]) {
            var line = "column \(column[0]!).\(column[1] ?? "") \(column[2] ?? "")"
            if column[3] == "1" { line += " not null" }
            if let value = column[4] { line += " default \(value)" }
            if let pk = column[5], pk != "0" { line += " primary key \(pk)" }
            if let hidden = column[6], hidden != "0" { line += hidden == "1" ? " hidden" : " generated" }
            lines.append(SchemaDescription.normalisedWhitespace(line))
        }
        // One line per foreign key (its columns in order), and per unique or
        // primary-key constraint SQLite keeps as an automatic index.
        let keys = try connection.query("""
            SELECT t, id, group_concat("from", ', '), "table", group_concat("to", ', '), on_update, on_delete, "match"
            FROM (SELECT m.name AS t, f.* FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
                  WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq)
            GROUP BY t, id
            """, [])
        for key in keys where kept(key[0]) {
            lines.append("foreign-key \(key[0]!) (\(key[2] ?? "")) references \(key[3] ?? "")(\(key[4] ?? ""))"
                         + " on update \(key[5] ?? "") on delete \(key[6] ?? "") match \(key[7] ?? "")")
        }
        let constraints = try connection.query("""
            SELECT m.name, l.origin, l.partial, (SELECT group_concat(name, ', ') FROM
                (SELECT i.name FROM pragma_index_info(l.name) i ORDER BY i.seqno))
            FROM sqlite_master m JOIN pragma_index_list(m.name) l WHERE m.type = 'table' AND l.origin IN ('u', 'pk')
            """, [])
        for constraint in constraints where kept(constraint[0]) {
            let kind = constraint[1] == "pk" ? "primary key" : "unique"
            lines.append("constraint \(constraint[0]!) \(kind) (\(constraint[3] ?? ""))")
        }
        return SchemaDescription(lines: lines)
    }
}
