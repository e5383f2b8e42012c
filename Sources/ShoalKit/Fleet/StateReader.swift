/// Reads many targets' version tables as cheaply as the databases allow,
/// without creating or changing anything: schema-per-tenant targets that
/// share a shard are read together over one session (see
/// ``VersionStore/readStates(of:session:chunkSize:)``); other targets (a
/// SQLite file, a database) one session each, `concurrency` at a time.
struct StateReader: Sendable {
    let concurrency: Int
    let caps: ConnectionCaps
    /// Whether to read applied checksums (planning needs them; status does not).
    var checksums = true

    /// One state (or the reason it could not be read) per target, in order.
    func readStates(_ targets: [Target]) async -> [Result<VersionState, ShoalError>] {
        var units: [[Int]] = []
        var groups: [String: Int] = [:]
        for (index, target) in targets.enumerated() {
            if let key = Self.batchKey(target) {
                if let unit = groups[key] {
                    units[unit].append(index)
                } else {
                    groups[key] = units.count
                    units.append([index])
                }
            } else {
                units.append([index])
            }
        }
        let results = await forEachConcurrently(units, limit: concurrency) { unit in
            await caps.withSlot(for: targets[unit[0]]) { await read(unit.map { targets[$0] }) }
        }
        var states = [Result<VersionState, ShoalError>](repeating: .success(.uninitialized), count: targets.count)
        for (unit, result) in zip(units, results) {
            for (index, state) in zip(unit, result) { states[index] = state }
        }
        return states
    }

    private func read(_ targets: [Target]) async -> [Result<VersionState, ShoalError>] {
        do {
            let states = try await SessionFactory.withSession(targets[0], access: .read) { session in
                if targets.count == 1 {
                    return [try await VersionStore(session: session, target: targets[0]).readState()]
                }
                return try await VersionStore.readStates(of: targets, session: session, checksums: checksums)
            } ?? targets.map { _ in .uninitialized }
            return states.map { .success($0) }
        } catch {
            return targets.map { .failure(ShoalError.wrap(error, target: $0)) }
        }
    }

    /// Targets with the same key live in one PostgreSQL database (a shard of
    /// a schema-per-tenant database) and can be read over one session.
    static func batchKey(_ target: Target) -> String? {
        guard case .postgres(let url, _?) = target.location else { return nil }
        return url + "\u{0}" + target.versionTable
    }
}
