import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// libpq's TLS parameters in a URL (SPEC §14), against the test server's
/// `ssl = on` and the throwaway CA `scripts/test` makes: `verify-full` works
/// by address and by name, a client certificate logs `shoal_cert` in (the
/// server admits it no other way), and a wrong CA, a host name the
/// certificate does not name, a missing root certificate or a missing
/// passphrase fail their targets with libpq's reason, the host and the file.
/// No passphrase ever shows, and shoal never waits for one on a terminal.
@Suite("TLS connections (SPEC §14)")
struct TLSTests {
    static let revision = "7150aaaa0001"

    /// One migration that keeps what the server says about the session that
    /// ran it: whether it was TLS, and the client certificate's name.
    static let recordSession = MigrationFile(
        revision: revision, message: "record the session",
        up: "CREATE TABLE session_tls AS SELECT ssl, version, client_dn FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid();",
        down: "DROP TABLE session_tls;").text

    /// A file of this run's CA directory (`scripts/lib/postgres.sh`).
    static func tls(_ file: String) throws -> String {
        try PostgresTestServer.tlsDirectory() + "/" + file
    }

    /// The passphrase of `client.key`.
    static func passphrase() throws -> String {
        try String(contentsOfFile: tls("client.passphrase"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `postgres://user@host:port/database?sslmode=verify-full&sslrootcert=<ca>` and `query`.
    static func url(_ database: String, host: String = "127.0.0.1", user: String = "postgres",
                    ca: String = "ca.crt", query: String = "") async throws -> String {
        let server = try await PostgresProbe.server()
        return "postgres://\(user)@\(host):\(server.port)/\(database)?sslmode=verify-full&sslrootcert=\(try tls(ca))" + query
    }

    /// The query that logs `shoal_cert` in with its certificate, and `passphrase` when given.
    static func clientCertificate(passphrase: String?) throws -> String {
        "&sslcert=\(try tls("client.crt"))&sslkey=\(try tls("client.key"))" + (passphrase.map { "&sslpassword=\($0)" } ?? "")
    }

    /// Makes `shoal_owner` own the scratch database at `url`, so that
    /// `shoal_cert`, a member, may create schemas and tables in it.
    static func letTheOwnerRoleMigrate(_ url: String) async throws {
        try await PostgresProbe.with(url) { session in
            try await session.execute("ALTER DATABASE \(session.quoteIdentifier(PostgresProbe.databaseName(url))) OWNER TO shoal_owner")
        }
    }

    /// A fleet of `app` (a schema per tenant) at `${APP_URL}` with ``recordSession``.
    static func appFleet(_ sandbox: Sandbox) throws {
        try sandbox.write("config.json", "{ \"databases\": { \"app\": { \(Fixture.postgresApp(url: "${APP_URL}")) } } }")
        try sandbox.write("tenants/app.json", "[\"acme\", \"globex\"]")
        try sandbox.write("versions/app/\(revision)_record_the_session.sql", recordSession)
    }

    /// What the session that ran the migration in `schema` was: `ssl|version|client_dn`.
    static func recordedSession(_ url: String, schema: String) async throws -> [[String?]] {
        try await PostgresProbe.query(url, "SELECT ssl::text, version, client_dn FROM \(schema).session_tls")
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func verifyFullWorksByAddressAndByName(_ host: String) async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            let url = try await Self.url(PostgresProbe.databaseName(scratch), host: host)
            let environment = ["APP_URL": url]

            let upgrade = try await sandbox.run(["upgrade", "--json"], environment: environment)
            #expect(upgrade.status == 0, "\(upgrade.stdout) \(upgrade.stderr)")
            #expect(try upgrade.targets().mapValues { $0["status"] as? String } == ["app/acme": "ok", "app/globex": "ok"])
            for tenant in ["acme", "globex"] {
                let session = try await Self.recordedSession(scratch, schema: "tenant_\(tenant)")
                #expect(session.first?.first == "true", "\(session)")
                #expect(session.first?[1]?.hasPrefix("TLSv") == true, "\(session)")
            }
            let status = try await sandbox.run(["status", "--json"], environment: environment)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(try status.targets().values.allSatisfy { $0["state"] as? String == "up-to-date" }, "\(status.stdout)")

            let downgrade = try await sandbox.run(["downgrade", "base", "--json"], environment: environment)
            #expect(downgrade.status == 0, "\(downgrade.stdout) \(downgrade.stderr)")
            #expect(try await PostgresProbe.query(scratch, "SELECT to_regclass('tenant_acme.session_tls') IS NULL") == [["t"]])
            let pending = try await sandbox.run(["status"], environment: environment)
            #expect(pending.stdout.contains("2 targets: 2 behind"), "\(pending.stdout)")
        }
    }

    @Test func aClientCertificateWithItsPassphraseLogsIn() async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            try await Self.letTheOwnerRoleMigrate(scratch)
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            let url = try await Self.url(PostgresProbe.databaseName(scratch), user: "shoal_cert",
                                         query: Self.clientCertificate(passphrase: Self.passphrase()))
            let upgrade = try await sandbox.run(["upgrade", "--json"], environment: ["APP_URL": url])
            #expect(upgrade.status == 0, "\(upgrade.stdout) \(upgrade.stderr)")
            let session = try await Self.recordedSession(scratch, schema: "tenant_acme")
            #expect(session.first?.first == "true")
            #expect(session.first?.last == "/CN=shoal_cert", "\(session)")
            #expect(try await PostgresProbe.query(scratch, "SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = 'session_tls' ORDER BY schemaname")
                    == [["shoal_cert"], ["shoal_cert"]])
        }
    }

    @Test(arguments: [nil, "not-the-passphrase"])
    func aKeyWithoutItsPassphraseFailsTheTarget(_ passphrase: String?) async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            let url = try await Self.url(PostgresProbe.databaseName(scratch), user: "shoal_cert",
                                         query: Self.clientCertificate(passphrase: passphrase))
            let upgrade = try await sandbox.run(["upgrade", "--json"], environment: ["APP_URL": url])
            #expect(upgrade.status == 1, "\(upgrade.stdout) \(upgrade.stderr)")
            for (id, target) in try upgrade.targets() {
                let message = (target["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(target["status"] as? String == "failed", "\(id)")
                #expect(message.contains("could not load private key file \"\(try Self.tls("client.key"))\""), "\(message)")
                #expect(message.contains("sslpassword"), "\(message)")
            }
            #expect(!upgrade.stdout.contains("not-the-passphrase") && !upgrade.stderr.contains("not-the-passphrase"))
        }
    }

    /// libpq without `sslpassword` lets OpenSSL ask for the passphrase on
    /// the controlling terminal: shoal, given one (`setsid --ctty` with a
    /// pseudo-terminal), must fail rather than wait there.
    @Test func aMissingPassphraseIsNeverAskedForOnTheTerminal() async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            let url = try await Self.url(PostgresProbe.databaseName(scratch), user: "shoal_cert",
                                         query: Self.clientCertificate(passphrase: nil))
            let terminal = try PseudoTerminal()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["--ctty", "--wait", Sandbox.binary, "upgrade", "--db", "app"]
            process.currentDirectoryURL = URL(fileURLWithPath: sandbox.root)
            process.environment = ProcessInfo.processInfo.environment.merging(["APP_URL": url, "NO_COLOR": "1"]) { $1 }
            process.standardInput = terminal.child
            let running = try sandbox.start(process)
            terminal.childStarted()
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            if process.isRunning {
                // Blocked inside libpq, shoal waits for the call to end before a SIGTERM stops it.
                let setsid = process.processIdentifier
                let children = (try? String(contentsOfFile: "/proc/\(setsid)/task/\(setsid)/children", encoding: .utf8)) ?? ""
                for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, SIGKILL) }
                Issue.record("shoal was still running after 60 s; the terminal shows: \(terminal.text)")
            }
            let result = try await running.finish()
            #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("could not load private key file"), "\(result.stdout)")
            #expect(!terminal.text.contains("pass phrase"), "\(terminal.text)")
        }
    }

    /// `core` (the client certificate, its passphrase in the URL) and shard
    /// eu-1 of `accounts` verify against the right CA; shard us-1 against a
    /// CA that signed nothing here. Every URL carries the passphrase, written
    /// in config.json as it is (so that `shoal serve` reads it too).
    static func withShardedFleet(_ body: (Sandbox, _ urls: [String]) async throws -> Void) async throws {
        try await PostgresProbe.withScratchDatabases(3) { urls in
            try await letTheOwnerRoleMigrate(urls[0])
            let sandbox = try Sandbox()
            let withPassphrase = "&sslpassword=\(try passphrase())"
            let core = try await url(PostgresProbe.databaseName(urls[0]), user: "shoal_cert", query: clientCertificate(passphrase: passphrase()))
            let eu = try await url(PostgresProbe.databaseName(urls[1]), query: withPassphrase)
            let us = try await url(PostgresProbe.databaseName(urls[2]), ca: "other-ca.crt", query: withPassphrase)
            try sandbox.write("config.json", """
            { "concurrency": 4, "databases": {
                "core": { "driver": "postgres", "url": \(Fixture.json(core)) },
                "accounts": { "driver": "postgres", "layout": "schema", "schema": "tenant_{tenant}", "tenants": "tenants/accounts.json",
                              "shards": { "eu-1": { "url": \(Fixture.json(eu)) }, "us-1": { "url": \(Fixture.json(us)) } } }
            } }
            """)
            try sandbox.write("tenants/accounts.json", """
            [{"name": "acme", "shard": "eu-1"}, {"name": "globex", "shard": "us-1"}, {"name": "initech", "shard": "us-1"}]
            """)
            for database in ["core", "accounts"] {
                try sandbox.write("versions/\(database)/\(revision)_record_the_session.sql", recordSession)
            }
            try await body(sandbox, urls)
        }
    }

    @Test func aWrongCAFailsThatShardAndTheOthersGoOn() async throws {
        try await Self.withShardedFleet { sandbox, urls in
            let upgrade = try await sandbox.shoal("upgrade", "--json")
            #expect(upgrade.status == 1, "\(upgrade.stdout) \(upgrade.stderr)")
            let targets = try upgrade.targets()
            #expect(targets.mapValues { $0["status"] as? String }
                    == ["core": "ok", "accounts/acme": "ok", "accounts/globex": "failed", "accounts/initech": "failed"])
            let port = try await PostgresProbe.server().port
            for id in ["accounts/globex", "accounts/initech"] {
                let message = (targets[id]?["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("connection to server at \"127.0.0.1\", port \(port) failed: SSL error: certificate verify failed"),
                        "\(message)")
                #expect(message.contains("sslrootcert=\(try Self.tls("other-ca.crt"))"), "\(message)")
                #expect(targets[id]?["shard"] as? String == "us-1")
            }
            #expect(try await Self.recordedSession(urls[0], schema: "public").first?.last == "/CN=shoal_cert")
            #expect(try await Self.recordedSession(urls[1], schema: "tenant_acme").first?.first == "true")

            let text = try await sandbox.shoal("status", "--shard", "us-1")
            #expect(text.stdout.contains("accounts/globex") && text.stdout.contains("certificate verify failed"), "\(text.stdout)")
        }
    }

    @Test func noOutputJournalPageOrServerShowsThePassphrase() async throws {
        try await Self.withShardedFleet { sandbox, _ in
            let passphrase = try Self.passphrase()
            var outputs: [String: String] = [:]
            for command in [["upgrade", "--html", "upgrade.html"], ["status", "--json", "--html", "status.html"],
                            ["downgrade", "base", "--json"], ["history"], ["verify", "--json"]] {
                let result = try await sandbox.run(command, environment: ["SHOAL_LOG_LEVEL": "trace"])
                #expect(!result.stdout.isEmpty, "\(command) printed nothing: \(result.stderr)")
                outputs["\(command) stdout"] = result.stdout
                outputs["\(command) stderr"] = result.stderr
            }
            let runs = try await sandbox.shoal("runs")
            outputs["runs"] = runs.stdout
            let newest = try #require(runs.stdout.split(separator: " ").first.map(String.init))
            outputs["runs show"] = try await sandbox.shoal("runs", "show", newest, "--json").stdout
            for page in ["upgrade.html", "status.html"] { outputs[page] = try sandbox.read(page) }
            for journal in try FileManager.default.contentsOfDirectory(atPath: sandbox.path(".shoal/runs")) {
                outputs[journal] = try sandbox.read(".shoal/runs/\(journal)")
            }
            let served = try await ServeCommandTests.Served.start(sandbox, "--listen", "127.0.0.1:0", "--interval", "30")
            for path in ["/", "/api/status", "/metrics"] {
                outputs["serve \(path)"] = try await served.get(path).body
            }
            let stopped = try await served.stop(SIGTERM)
            outputs["serve stdout"] = stopped.stdout
            outputs["serve stderr"] = stopped.stderr

            #expect(outputs["serve /api/status"]?.contains("certificate verify failed") == true, "\(outputs["serve /api/status"] ?? "")")
            #expect(outputs["[\"upgrade\", \"--html\", \"upgrade.html\"] stdout"]?.contains("sslpassword=***") == true)
            for (name, output) in outputs {
                #expect(!output.contains(passphrase), "\(name): \(output)")
            }
        }
    }

    @Test func aHostNameTheCertificateDoesNotNameFails() async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            // db.example.test does not resolve: hostaddr reaches the server, the name is what verify-full checks.
            let url = try await Self.url(PostgresProbe.databaseName(scratch), host: "db.example.test", query: "&hostaddr=127.0.0.1")
            let upgrade = try await sandbox.run(["upgrade"], environment: ["APP_URL": url])
            #expect(upgrade.status == 1)
            #expect(upgrade.stdout.contains("server certificate for \"localhost\" (and 1 other name) does not match host name \"db.example.test\""),
                    "\(upgrade.stdout)")
        }
    }

    @Test func aMissingRootCertificateIsNamed() async throws {
        try await PostgresTestServer.withScratchDatabase { scratch in
            let sandbox = try Sandbox()
            try Self.appFleet(sandbox)
            let url = try await Self.url(PostgresProbe.databaseName(scratch), ca: "no-such-ca.crt")
            let upgrade = try await sandbox.run(["upgrade"], environment: ["APP_URL": url])
            #expect(upgrade.status == 1)
            #expect(upgrade.stdout.contains("root certificate file \"\(try Self.tls("no-such-ca.crt"))\" does not exist"), "\(upgrade.stdout)")
        }
    }
}
