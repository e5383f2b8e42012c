import ArgumentParser
import Foundation
import Logging
import ShoalKit

/// The `shoal` command line: a thin layer over ShoalKit.
@main
struct Shoal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal",
        abstract: "Migrate a fleet of databases: every tenant, shard and replica, in one command.",
        discussion: """
        Reads config.json (--config, then SHOAL_CONFIG, then ./config.json) and the
        migrations under versions/<database>/. Exit codes: 0 all went well; 1 a target
        failed or a check found a problem; 2 the command could not start and nothing
        was touched.
        """,
        version: shoalVersion,
        subcommands: [
            InitCommand.self, RevisionCommand.self, MergeCommand.self, CheckCommand.self,
            RevisionsCommand.self, HeadsCommand.self, StatusCommand.self, DriftCommand.self, UpgradeCommand.self,
            DowngradeCommand.self, StampCommand.self, HistoryCommand.self, SQLCommand.self,
            VerifyCommand.self, TenantsCommand.self, LintCommand.self, RoundTripCommand.self, RunsCommand.self, RollbackCommand.self,
            ServeCommand.self,
        ]
    )

    /// Parses, runs, and maps every failure to shoal's exit codes: usage
    /// errors (64 in swift-argument-parser) become 2, like config errors.
    static func main() async {
        FleetProcess.prepare()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            let level = ProcessInfo.processInfo.environment["SHOAL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            handler.logLevel = level ?? .warning
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ShoalError {
            Console.error(error)
            exit(status: error.preventsStart ? 2 : 1)
        } catch let error as ExitCode {
            exit(status: error.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                _ = FleetProcess.quiesce(waitingAtMost: exitWait)
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(status: code == .validationFailure ? 2 : code.rawValue)
        }
        exit(status: 0)
    }

    /// How long an exit waits for calls still inside libpq.
    static let exitWait = Duration.seconds(5)

    /// The one way out of the process: once no thread is inside libpq.
    ///
    /// The commands await their own sessions and connection attempts; what
    /// may still run is a cancel request or the closing of a session on
    /// another thread. Exiting under them can abort the process: `exit`
    /// runs libraries' destructors (krb5's, linked by libpq) while another
    /// thread is inside them. If a call does not return within
    /// ``exitWait``, the process leaves with `_exit`, which runs none.
    static func exit(status: Int32) -> Never {
        if FleetProcess.quiesce(waitingAtMost: exitWait) {
            Foundation.exit(status)
        }
        fflush(nil)
        _exit(status)
    }
}
