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

        func validate() throws {
            if replicaTimeout < 0 { throw ValidationError("--replica-timeout must be 0 or more") }
        }

        func run() async throws {
            let fleet = try global.loadFleet()
            let admin = try TenantAdministrator(fleet: fleet, database: try fleet.database(database))
            let timeout = Duration.milliseconds(Int(replicaTimeout * 1000))
            let target = try await admin.add(name, shard: shard, replicaTimeout: timeout)
            Console.line("added \(name) to \(try admin.registryPath())", json: global.json)
            let options = FleetRunner.Options(concurrency: 1, replicaTimeout: timeout)
            let report = try await FanOut.run(.upgrade(.head), fleet: fleet, targets: [target], options: options, json: global.json)
            if !report.succeeded { throw ExitCode(1) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unregister a tenant; with --drop, also delete its data.")
        @Argument(help: "Tenant name.") var name: String
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("db"), help: "Database (optional when the config has one).") var database: String?
        @Flag(name: .long, help: "Also delete the tenant's file, schema or database.") var drop = false

        func run() async throws {
            let fleet = try global.loadFleet()
            let admin = try TenantAdministrator(fleet: fleet, database: try fleet.database(database))
            let done = try await admin.remove(name, drop: drop)
            if global.json {
                try Console.json(["removed": name, "result": done])
            } else {
                Console.line(done, json: false)
            }
        }
    }
}
