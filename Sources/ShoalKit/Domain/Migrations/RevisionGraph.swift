/// The revisions of one database as a directed acyclic graph, as in Alembic:
/// each migration follows its parents, a revision with several children is a
/// branch point, one with several parents is a merge, and the revisions
/// without children are the heads.
///
/// Built once per versions directory and validated on construction, it
/// answers every question a planner, `shoal revisions` or `shoal check` asks,
/// without I/O.
///
/// Graph order (``migrations``, ``ordered(_:)``) puts parents before children
/// and keeps each branch together: it walks back from each head in id order
/// and lists a revision after all of its ancestors, taking parents in id
/// order. So `upgrade heads` finishes one branch before starting the next, and
/// the order is the same on every machine.
///
/// ```swift
/// let graph = try RevisionGraph(migrations: MigrationDirectory.load("versions/core"), directory: "versions/core")
/// graph.heads              // ["5c1e9a0b7f3d"]
/// try graph.resolve("5c1e") // "5c1e9a0b7f3d"
/// ```
public struct RevisionGraph: Sendable {
    /// The shortest prefix ``resolve(_:)`` accepts, so that a prefix stays
    /// unique as the directory grows.
    public static let minimumPrefixLength = 4

    /// The versions directory, as named in error messages.
    public let directory: String

    private let byID: [String: Migration]
    private let childrenByID: [String: [String]]
    private let order: [String]
    private let position: [String: Int]
    private let headIDs: [String]
    private let rootIDs: [String]

    /// Builds the graph and checks it: two migrations with one revision id, a
    /// parent that no file declares, and cycles are `ShoalError(.migrationFile)`
    /// naming the files involved.
    public init(migrations: [Migration], directory: String) throws {
        self.directory = directory
        var byID: [String: Migration] = [:]
        for migration in migrations {
            if let other = byID[migration.revision] {
                throw ShoalError(.migrationFile,
                                 "revision \(migration.revision) is declared by two files, \(other.path) and "
                                     + "\(migration.path); give one of them a new revision id.",
                                 file: migration.path, revision: migration.revision)
            }
            byID[migration.revision] = migration
        }
        let ids = byID.keys.sorted()
        var children: [String: [String]] = [:]
        for id in ids {
            let migration = byID[id]!
            for parent in migration.parents {
                guard byID[parent] != nil else {
                    let hint = Suggestion.didYouMeanAny(parent, among: ids)
                    throw ShoalError(.migrationFile,
                                     "revision \(id) lists parent \(parent), which is not in \(directory).\(hint) "
                                         + "Fix the `-- parents:` header, or restore the missing file.",
                                     file: migration.path, revision: id)
                }
                children[parent, default: []].append(id)
            }
        }
        self.byID = byID
        self.childrenByID = children
        if let cycle = Self.findCycle(ids: ids, byID: byID) {
            let first = byID[cycle[0]]!
            throw ShoalError(.migrationFile,
                             "revisions form a cycle in \(directory): \(cycle.joined(separator: " -> ")) "
                                 + "(each lists the next as a parent). Fix the `-- parents:` header of one of them.",
                             file: first.path, revision: first.revision)
        }
        let heads = ids.filter { children[$0] == nil }
        self.headIDs = heads
        self.rootIDs = ids.filter { byID[$0]!.parents.isEmpty }
        self.order = Self.graphOrder(heads: heads, byID: byID)
        var position: [String: Int] = [:]
        for (index, id) in order.enumerated() { position[id] = index }
        self.position = position
    }

    /// Every migration in graph order: parents before children, one branch at a time.
    public var migrations: [Migration] { order.map { byID[$0]! } }

    /// How many migrations the graph holds.
    public var count: Int { order.count }

    /// The migration with exactly this id (no prefix matching).
    public func migration(_ revision: String) -> Migration? { byID[revision] }

    /// True when the directory holds no migrations.
    public var isEmpty: Bool { byID.isEmpty }

    /// Revisions without children, sorted. More than one means parallel branches.
    public var heads: [String] { headIDs }

    /// Revisions without parents, sorted. Usually one.
    public var roots: [String] { rootIDs }

    /// The revisions that list `revision` as a parent, sorted.
    public func children(of revision: String) -> [String] { childrenByID[revision] ?? [] }

    /// True when branches diverge here: more than one child.
    public func isBranchPoint(_ revision: String) -> Bool { children(of: revision).count > 1 }

    /// True when branches join here: more than one parent.
    public func isMerge(_ revision: String) -> Bool { (byID[revision]?.parents.count ?? 0) > 1 }

    /// Everything `revisions` depend on, following parents; with `inclusive`
    /// the given revisions too. Ids not in the graph are ignored.
    public func ancestors(of revisions: some Sequence<String>, inclusive: Bool) -> Set<String> {
        walk(from: revisions, inclusive: inclusive) { byID[$0]?.parents ?? [] }
    }

    /// Everything that depends on `revisions`, following children; with
    /// `inclusive` the given revisions too. Ids not in the graph are ignored.
    public func descendants(of revisions: some Sequence<String>, inclusive: Bool) -> Set<String> {
        walk(from: revisions, inclusive: inclusive) { childrenByID[$0] ?? [] }
    }

    /// The revisions of `applied` that no other revision of it descends from:
    /// the rows a version table holds for that applied set. Sorted.
    public func heads(of applied: Set<String>) -> [String] {
        let below = ancestors(of: applied, inclusive: false)
        return applied.filter { byID[$0] != nil && !below.contains($0) }.sorted()
    }

    /// The given revisions in graph order (parents first); ids not in the graph are dropped.
    public func ordered(_ revisions: Set<String>) -> [String] {
        revisions.compactMap { id in position[id].map { ($0, id) } }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Turns what a user typed into a full revision id: the id itself, or a
    /// prefix of at least ``minimumPrefixLength`` characters matching exactly one
    /// revision. Errors are `ShoalError(.revision)`: unknown (with close ids,
    /// if any), ambiguous (listing the candidates) or too short.
    public func resolve(_ idOrPrefix: String) throws -> String {
        if byID[idOrPrefix] != nil { return idOrPrefix }
        let matches = idOrPrefix.isEmpty ? [] : order.filter { $0.hasPrefix(idOrPrefix) }.sorted()
        if idOrPrefix.count < Self.minimumPrefixLength {
            let matching = matches.isEmpty ? "" : " (it matches \(matches.count) revision\(matches.count == 1 ? "" : "s"))"
            throw ShoalError(.revision,
                             "revision prefix `\(idOrPrefix)` is too short\(matching); type at least "
                                 + "\(Self.minimumPrefixLength) characters of the id.",
                             revision: idOrPrefix)
        }
        switch matches.count {
        case 1:
            return matches[0]
        case 0:
            let hint = Suggestion.didYouMeanAny(idOrPrefix, among: order)
            throw ShoalError(.revision,
                             "unknown revision `\(idOrPrefix)` in \(directory).\(hint) "
                                 + "`shoal revisions` lists the revisions.",
                             revision: idOrPrefix)
        default:
            throw ShoalError(.revision,
                             "revision prefix `\(idOrPrefix)` is ambiguous in \(directory): it matches "
                                 + "\(matches.joined(separator: ", ")); type more characters.",
                             revision: idOrPrefix)
        }
    }

    // MARK: - Construction

    private func walk(from start: some Sequence<String>, inclusive: Bool,
                      next: (String) -> [String]) -> Set<String> {
        var seen: Set<String> = []
        var stack: [String] = []
        for id in start where byID[id] != nil {
            if inclusive { seen.insert(id) }
            stack.append(contentsOf: next(id))
        }
        while let id = stack.popLast() {
            if seen.insert(id).inserted { stack.append(contentsOf: next(id)) }
        }
        return seen
    }

    /// A cycle as `[a, b, ..., a]` where each revision lists the next as a
    /// parent, or nil. Iterative depth-first search, so that a long history
    /// cannot overflow the stack.
    private static func findCycle(ids: [String], byID: [String: Migration]) -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        for start in ids where marks[start] == nil {
            var path: [(id: String, next: Int)] = [(start, 0)]
            marks[start] = .visiting
            while let top = path.last {
                let parents = byID[top.id]!.parents.sorted()
                if top.next == parents.count {
                    marks[top.id] = .done
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let parent = parents[top.next]
                switch marks[parent] {
                case .visiting:
                    let from = path.firstIndex { $0.id == parent }!
                    return path[from...].map(\.id) + [parent]
                case .done:
                    continue
                case nil:
                    marks[parent] = .visiting
                    path.append((parent, 0))
                }
            }
        }
        return nil
    }

    /// Parents before children, one branch at a time (see the type's documentation).
    private static func graphOrder(heads: [String], byID: [String: Migration]) -> [String] {
        var order: [String] = []
        order.reserveCapacity(byID.count)
        var emitted: Set<String> = []
        for head in heads where !emitted.contains(head) {
            var path: [(id: String, next: Int)] = [(head, 0)]
            var onPath: Set<String> = [head]
            while let top = path.last {
                let parents = byID[top.id]!.parents.sorted()
                if top.next == parents.count {
                    path.removeLast()
                    onPath.remove(top.id)
                    if emitted.insert(top.id).inserted { order.append(top.id) }
                    continue
                }
                path[path.count - 1].next += 1
                let parent = parents[top.next]
                if !emitted.contains(parent) && !onPath.contains(parent) {
                    path.append((parent, 0))
                    onPath.insert(parent)
                }
            }
        }
        return order
    }
}
