/// The process-wide settings of a process that runs fleets, and its way
/// out: the drivers' concerns that outlive any one run, so that the shoal
/// CLI reaches them without knowing a driver.
public enum FleetProcess {
    /// Switches off sqlite3's memory statistics for the whole process
    /// (``SQLiteSession/disableMemoryStatistics()``): with them on, every
    /// allocation of every connection takes one process-wide mutex. Call it
    /// before the first SQLite database opens; the shoal CLI does at start,
    /// ShoalKit never does by itself. False when that is too late and
    /// nothing changed.
    @discardableResult
    public static func prepare() -> Bool {
        SQLiteSession.disableMemoryStatistics()
    }

    /// For a process about to exit: lets no new call into libpq start, and
    /// waits at most `timeout` for the ones inside to return (exiting under
    /// them can abort the process; see ``LibPQActivity``). False when one
    /// still runs: leave with `_exit`, which runs no library destructor.
    package static func quiesce(waitingAtMost timeout: Duration) -> Bool {
        LibPQActivity.shared.quiesce(waitingAtMost: timeout)
    }
}
