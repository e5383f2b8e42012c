/// What a target's version tables say, read at the start of a run.
public struct VersionState: Sendable, Hashable {
    /// false when the version table does not exist yet (uninitialized target).
    public var initialized: Bool
    /// Rows of the version table: the revisions the target is at (sorted).
    public var current: [String]
    /// Checksum recorded by the latest `upgrade` (or `stamp`) history row of
    /// each revision, for revisions whose latest history row is not a downgrade.
    public var appliedChecksums: [String: String]
    /// Set while a `transaction: false` migration is in flight or was interrupted.
    public var dirty: DirtyMark?
    /// true when the history table exists without the `run_id` column
    /// (created by a shoal before run ids, SPEC §11): the run that first
    /// writes to the target adds it under the lock. Known from reads that
    /// look the tables up: on PostgreSQL every read, on SQLite a session's
    /// (a run's read under the lock) but not the file reader's of an
    /// initialized file (`status`, planning); false when not known.
    public var historyLacksRunID: Bool

    public init(initialized: Bool, current: [String], appliedChecksums: [String: String] = [:], dirty: DirtyMark? = nil,
                historyLacksRunID: Bool = false) {
        self.initialized = initialized
        self.current = current
        self.appliedChecksums = appliedChecksums
        self.dirty = dirty
        self.historyLacksRunID = historyLacksRunID
    }

    public static let uninitialized = VersionState(initialized: false, current: [])
}

/// The mark a `transaction: false` migration leaves until it succeeds.
public struct DirtyMark: Sendable, Hashable {
    public var revision: String
    public var operation: Operation
    public var startedAt: String
    /// True when a live shoal run holds the target's migrator lock: the
    /// migration is running now, it did not crash (`status`: `in-progress`).
    /// Set only by reads made without the lock (status, the planning pass).
    public var inProgress: Bool
    public init(revision: String, operation: Operation, startedAt: String, inProgress: Bool = false) {
        self.revision = revision
        self.operation = operation
        self.startedAt = startedAt
        self.inProgress = inProgress
    }

    /// The same mark, whoever holds the lock now: written by the same
    /// migration start.
    public func isSameMark(as other: DirtyMark) -> Bool {
        revision == other.revision && operation == other.operation && startedAt == other.startedAt
    }
}

/// One row of `<version_table>_history`.
public struct HistoryEntry: Sendable, Hashable {
    public var id: Int
    public var revision: String
    public var operation: Operation
    public var checksum: String?
    /// UTC, ISO 8601.
    public var appliedAt: String
    public var durationMs: Int
    public var appliedBy: String
    public var shoalVersion: String
    /// The run that wrote the row (SPEC §11); nil for a row written outside
    /// a run or before run ids.
    public var runID: String?
    public init(id: Int, revision: String, operation: Operation, checksum: String?, appliedAt: String,
                durationMs: Int, appliedBy: String, shoalVersion: String, runID: String? = nil) {
        self.id = id
        self.revision = revision
        self.operation = operation
        self.checksum = checksum
        self.appliedAt = appliedAt
        self.durationMs = durationMs
        self.appliedBy = appliedBy
        self.shoalVersion = shoalVersion
        self.runID = runID
    }
}

/// Who and what applies a step: recorded in history rows.
public struct ApplyContext: Sendable, Hashable {
    /// `user@host`.
    public var appliedBy: String
    public var shoalVersion: String
    /// The id of the run that writes the history rows (SPEC §11), nil
    /// outside a run. ``FleetRunner`` sets it for each run it executes;
    /// an app that sets a valid run id here (`YYYYMMDDTHHMMSSZ-xxxx`) gets
    /// its runs recorded under that id instead of a new one.
    public var runID: String?
    public init(appliedBy: String, shoalVersion: String, runID: String? = nil) {
        self.appliedBy = appliedBy
        self.shoalVersion = shoalVersion
        self.runID = runID
    }
}
