import Testing
@testable import ShoalKit

/// The small parsers and rules that take text from users: SQL splitting,
/// tenant names, `--partition` and password redaction.
extension FuzzTests {
    @Suite struct TextFuzz {
        // MARK: SQLScript

        /// Pieces of SQL that hold a `;` the splitter must not cut at, and plain code.
        static let quotedAtoms = [
            "'it''s; here'", "E'a\\';b'", "e'\\\\'", "\"a;b\"", "\"a\"\";b\"", "`x;y`", "$$ SELECT 1; $$", "$body$ a; $ b $body$",
            "$a$ $$;$$ $a$", "/* ; */", "/* a /* nested; */ ; */", "-- comment; here\n", "--;\r\n", "'\n;\n'", "'é;😀'",
        ]
        static let codeAtoms = ["SELECT", "1", "x", "CREATE INDEX CONCURRENTLY i ON t (a)", "$1", "a$b$", "E", "(", ")", "é", "*", "-", "/"]

        @Test func statementsSplitAtTheirSemicolonsOnly() async {
            await Fuzz.run("sql-split-structured", generate: { random in
                (0..<random.int(1...6)).map { _ in
                    var atoms = [random.pick(Self.codeAtoms)]
                    for _ in 0..<random.int(0...5) { atoms.append(random.pick(random.oneIn(2) ? Self.quotedAtoms : Self.codeAtoms)) }
                    return atoms.shuffled(using: &random).joined(separator: random.pick([" ", "\n", "\t", "  "]))
                }
            }, describe: { "\($0)" }, check: { statements in
                let script = statements.joined(separator: ";\n") + ";"
                let split = SQLScript.split(script)
                let expected = statements.map(MigrationText.trimmed)
                return split == expected ? nil : "split \(Fuzz.show(script)) into \(split), expected \(expected)"
            })
        }

        @Test func brokenSQLSplitsWithoutCrashing() async {
            let seeds = Self.quotedAtoms + ["CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql; SELECT 2;"]
            await Fuzz.run("sql-split-mutated", generate: { random in
                Mutator.mutate(random.pick(seeds), others: seeds, using: &random)
            }, describe: { Fuzz.show($0) }, check: { bytes in
                let sql = String(decoding: bytes, as: UTF8.self)
                let statements = SQLScript.split(sql)
                if let bad = statements.first(where: { $0.isEmpty || $0 != MigrationText.trimmed($0) }) {
                    return "statement \(Fuzz.show(bad)) is empty or untrimmed"
                }
                let semicolons = sql.utf8.filter { $0 == UInt8(ascii: ";") }.count
                return statements.count <= semicolons + 1 ? nil : "\(statements.count) statements from \(semicolons) semicolons"
            })
        }

        /// `shoal lint` reads broken SQL without crashing: the located
        /// statements are split's, each starts on a line of the script, and
        /// every rule runs over its analysis.
        @Test func brokenSQLLintsWithoutCrashing() async {
            let seeds = Self.quotedAtoms + [
                "-- shoal:allow drop x\nALTER TABLE \"a\".b DROP COLUMN c, ALTER d TYPE int;",
                "CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY s.t (a) WHERE b <> 'x';\r\nVACUUM (FULL) t;",
                "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT nextval('s') REFERENCES u, ADD CONSTRAINT k UNIQUE USING INDEX i;",
            ]
            await Fuzz.run("sql-lint-mutated", generate: { random in
                Mutator.mutate(random.pick(seeds), others: seeds, using: &random)
            }, describe: { Fuzz.show($0) }, check: { bytes in
                let sql = String(decoding: bytes, as: UTF8.self)
                let located = SQLScript.locatedStatements(sql)
                // In order, each located statement ends one of split's (split
                // also keeps a statement whose only "code" is a Unicode blank).
                var rest = SQLScript.split(sql)[...]
                for statement in located {
                    guard let index = rest.firstIndex(where: { Array($0.utf8).suffix(statement.text.utf8.count) == Array(statement.text.utf8)[...] })
                    else { return "located \(Fuzz.show(statement.text)) is not split's" }
                    rest = rest[(index + 1)...]
                }
                let lines = MigrationText.lines(sql).count
                let misplaced = located.first { statement in
                    statement.line < 1 || statement.line > max(lines, 1) || statement.commentsAbove.contains { $0.line >= statement.line }
                }
                if let misplaced { return "statement \(Fuzz.show(misplaced.text)) on line \(misplaced.line) of \(lines)" }
                for statement in located {
                    let analysis = StatementAnalysis(statement.text)
                    for rule in StaticRule.all { _ = rule.check(analysis, StatementContext()) }
                }
                return nil
            })
        }

        // MARK: Tenant names

        static let namePieces = [
            "a", "Z", "0", "9", "_", "-", "acme", "tenant", ".", "..", "/", "../", "\\", "\"", "'", ";", " ", "\n", "\r", "\t",
            "\u{0}", "\u{7F}", "é", "а" /* Cyrillic */, "ａ" /* fullwidth */, "\u{200B}", "\u{202E}", "%2e", "{tenant}", "$",
            "`", "*", "?", String(repeating: "x", count: 30), "a\"; DROP TABLE x; --", "İ", "K" /* Kelvin sign */,
        ]

        /// The rule, written out again independently: ASCII `[A-Za-z0-9][A-Za-z0-9_-]*`.
        static func isPlainName(_ name: String) -> Bool {
            let bytes = Array(name.utf8)
            func alphanumeric(_ byte: UInt8) -> Bool {
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            }
            guard let first = bytes.first, alphanumeric(first) else { return false }
            return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        }

        /// The longest name each fixture database takes: its template's other bytes count against 63.
        static let databases: [(DatabaseConfig, maximumBytes: Int)] = [
            (FleetFixtures.app, 255 - ".sqlite".utf8.count),
            (FleetFixtures.crm, 63 - "crm_".utf8.count),
            (FleetFixtures.accounts, 63 - "tenant_".utf8.count),
            (FleetFixtures.billing, 63 - "billing_".utf8.count),
        ]

        @Test func tenantNamesAreAcceptedExactlyWhenPlainAndShortEnough() async {
            await Fuzz.run("tenant-name", cases: 3000, generate: { random in
                (Mutator.text(from: Self.namePieces, length: 0...5, using: &random)
                    + (random.oneIn(6) ? String(repeating: "n", count: random.int(40...70)) : ""),
                 random.int(0...(Self.databases.count - 1)))
            }, describe: { "\(Self.databases[$0.1].0.name): \(Fuzz.show($0.0))" }, check: { name, index in
                let (database, maximumBytes) = Self.databases[index]
                let shouldAccept = Self.isPlainName(name) && name.utf8.count <= maximumBytes
                do {
                    try TenantName.validate(name, database: database)
                    return shouldAccept ? nil : "accepted"
                } catch let error as ShoalError {
                    if shouldAccept { return "rejected a good name: \(error)" }
                    if error.kind != .config { return "error of kind \(error.kind): \(error)" }
                    let namesTenant = name.isEmpty ? error.message.contains("empty") : error.message.contains("`\(name)`")
                    if !namesTenant || !error.message.contains(database.name) {
                        return "error does not name the tenant and the database: \(error)"
                    }
                    return nil
                } catch {
                    return "threw \(type(of: error)): \(error)"
                }
            })
        }

        @Test func tenantListsAreValidatedAsAWhole() async {
            let names = ["acme", "globex", "acme", "../x", "a b", "", "ok-1", String(repeating: "l", count: 60)]
            let shards: [String?] = [nil, "eu-1", "us-1", "eu1", "../s"]
            await Fuzz.run("tenant-list", generate: { random in
                ((0..<random.int(0...5)).map { _ in Tenant(name: random.pick(names), shard: random.pick(shards)) },
                 random.int(0...(Self.databases.count - 1)))
            }, describe: { "\(Self.databases[$0.1].0.name): \($0.0)" }, check: { tenants, index in
                let database = Self.databases[index].0
                let source = "the fuzz list"
                do {
                    let validated = try TenantRegistry.validate(tenants, database: database, source: source)
                    if Set(validated.map(\.name)).count != validated.count { return "accepted a duplicate: \(validated)" }
                    for tenant in validated {
                        if !Self.isPlainName(tenant.name) { return "accepted \(Fuzz.show(tenant.name))" }
                        if let shard = tenant.shard, database.shard(named: shard) == nil { return "accepted shard \(shard)" }
                        if tenant.shard == nil && !database.shards.isEmpty { return "\(tenant.name) has no shard" }
                    }
                    return nil
                } catch let error as ShoalError {
                    if error.kind != .config { return "error of kind \(error.kind): \(error)" }
                    return error.message.contains(source) ? nil : "error does not name the list: \(error)"
                } catch {
                    return "threw \(type(of: error)): \(error)"
                }
            })
        }

        // MARK: --partition

        @Test func partitionsParseOrNameTheArgument() async {
            let pieces = ["1", "2", "0", "7", "/", "//", "-", "+", " ", "99999999999999999999", "١", "K", "N", "3", "é", "\u{0}"]
            await Fuzz.run("partition", generate: { random in
                Mutator.text(from: pieces, length: 0...6, using: &random)
            }, describe: { Fuzz.show($0) }, check: { text in
                do {
                    let partition = try Partition(parsing: text)
                    // Written out again: two runs of ASCII digits around one `/` (leading zeros are fine).
                    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                          Int(parts[0]) == partition.index, Int(parts[1]) == partition.count,
                          (1...partition.count).contains(partition.index) else {
                        return "parsed as \(partition)"
                    }
                    return nil
                } catch let error as ShoalError {
                    if error.kind != .usage { return "error of kind \(error.kind): \(error)" }
                    return error.description.contains("`\(text)`") ? nil : "error does not quote the argument: \(error)"
                } catch {
                    return "threw \(type(of: error)): \(error)"
                }
            })
        }

        // MARK: Redactor

        /// A password shoal must never show. The two markers appear nowhere
        /// else in the generated text, so a leak of either half is caught.
        static func secret(_ random: inout SplitMix64, characters: [String]) -> String {
            "Qz7" + Mutator.text(from: characters, length: 0...8, using: &random) + "Xk8"
        }

        static let surroundings = ["", " ", "error: ", "\"", "'", "(", "cannot connect to ", "x", "1", "-", ".", "=", ":",
                                   "\n", "URI: \"", "é", "host=h ", "a://", "[", ","]
        static let endings = ["", " ", "\"", "'", ")", ": timeout", "\n", ",", ".", " and more", "\u{0}"]

        static func withSecret(_ random: inout SplitMix64) -> (text: String, secret: String) {
            let plain = ["a", "b", "Z", "0", "9", "_", "-", ".", "~", "!", "$", "*", "+", ",", ";", "(", ")", "%41"]
            let urlSpecial = ["@", "/", "?", "#", ":", "[", "]", "=", "&", "\"", "'"]
            let scheme = random.pick(["postgres", "postgresql", "POSTGRES", "mysql+tcp"])
            let user = random.pick(["u", "alice", "", "a%40b", "x.y"])
            let host = random.pick(["db", "db.internal:5432", "[::1]:5432", "[::1", "h1:5432,h2:5433", "", "no-such-host.invalid"])
            let rest = random.pick(["", "/app", "/app?sslmode=require", "?x=y", "/db#frag", "/a?application_name=x@y"])
            let form: (String) -> String
            let secret: String
            switch random.int(0...5) {
            case 0, 1:
                secret = Self.secret(&random, characters: plain + urlSpecial)
                form = { "\(scheme)://\(user):\($0)@\(host)\(rest)" }
            case 2:
                secret = Self.secret(&random, characters: plain + ["@", "/", "?", "#", "&", "'", "\""])
                let keyword = random.pick(["password=", "PASSWORD=", "password = ", "sslpassword="])
                form = { keyword + $0 }
            case 3:
                secret = Self.secret(&random, characters: plain + [" ", "\\\\", "\\'", "@", "="])
                form = { "password = '\($0)'" }
            case 4:
                // A query value ends at `&` only (libpq): `#` is part of it.
                secret = Self.secret(&random, characters: plain + ["#"])
                let parameter = random.pick(["password", "sslpassword"])
                form = { "\(scheme)://\(host)/db?user=u&\(parameter)=\($0)&sslmode=require" }
            default:
                secret = Self.secret(&random, characters: plain + urlSpecial)
                form = { "invalid URI: \"\(scheme)://\(user):\($0)@\(host)\"" }
            }
            return (random.pick(surroundings) + form(secret) + random.pick(endings), secret)
        }

        @Test func redactionHidesEveryPasswordItCanSee() async {
            await Fuzz.run("redact-secrets", cases: 4000, generate: Self.withSecret, describe: { Fuzz.show($0.text) }, check: { text, _ in
                // Errors are redacted when made and again when printed: both must hide the password.
                let redacted = Redactor.redact(text)
                let twice = Redactor.redact(redacted)
                for output in [redacted, twice] where output.contains("Qz7") || output.contains("Xk8") {
                    return "shows the password: \(Fuzz.show(output))"
                }
                return nil
            })
        }

        @Test func redactionLeavesTextWithoutPasswordsAlone() async {
            let pieces = ["host=db", " ", "user=bob", "postgres", ":", "/", "@", "db", "5432", "pass", "word", "=", "'", "\"",
                          "é", "\n", "FATAL:  ", "connection refused", "?", "#", "&", "[::1]", "x"]
            await Fuzz.run("redact-plain", generate: { random in
                Mutator.text(from: pieces, length: 0...20, using: &random)
            }, describe: { Fuzz.show($0) }, check: { text in
                let lower = text.lowercased()
                if lower.contains("://") || lower.contains("password") { return nil }
                let redacted = Redactor.redact(text)
                return redacted == text ? nil : "changed to \(Fuzz.show(redacted))"
            })
        }

        @Test func redactionOfBrokenTextNeitherCrashesNorHangs() async {
            let seeds = ["postgres://u:pw@h/db?password=x&y=z", "host=h password='a b' user=u", "password", "://", "a://b:c@d"]
            await Fuzz.run("redact-mutated", generate: { random in
                Mutator.mutate(random.pick(seeds), others: seeds, using: &random)
            }, describe: { Fuzz.show($0) }, check: { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                _ = Redactor.redact(Redactor.redact(text))
                return nil
            })
        }
    }
}
