@testable import ShoalKit

/// Small revision graphs for tests, built in code.
enum GraphFixtures {
    static let directory = "versions/core"

    /// A migration whose up creates a table named after it and whose down drops it.
    static func migration(_ revision: String, _ parents: [String] = [], up: String? = nil,
                          down: String?? = .some(nil)) -> Migration {
        let upSQL = up ?? "CREATE TABLE t_\(revision) (id int);"
        let downSQL: String? = switch down {
        case .some(.some(let text)): text
        case .some(.none): "DROP TABLE t_\(revision);"
        case .none: nil
        }
        return Migration(revision: revision, parents: parents, up: upSQL, down: downSQL,
                         checksum: Checksum.of(up: upSQL), path: "/fleet/\(directory)/\(revision)_x.sql")
    }

    static func graph(_ migrations: [Migration]) throws -> RevisionGraph {
        try RevisionGraph(migrations: migrations, directory: directory)
    }

    /// `(revision, parents)` pairs, each with an up and a down.
    static func graph(_ edges: [(String, [String])]) throws -> RevisionGraph {
        try graph(edges.map { migration($0.0, $0.1) })
    }

    /// one1 <- two2 <- three3 <- four4
    static func linear() throws -> RevisionGraph {
        try graph([("one1", []), ("two2", ["one1"]), ("three3", ["two2"]), ("four4", ["three3"])])
    }

    /// root <- left1 <- left2, root <- right1 <- right2: two heads.
    static func forked() throws -> RevisionGraph {
        try graph([("root", []), ("left1", ["root"]), ("left2", ["left1"]), ("right1", ["root"]), ("right2", ["right1"])])
    }

    /// ``forked()`` joined by `merge` (empty up, no down), then `after`.
    static func merged() throws -> RevisionGraph {
        try graph([
            migration("root"), migration("left1", ["root"]), migration("left2", ["left1"]),
            migration("right1", ["root"]), migration("right2", ["right1"]),
            migration("merge", ["left2", "right2"], up: "", down: .none),
            migration("after", ["merge"]),
        ])
    }
}

extension ShoalError {
    /// For `#expect(throws:)` closures: the kind matches and the message holds every fragment.
    func matches(_ kind: Kind, _ fragments: String...) -> Bool {
        self.kind == kind && fragments.allSatisfy { message.contains($0) }
    }
}

/// Runs `body` and returns the ShoalError it throws, or nil (recording an issue).
func shoalError(_ body: () throws -> Void) -> ShoalError? {
    do {
        try body()
    } catch let error as ShoalError {
        return error
    } catch {
        return nil
    }
    return nil
}
