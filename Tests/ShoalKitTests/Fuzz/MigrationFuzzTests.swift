import Foundation
import Testing
import ShoalTestSupport
@testable import ShoalKit

/// Migration files and versions directories under broken input: a parse
/// error names the file (and a line in it), a graph error names a file of
/// the graph, and whatever is accepted is a sound graph.
extension FuzzTests {
    @Suite struct MigrationFuzz {
        static let seeds: [String] = [
            "-- revision: 5c1e9a0b7f3d\n-- parents: 9d2a61c0e4b8\n-- message: add email to users\n\n-- shoal:up\n"
                + "ALTER TABLE users ADD COLUMN email text;\n\n-- shoal:down\nALTER TABLE users DROP COLUMN email;\n\n"
                + "-- shoal:verify\nSELECT count(*) = 0 FROM users WHERE email LIKE '% %';\n",
            "-- revision: 5c1e9a0b7f3d\n-- parents: aaaa1111 bbbb2222\n-- message: merge\n\n-- shoal:up\n\n-- shoal:down\n",
            "\u{FEFF}-- revision: 5c1e9a0b7f3d\r\n-- transaction: false\r\n\r\n-- shoal:up\r\nCREATE INDEX CONCURRENTLY i ON t (a);\r\n",
            "\n\n-- revision: 5c1e9a0b7f3d\n-- message: functions\n-- a comment\n\n-- shoal:down\nDROP FUNCTION f;\n-- shoal:up\n"
                + "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; -- shoal:up in a comment\n",
        ]
        static let path = "/fuzz/versions/app/5c1e9a0b7f3d_fuzz.sql"

        @Test func mutatedMigrationFilesParseOrFailWithTheirFileAndLine() async {
            let seeds = Self.seeds
            await Fuzz.run("migration-mutated", generate: { random in
                Mutator.mutate(random.pick(seeds), others: seeds, using: &random)
            }, describe: { Fuzz.show($0) }, check: { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                do {
                    let migration = try MigrationParser.parse(text, path: Self.path)
                    return Self.checkParsed(migration)
                } catch let error as ShoalError {
                    return Self.checkFileError(error, files: [Self.path], lineCount: MigrationText.lines(text).count)
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        @Test func randomMigrationFilesParseOrFailWithTheirFileAndLine() async {
            let lines = [
                "-- revision: 5c1e9a0b7f3d", "-- revision: head", "-- revision: 5c1e", "-- revision:", "-- parents: a1b2c3d4",
                "-- parents: 5c1e9a0b7f3d", "-- parents: x x", "-- parents:  \t", "-- message: hi", "-- message:",
                "-- transaction: false", "-- transaction: true", "-- transaction: yes", "-- mesage: typo", "-- shoal:up",
                "-- shoal:down", "-- shoal:verify", "-- shoal:upgrade", "--shoal: up", "-- shoal:", "-- shoal :up ",
                "SELECT 1;", "", " ", "\t", "-- just a comment", "--", "-- revision: 5c1e9a0b7f3d -- trailing",
                "-- revision: " + String(repeating: "a", count: 65), "-- Revision: 5c1e9a0b7f3d", "-- key:value",
            ]
            await Fuzz.run("migration-structured", generate: { random in
                (0..<random.int(0...12)).map { _ in random.pick(lines) }.joined(separator: random.pick(["\n", "\r\n", "\r"]))
            }, describe: { Fuzz.show($0) }, check: { text in
                do {
                    return Self.checkParsed(try MigrationParser.parse(text, path: Self.path))
                } catch let error as ShoalError {
                    return Self.checkFileError(error, files: [Self.path], lineCount: MigrationText.lines(text).count)
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        /// Random small graphs, in memory: duplicate ids, unknown parents,
        /// self-parents and cycles are errors naming a file; an accepted graph
        /// lists parents before children, once each, with the right heads.
        @Test func randomGraphsAreBuiltOrRejectedByFile() async {
            await Fuzz.run("graph-structured", generate: { random in
                RandomGraph.migrations(using: &random, allowBroken: true)
            }, describe: { RandomGraph.describe($0) }, check: { migrations in
                do {
                    let graph = try RevisionGraph(migrations: migrations, directory: "/fuzz/versions/app")
                    return RandomGraph.checkSound(graph, migrations: migrations)
                } catch let error as ShoalError {
                    if error.kind != .migrationFile { return "error of kind \(error.kind): \(error)" }
                    let named = migrations.contains { error.description.contains($0.path) }
                    return named ? nil : "error names no file of the graph: \(error)"
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        /// The same, through real files: MigrationDirectory reads each file
        /// (some mutated, some not UTF-8) and the graph is built from them.
        @Test func randomVersionsDirectoriesLoadOrFailByFile() async throws {
            let root = try TemporaryDirectory(in: .memoryIfAvailable)
            let seeds = Self.seeds
            await Fuzz.run("versions-directory", cases: 100, generate: { random in
                RandomGraph.migrations(using: &random, allowBroken: true).map { migration -> (String, [UInt8]) in
                    var text = Array(RevisionWriter.render(revision: migration.revision, parents: migration.parents,
                                                           message: "m", transactional: true).utf8)
                    if random.oneIn(6) { text = Mutator.mutate(text, others: seeds.map { Array($0.utf8) }, using: &random) }
                    let name = random.oneIn(15) ? "zz_\(migration.revision).sql" : "\(migration.revision)_x.sql"
                    return (name, text)
                }
            }, describe: { files in
                files.map { "\($0.0): \(Fuzz.show($0.1, limit: 300))" }.joined(separator: "\n")
            }, check: { files in
                let directory = root.file(UUID().uuidString)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    for (name, bytes) in files {
                        // A duplicate name overwrites: the directory holds one file per name.
                        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
                    }
                } catch {
                    return "setup failed: \(error)"
                }
                do {
                    let migrations = try MigrationDirectory.load(directory)
                    let graph = try RevisionGraph(migrations: migrations, directory: directory)
                    return RandomGraph.checkSound(graph, migrations: migrations)
                } catch let error as ShoalError {
                    let paths = files.map { directory + "/" + $0.0 }
                    if error.kind != .migrationFile { return "error of kind \(error.kind): \(error)" }
                    return paths.contains(where: error.description.contains) ? nil : "error names no file: \(error)"
                } catch {
                    return "threw \(type(of: error)), not a ShoalError: \(error)"
                }
            })
        }

        static func checkParsed(_ migration: Migration) -> String? {
            if !MigrationParser.isValidRevisionID(migration.revision) { return "accepted revision \(Fuzz.show(migration.revision))" }
            if MigrationParser.reservedRevisionIDs.contains(migration.revision.lowercased()) {
                return "accepted reserved revision \(migration.revision)"
            }
            if let parent = migration.parents.first(where: { !MigrationParser.isValidRevisionID($0) || $0 == migration.revision }) {
                return "accepted parent \(Fuzz.show(parent))"
            }
            if Set(migration.parents).count != migration.parents.count { return "accepted a repeated parent" }
            if migration.checksum != Checksum.of(up: migration.up) { return "checksum is not the checksum of up" }
            if migration.path != path { return "path changed to \(migration.path)" }
            return nil
        }

        /// A `.migrationFile` error naming one of `files`, with a line inside the file when it has one.
        static func checkFileError(_ error: ShoalError, files: [String], lineCount: Int) -> String? {
            if error.kind != .migrationFile { return "error of kind \(error.kind): \(error)" }
            guard let file = error.file, files.contains(file), error.description.contains(file) else {
                return "error does not name the file: \(error)"
            }
            if let line = error.line, !(1...max(lineCount, 1)).contains(line) {
                return "error line \(line) is outside the file's \(lineCount) lines: \(error)"
            }
            return nil
        }
    }
}

/// Small revision graphs: ids from a small pool (so they collide), parents
/// mostly among earlier revisions (a DAG), sometimes anywhere (cycles,
/// unknown parents, self-parents) when broken graphs are wanted.
enum RandomGraph {
    static let pool = ["aaaa1111", "aaaa2222", "aab00001", "bbbb0001", "cafe0001", "cafe0002", "d00d", "e1", "f00f0001", "ffff0000"]

    static func migrations(using random: inout SplitMix64, allowBroken: Bool) -> [Migration] {
        let count = random.int(0...min(9, pool.count))
        var ids = Array(pool.shuffled(using: &random).prefix(count))
        if allowBroken && random.oneIn(8), let id = ids.randomElement(using: &random) { ids.append(id) }
        var migrations: [Migration] = []
        for (index, id) in ids.enumerated() {
            var parents: [String] = []
            let earlier = Array(ids[..<index])
            for _ in 0..<random.int(0...(random.oneIn(4) ? 3 : 1)) where !earlier.isEmpty {
                let parent = random.pick(earlier)
                if !parents.contains(parent) && parent != id { parents.append(parent) }
            }
            if allowBroken && random.oneIn(12) {
                let parent = random.oneIn(3) ? "0bad0bad" : random.pick(ids)
                if !parents.contains(parent) { parents.append(parent) }
            }
            let up = random.oneIn(5) ? "" : "CREATE TABLE t_\(id) (id int);"
            let down: String? = random.oneIn(4) ? nil : "DROP TABLE t_\(id);"
            migrations.append(Migration(revision: id, parents: parents, message: nil, up: up, down: down,
                                        checksum: Checksum.of(up: up), path: "/fuzz/versions/app/\(id)_\(index).sql"))
        }
        return migrations
    }

    static func describe(_ migrations: [Migration]) -> String {
        "[" + migrations.map { "\($0.revision) <- [\($0.parents.joined(separator: " "))]\($0.down == nil ? " (no down)" : "")" }
            .joined(separator: ", ") + "]"
    }

    /// The graph's answers agree with the migrations it was built from.
    static func checkSound(_ graph: RevisionGraph, migrations: [Migration]) -> String? {
        let order = graph.migrations.map(\.revision)
        if Set(order) != Set(migrations.map(\.revision)) || order.count != migrations.count {
            return "graph order \(order) does not list every revision once"
        }
        var seen: Set<String> = []
        for migration in graph.migrations {
            if let parent = migration.parents.first(where: { !seen.contains($0) }) {
                return "\(migration.revision) comes before its parent \(parent) in \(order)"
            }
            seen.insert(migration.revision)
        }
        let parents = Set(migrations.flatMap(\.parents))
        let heads = migrations.map(\.revision).filter { !parents.contains($0) }.sorted()
        if graph.heads != heads { return "heads \(graph.heads), expected \(heads)" }
        return nil
    }
}
