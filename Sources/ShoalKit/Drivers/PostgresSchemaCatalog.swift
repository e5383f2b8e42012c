/// Reads the schema descriptions (SPEC §10.1) of many targets of one
/// PostgreSQL database in one catalog query: a shard's 1,000 tenant schemas
/// cost one round trip of rows, not a connection or a query per schema.
///
/// Names are qualified and quoted as PostgreSQL quotes them (the query runs
/// with `search_path` set to `pg_catalog` alone, so `pg_get_indexdef` and
/// friends qualify every name); then a target's own schema, followed by a
/// dot, is written `{schema}` wherever it appears in its lines.
package enum PostgresSchemaCatalog {
    /// Each target's description, in order; nil for a target whose schema
    /// does not exist. A target with a schema is described by the objects
    /// in that schema; a target without one (a whole database) by every
    /// schema but PostgreSQL's own. With `everySchema`, a target with a
    /// schema is described with the database's other schemas too (their
    /// names as they are): what a scratch database shows of a migration that
    /// writes outside its tenant's schema. Each target's version, history
    /// and dirty tables are left out, with their indexes, constraints and
    /// sequences.
    static func describe(_ targets: [Target], everySchema: Bool,
                         on session: isolated PostgresSession) async throws -> [SchemaDescription?] {
        guard !targets.isEmpty else { return [] }
        let schemas = targets.map { target -> String? in
            guard case .postgres(_, let schema) = target.location else {
                preconditionFailure("PostgresSchemaCatalog reads PostgreSQL targets only")
            }
            return schema
        }
        let wholeDatabase = everySchema || schemas.contains(nil)
        var excluded = Set<String>()
        for target in targets { excluded.formUnion(target.shoalTables) }
        let rows: [[String?]]
        try await session.begin()
        do {
            try await session.execute("SET LOCAL search_path = pg_catalog")
            rows = try await session.query(query(wholeDatabase: wholeDatabase),
                                           [VersionStore.arrayLiteral(Set(schemas.compactMap { $0 }).sorted()),
                                            VersionStore.arrayLiteral(excluded.sorted())])
            await session.rollback()
        } catch {
            await session.rollback()
            throw error
        }
        // Lines by schema; each schema also has a marker row with its name
        // as PostgreSQL quotes it in the lines.
        var linesBySchema: [String: [String]] = [:]
        var quotedSchema: [String: String] = [:]
        for row in rows {
            guard let schema = row[0] else { continue }
            if let line = row[1] {
                linesBySchema[schema, default: []].append(SchemaDescription.normalisedWhitespace(line))
            } else {
                quotedSchema[schema] = row[2]
                if linesBySchema[schema] == nil { linesBySchema[schema] = [] }
            }
        }
        return schemas.map { schema in
            guard let schema else {
                return SchemaDescription(lines: linesBySchema.values.joined())
            }
            guard let own = linesBySchema[schema] else { return nil }
            let lines = everySchema ? Array(linesBySchema.values.joined()) : own
            let qualifier = (quotedSchema[schema] ?? schema) + "."
            return SchemaDescription(lines: lines.map { SchemaPlaceholder.writing(qualifier, as: "{schema}.", in: $0) })
        }
    }

    /// The catalog query: `(schema, line, NULL)` rows, plus `(schema,
    /// NULL, quote_ident(schema))` for every schema read. `$1`: the schemas (unless `wholeDatabase`), `$2`:
    /// the version tables to leave out.
    /// (`nspname::text`: hashed against the array, as in
    /// ``TenantTables/lookupQuery(currentSchema:)``.)
    package static func query(wholeDatabase: Bool) -> String {
        let schemas = wholeDatabase
            ? "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND $1::text[] IS NOT NULL"
            : "n.nspname::text = ANY($1::text[])"
        // Extension members (functions, types, tables an extension made)
        // are the extension's, not the migrations'.
        return """
            WITH ns AS (
              SELECT n.oid, n.nspname, quote_ident(n.nspname) AS q FROM pg_catalog.pg_namespace n WHERE \(schemas)),
            member AS (
              SELECT objid FROM pg_catalog.pg_depend WHERE deptype = 'e'),
            shoal AS (
              SELECT c.oid FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])),
            hidden AS (
              SELECT oid FROM shoal
              UNION SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid IN (SELECT oid FROM shoal)
              UNION SELECT d.objid FROM pg_catalog.pg_depend d
                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid IN (SELECT oid FROM shoal)
                  AND d.deptype IN ('a', 'i')
              UNION SELECT objid FROM member),
            rel AS (
              SELECT c.oid, c.relkind, c.relpersistence, ns.nspname, ns.q || '.' || quote_ident(c.relname) AS qname
              FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
              WHERE c.oid NOT IN (SELECT oid FROM hidden))
            SELECT nspname, NULL, q FROM ns
            UNION ALL
            SELECT s, l, NULL FROM (
            SELECT nspname, 'table ' || qname
                || CASE WHEN relpersistence = 'u' THEN ' unlogged' ELSE '' END
                || CASE WHEN relkind = 'p' THEN ' partition by ' || pg_catalog.pg_get_partkeydef(oid) ELSE '' END
              FROM rel WHERE relkind IN ('r', 'p')
            UNION ALL
            SELECT rel.nspname, 'column ' || rel.qname || '.' || quote_ident(a.attname) || ' '
                || pg_catalog.format_type(a.atttypid, a.atttypmod)
                || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                || CASE a.attidentity WHEN 'a' THEN ' generated always as identity'
                                      WHEN 'd' THEN ' generated by default as identity' ELSE '' END
                || CASE WHEN a.attgenerated = 's' THEN ' generated always as (' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) || ') stored'
                        ELSE COALESCE(' default ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') END
                || CASE WHEN a.attcollation <> t.typcollation THEN ' collate ' || quote_ident(co.collname) ELSE '' END
              FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid
              JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
              WHERE rel.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT ns.nspname, 'constraint ' || COALESCE(rel.qname, ns.q || '.' || quote_ident(t.typname)) || '.'
                || quote_ident(con.conname) || ' ' || pg_catalog.pg_get_constraintdef(con.oid)
              FROM pg_catalog.pg_constraint con JOIN ns ON ns.oid = con.connamespace
              LEFT JOIN rel ON rel.oid = con.conrelid
              LEFT JOIN pg_catalog.pg_type t ON t.oid = con.contypid
              WHERE (rel.oid IS NOT NULL OR (con.conrelid = 0 AND t.oid IS NOT NULL))
            UNION ALL
            SELECT nspname, 'index ' || qname || ' ' || pg_catalog.pg_get_indexdef(oid)
              FROM rel WHERE relkind IN ('i', 'I')
            UNION ALL
            SELECT nspname, CASE relkind WHEN 'v' THEN 'view ' ELSE 'materialized view ' END || qname || ' '
                || pg_catalog.pg_get_viewdef(oid)
              FROM rel WHERE relkind IN ('v', 'm')
            UNION ALL
            SELECT rel.nspname, 'sequence ' || rel.qname || ' ' || pg_catalog.format_type(s.seqtypid, NULL)
                || ' start ' || s.seqstart || ' increment ' || s.seqincrement || ' min ' || s.seqmin
                || ' max ' || s.seqmax || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END
              FROM rel JOIN pg_catalog.pg_sequence s ON s.seqrelid = rel.oid WHERE rel.relkind = 'S'
            UNION ALL
            SELECT ns.nspname, CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' WHEN 'w' THEN 'window function '
                                              ELSE 'function ' END
                || ns.q || '.' || quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
                || COALESCE(' returns ' || pg_catalog.pg_get_function_result(p.oid), '')
                || ' language ' || quote_ident(l.lanname)
                || CASE p.provolatile WHEN 'i' THEN ' immutable' WHEN 's' THEN ' stable' ELSE '' END
                || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END
                || ' body sha256:' || left(encode(pg_catalog.sha256(convert_to(COALESCE(p.prosrc, ''), 'UTF8')), 'hex'), 12)
              FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
              JOIN pg_catalog.pg_language l ON l.oid = p.prolang
              WHERE p.oid NOT IN (SELECT objid FROM member)
            UNION ALL
            SELECT rel.nspname, 'trigger ' || rel.qname || '.' || quote_ident(tg.tgname) || ' '
                || pg_catalog.pg_get_triggerdef(tg.oid)
              FROM pg_catalog.pg_trigger tg JOIN rel ON rel.oid = tg.tgrelid WHERE NOT tg.tgisinternal
            UNION ALL
            SELECT ns.nspname, 'enum ' || ns.q || '.' || quote_ident(t.typname) || ' ('
                || string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) || ')'
              FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
              JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
              WHERE t.oid NOT IN (SELECT objid FROM member)
              GROUP BY ns.nspname, ns.q, t.typname
            UNION ALL
            SELECT ns.nspname, 'domain ' || ns.q || '.' || quote_ident(t.typname) || ' '
                || pg_catalog.format_type(t.typbasetype, t.typtypmod)
                || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END || COALESCE(' default ' || t.typdefault, '')
              FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
              WHERE t.typtype = 'd' AND t.oid NOT IN (SELECT objid FROM member)
            ) AS objects (s, l)
            """
    }
}
