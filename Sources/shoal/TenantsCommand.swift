import ArgumentParser
import Foundation
import ShoalKit

struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants",
        abstract: "List, add or remove tenants of a multi-tenant database.",
        subcommands: [List.self, Add.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants of a database.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?

        func run() async throws {
            let fleet = try global.loadFleet()
            let db = try fleet.database(database)
            guard db.isMultiTenant else { throw ShoalError(.usage, "\(db.name) has no tenants") }
            let tenants = try await fleet.tenants(of: db)
            if global.json {
                struct Row: Encodable { var name: String; var shard: String? }
                struct Document: Encodable { var database: String; var tenants: [Row] }
                try Console.json(Document(database: db.name, tenants: tenants.map { Row(name: $0.name, shard: $0.shard) }))
            } else {
                for tenant in tenants { Console.line(tenant.name + (tenant.shard.map { "  (\($0))" } ?? ""), json: false) }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a tenant, create its storage and bring it to head.")
        @Argument(help: "Tenant name: letters, digits, _ and -.") var name: String
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
        @Option(name: .long, help: "Shard (default: the one with the fewest tenants).") var shard: String?
        @Option(name: .customLong("replica-timeout"),
                help: "Seconds to wait for each replica to replay the new database's creation, then the migrations.")
        var replicaTimeout: Double = 60
        @Option(name: .long, help: "expand: stop before the first contract migration, as the rest of the fleet mid-change.")
        var phase: String?

        func validate() throws {
            if replicaTimeout < 0 { throw ValidationError("--replica-timeout must be 0 or more") }
            _ = try PhaseArgument.parse(phase)
        }

        func run() async throws {
            let fleet = try global.loadFleet()
            let database = try fleet.database(database)
            // The migrations it will run are read before the tenant is created
            // or registered: a broken file is exit 2 with nothing touched.
            _ = try fleet.graph(for: database)
            let admin = try TenantAdministrator(fleet: fleet, database: database)
            let timeout = Duration.milliseconds(Int(replicaTimeout * 1000))
            let target = try await admin.add(name, shard: shard, replicaTimeout: timeout)
            Console.line("added \(name) to \(try admin.registryPath())", json: global.json)
            var options = FleetRunner.Options(concurrency: 1, replicaTimeout: timeout)
            options.arguments = Array(CommandLine.arguments.dropFirst())
            options.selector = TargetSelector(targets: [target.id])
            let report = try await FanOut.run(.upgrade(.head, phase: PhaseArgument.parse(phase)), fleet: fleet, targets: [target], options: options, json: global.json)
            if !report.succeeded { throw ExitCode(1) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unregister a tenant; with --drop, also delete its data.")
        @Argument(help: "Tenant name.") var name: String
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
        @Flag(name: .long, help: "Also delete the tenant's file, schema or database (asks first on a terminal).") var drop = false
        @Flag(name: .long, help: "With --drop: drop without asking (required when stdin is not a terminal).") var yes = false

        func run() async throws {
            let fleet = try global.loadFleet()
            let db = try fleet.database(database)
            let admin = try TenantAdministrator(fleet: fleet, database: db)
            if drop && !yes {
                try confirmDrop(admin.storage(of: name), target: "\(db.name)/\(name)")
            }
            let done = try await admin.remove(name, drop: drop)
            if global.json {
                try Console.json(["removed": name, "result": done])
            } else {
                Console.line(done, json: false)
            }
        }

        /// Asks on the terminal before `what` is dropped; without a terminal
        /// to ask on, refuses (exit 2) unless `--yes` was given. Nothing is
        /// changed before the answer.
        private func confirmDrop(_ what: String, target: String) throws {
            guard isatty(STDIN_FILENO) == 1 else {
                throw ShoalError(.usage, "tenants remove \(name) --drop would drop \(what) (all the data of tenant \(target)) "
                    + "and stdin is not a terminal to confirm it: pass --yes to drop it. Nothing was changed.")
            }
            Console.write("Drop \(what) (all the data of tenant \(target))? This cannot be undone. [y/N] ", toStderr: true)
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                throw ShoalError(.usage, "kept tenant \(target) and its \(what): the answer was not yes. Nothing was changed.")
            }
        }
    }
}
