import ArgumentParser
import Foundation
import ShoalKit

/// `--retry-failed ID` on `upgrade` and `downgrade` (SPEC §11).
struct RetryOption: ParsableArguments {
    @Option(name: .customLong("retry-failed"),
            help: "Run again on the targets run ID reported failed, skipped or replica-lag, or never reported (`shoal runs`).")
    var retryFailed: String?

    /// The recorded run `id`, which must have run `command`.
    static func run(_ id: String, of command: String, in fleet: Fleet) throws -> RecordedRun {
        let recorded = try RunsCommand.log(fleet).run(id)
        guard recorded.header.command == command else {
            let how = ["upgrade", "downgrade"].contains(recorded.header.command)
                ? "retry it with `shoal \(recorded.header.command) --retry-failed \(recorded.id)`"
                : "--retry-failed retries upgrades and downgrades; run `shoal \(recorded.header.command)` again to finish it"
            throw ShoalError(.usage, "run \(recorded.id) ran `\(recorded.header.command)`, not `\(command)`: " + how)
        }
        return recorded
    }
}

/// `shoal rollback ID` (SPEC §11): compensation, from the journal alone.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Return every target run ID changed to where that run found it.",
        discussion: """
        By downgrade for an upgrade run, by upgrade for a downgrade run, by stamp for a stamp. Targets already back are \
        up-to-date; a target a later run moved elsewhere is refused (failed, naming that run) unless --force. Refused \
        before anything runs when a needed down section is missing. Running it twice changes nothing the second time.
        """)

    @Argument(help: "The run to undo: its id, or a unique prefix (`shoal runs`).") var id: String
    @Flag(name: .long, help: "Also return targets a later run moved elsewhere.") var force = false
    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: SelectorOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var transaction: TransactionOption
    @OptionGroup var html: HTMLOption

    func run() async throws {
        try html.checkWritable()
        let fleet = try global.loadFleet()
        let recorded = try RunsCommand.log(fleet).run(id)
        let compensation = try recorded.compensation(force: force)
        try await FanOut.run(.rollback(compensation), fleet: fleet, selection: selection, fanOut: fanOut,
                             json: global.json, only: Set(compensation.moves.keys), transaction: transaction, html: html)
    }
}
