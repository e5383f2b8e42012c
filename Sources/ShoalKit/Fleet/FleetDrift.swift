/// Compares what each target's schema is with what it should be (`shoal
/// drift`, SPEC §10.1): its group's majority, or what the migration files
/// build on a scratch target. Nothing of the targets is changed.
///
/// ```swift
/// let report = try await FleetDrift(fleet: fleet, concurrency: 8)
///     .drift(of: try await fleet.targets(), against: .majority)
/// if report.hasDrift { print(report.summary) }
/// ```
public struct FleetDrift: Sendable {
    public let fleet: Fleet
    public let concurrency: Int
    /// Names each PostgreSQL scratch database of `--against files` (tests
    /// pick names they can look for afterwards).
    package var scratchName: @Sendable () -> String = PostgresScratchDatabase.newName

    public init(fleet: Fleet, concurrency: Int) {
        self.fleet = fleet
        self.concurrency = concurrency
    }

    /// Each target's version state and schema, read as `status` reads
    /// (a shard's tenant schemas in one catalog query over one session,
    /// SQLite files on a reader thread; every session closed before it
    /// returns), then compared within its group.
    ///
    /// A target that cannot be reached is `unreachable` and the others go
    /// on; one whose schema, file or version table is missing is
    /// `uninitialized`. With `.files`, each group's reference is built on a
    /// scratch target (``ScratchTarget``, one per group, removed afterwards)
    /// migrated to the group's revisions; a group at revisions the files do
    /// not have has no reference, and its targets are `ambiguous`. Throws
    /// when the migration files cannot be read, or (`.files`) when a
    /// scratch target cannot be made or a migration fails on it.
    public func drift(of targets: [Target], against: DriftReport.Against = .majority) async throws -> DriftReport {
        let graphs = try fleet.graphs(for: targets.map(\.database))
        let reads = await SessionPool.withPool(for: targets, warmingUp: concurrency) { pool in
            let reads = await read(targets, in: pool)
            pool.discardWarmup()
            return reads
        }
        switch against {
        case .majority:
            return DriftReport(comparing: targets, reads: reads, against: .majority)
        case .files:
            let references = try await filesReferences(for: targets, reads: reads, graphs: graphs)
            return DriftReport(comparing: targets, reads: reads, against: .files(references))
        }
    }

    /// A target's version state and its description (nil: its schema or file is missing).
    private struct Read: Sendable {
        var state: VersionState
        var schema: SchemaDescription?
    }

    /// What each target is, in order, over the sessions of `pool`.
    func read(_ targets: [Target], in pool: SessionPool) async -> [SchemaRead] {
        let reader = BatchReader(concurrency: concurrency, pool: pool)
        let reads = await reader.read(targets, BatchReader.Reads<Read>(
            sqlite: { reader, targets in
                await reader.readStatesAndSchemas(of: targets).map { $0.map { Read(state: $0.state, schema: $0.schema) } }
            },
            shard: { targets, session in
                let states = try await session.readVersionStates(of: targets, checksums: false, expected: [:])
                let schemas = try await session.describeSchemas(of: targets, everySchema: false)
                return zip(states, schemas).map { .success(Read(state: $0, schema: $1)) }
            },
            single: { store in
                Read(state: try await store.readState(),
                     schema: try await store.session.describeSchemas(of: [store.target], everySchema: false)[0])
            },
            absent: Read(state: .uninitialized, schema: nil)))
        return zip(targets, reads).map { target, read in
            switch read {
            case .failure(let error):
                return .unreachable(message: error.message)
            case .success(let read):
                guard let schema = read.schema else { return .uninitialized(message: Self.missing(target)) }
                guard read.state.initialized else {
                    return .uninitialized(message: "it has no version table \(target.versionTable): shoal has not migrated it")
                }
                return .described(revisions: read.state.current.sorted(), schema)
            }
        }
    }

    /// Why a target without a description has none.
    private static func missing(_ target: Target) -> String {
        switch target.location {
        case .postgres(_, let schema?): "its schema \(schema) does not exist"
        case .postgres: "its database does not exist"
        case .sqlite(let path): "its file \(path) does not exist"
        }
    }

    /// One reference per group of the described targets, built from the
    /// files on a scratch target each; groups at revisions the files do
    /// not have get none, with the reason.
    private func filesReferences(for targets: [Target], reads: [SchemaRead],
                                 graphs: [String: RevisionGraph]) async throws -> [DriftGroupKey: FilesReference] {
        var keys: [DriftGroupKey] = []
        for (target, read) in zip(targets, reads) {
            guard case .described(let revisions, _) = read else { continue }
            let key = DriftGroupKey(database: target.database, revisions: revisions)
            if !keys.contains(key) { keys.append(key) }
        }
        var references: [DriftGroupKey: FilesReference] = [:]
        for key in keys {
            let graph = graphs[key.database]!  // graphs holds every target's database
            let unknown = key.revisions.filter { graph.migration($0) == nil }
            if !unknown.isEmpty {
                references[key] = .unavailable(message: "\(unknown.joined(separator: ", ")) "
                                               + (unknown.count == 1 ? "is" : "are") + " not in \(graph.directory): "
                                               + "no reference can be built from the files")
                continue
            }
            references[key] = .built(try await build(key, graph: graph))
        }
        return references
    }

    /// The schema the files give at `key`'s revisions: a scratch target of
    /// the database, migrated there one step at a time with each verify.
    private func build(_ key: DriftGroupKey, graph: RevisionGraph) async throws -> SchemaDescription {
        let database = try fleet.database(key.database)
        return try await ScratchTarget.with(database, fleet: fleet, command: "`shoal drift --against files`",
                                          postgresName: scratchName()) { scratch in
            let store = VersionStore(session: scratch.session, target: scratch.target)
            try await store.ensureTables()
            var current: [String] = []
            for revision in key.revisions {
                let plan = try Planner.upgrade(graph: graph, current: current, to: .revision(revision), database: key.database)
                for step in plan.steps {
                    do {
                        _ = try await store.apply(step, context: fleet.context)
                    } catch var error as ShoalError where !Task.isCancelled {
                        // Name the migration: the scratch target is where the files failed, not a tenant.
                        error.file = error.file ?? step.migration.path
                        error.message = "\(step.migration.revision) failed on the scratch target of "
                            + "`shoal drift --against files`, so \(key.database) has no reference: \(error.message)"
                        throw error
                    }
                }
                current = try await store.readState().current
            }
            let described = try await scratch.session.describeSchemas(of: [scratch.target], everySchema: false)
            return described[0] ?? SchemaDescription(lines: [])
        }
    }
}
