import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One `PGconn`, owned: finished exactly once, by ``finish()`` or `deinit`.
///
/// Every method blocks the calling thread, so only ``PostgresSession`` calls
/// them, on its own ``BlockingExecutor``, and inside
/// ``LibPQActivity/tracking(_:)`` (connecting and finishing track
/// themselves). Nothing outside the driver sees the pointer.
final class PostgresConnection {
    private let handle: OpaquePointer
    private var isOpen = true
    /// Cancels the running statement from another thread.
    let canceller: PostgresCanceller?

    /// Connects with `PQconnectdbParams` and `expand_dbname = 1`, so the
    /// `dbname` value may be a whole URL or conninfo. Later keywords override
    /// what that string sets, earlier ones are overridden by it.
    ///
    /// The connection attempt counts as a call inside libpq
    /// (``LibPQActivity``): a process exits only once it is over.
    init(parameters: [(keyword: String, value: String)], conninfoForMessages: String) throws {
        _ = Self.neverPromptForPassphrases
        let connection = try LibPQActivity.shared.tracking { () throws -> OpaquePointer in
            let connection = withCStrings(parameters.map(\.keyword) + [nil]) { keywords in
                withCStrings(parameters.map(\.value) + [nil]) { values in
                    PQconnectdbParams(keywords, values, 1)
                }
            }
            guard let connection else {
                throw PostgresError.connectionFailed(
                    conninfo: conninfoForMessages, libpqMessage: "out of memory", password: nil)
            }
            guard PQstatus(connection) == CONNECTION_OK else {
                let error = PostgresError.connectionFailed(
                    conninfo: conninfoForMessages,
                    libpqMessage: String(cString: PQerrorMessage(connection)),
                    password: PQpass(connection).map { String(cString: $0) },
                    user: PQuser(connection).map { String(cString: $0) })
                PQfinish(connection)
                throw error
            }
            return connection
        }
        // libpq prints NOTICEs and WARNINGs on stderr by default; shoal's
        // stderr is for its own progress and logs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        canceller = PostgresCanceller(connection: connection)
    }

    /// Installed once, before the first connection: libpq's own passphrase
    /// hook for client keys. Without a hook and without `sslpassword`, libpq
    /// lets OpenSSL ask for an encrypted key's passphrase on the terminal,
    /// which would stop an unattended run; libpq's hook answers with
    /// `sslpassword`, or with nothing, and the key then fails to load at once.
    /// A hook the embedding program set itself is left in place.
    private static let neverPromptForPassphrases: Void = {
        if PQgetSSLKeyPassHook_OpenSSL() == nil {
            PQsetSSLKeyPassHook_OpenSSL { buffer, size, connection in
                PQdefaultSSLKeyPassHook_OpenSSL(buffer, size, connection)
            }
        }
    }()

    deinit {
        if isOpen { LibPQActivity.shared.tracking { PQfinish(handle) } }
    }

    /// Closes the connection; later calls throw ``PostgresError/closed``.
    /// Not to be called inside ``LibPQActivity/tracking(_:)``: it tracks itself.
    func finish() {
        guard isOpen else { return }
        isOpen = false
        LibPQActivity.shared.tracking { PQfinish(handle) }
    }

    /// `PQuser`: the login role; empty once finished.
    var user: String {
        isOpen ? PQuser(handle).map { String(cString: $0) } ?? "" : ""
    }

    /// `PQserverVersion`: 150004 for 15.4; 0 once finished.
    var serverVersion: Int {
        isOpen ? Int(PQserverVersion(handle)) : 0
    }

    /// Runs a script of one or more statements with the simple query protocol
    /// (`PQsendQuery`), reading every statement's result. Throws the first
    /// error, after the connection is idle again.
    @discardableResult
    func execute(_ sql: String, cancellable: Bool) throws -> [PostgresResult] {
        try send(sql)
        return try collectResults(cancellable: cancellable, statement: sql)
    }

    /// Sends a script over the simple query protocol without waiting for
    /// it; ``collectResults(cancellable:statement:)`` reads its results.
    /// Nothing else may be sent until then.
    func send(_ sql: String) throws {
        try checkUsable(sql)
        guard PQsendQuery(handle, sql) == 1 else {
            throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "sending the statement")
        }
    }

    /// Runs one statement with text parameters (`PQsendQueryParams`,
    /// `$1`…`$n`, nil as NULL) and returns its result.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?], cancellable: Bool) throws -> PostgresResult {
        try checkUsable(sql)
        for (index, parameter) in parameters.enumerated() where parameter?.utf8.contains(0) == true {
            throw ShoalError(.database, "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold")
        }
        let sent = withCStrings(parameters) { values in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else {
            throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "sending the statement")
        }
        guard let result = try collectResults(cancellable: cancellable, statement: sql).last else {
            throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "reading the result")
        }
        return result
    }

    /// Sends `statements` (each with text parameters, extended protocol) in
    /// libpq's pipeline mode with one sync at the end: one round trip for
    /// all. Returns their results in order. The first error is thrown once
    /// the connection is idle again; the server skips the statements after
    /// it (inside a transaction, the transaction is then aborted).
    @discardableResult
    func pipeline(_ statements: [BoundStatement], cancellable: Bool) throws -> [PostgresResult] {
        for statement in statements { try checkUsable(statement.sql) }
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "entering pipeline mode")
        }
        defer { PQexitPipelineMode(handle) }
        for statement in statements {
            let sent = withCStrings(statement.parameters) { values in
                PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else {
                throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "sending the statement")
            }
        }
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresError.connectionLost(String(cString: PQerrorMessage(handle)), while: "sending the statements")
        }
        // Each statement's results end with a NULL from PQgetResult; after
        // the last one comes the sync. More NULLs than that: the connection broke.
        var results: [PostgresResult] = []
        var firstError: ShoalError?
        var ends = 0
        while true {
            waitUntilReadable(cancellable: cancellable)
            guard let pointer = PQgetResult(handle) else {
                ends += 1
                if ends > statements.count || PQstatus(handle) == CONNECTION_BAD {
                    throw firstError ?? PostgresError.connectionLost(String(cString: PQerrorMessage(handle)),
                                                                     while: "reading the results")
                }
                continue
            }
            let result = PostgresResult(pointer)
            if result.status == PGRES_PIPELINE_SYNC { break }
            if result.status == PGRES_PIPELINE_ABORTED { continue }
            if result.isError, firstError == nil {
                firstError = result.error(statement: results.count < statements.count ? statements[results.count].sql : nil)
            }
            results.append(result)
        }
        if let firstError { throw firstError }
        return results
    }

    private func checkUsable(_ sql: String) throws {
        guard isOpen else { throw PostgresError.closed }
        if sql.utf8.contains(0) {
            throw ShoalError(.database, "the SQL contains a NUL byte, which PostgreSQL cannot read")
        }
    }

    /// Reads results until libpq returns NULL (the connection is idle), so
    /// no statement's error goes unseen. Throws the first error, naming
    /// `statement` (the SQL sent) as the failure's.
    func collectResults(cancellable: Bool, statement: String?) throws -> [PostgresResult] {
        var results: [PostgresResult] = []
        var firstError: ShoalError?
        while true {
            waitUntilReadable(cancellable: cancellable)
            guard let pointer = PQgetResult(handle) else { break }
            let result = PostgresResult(pointer)
            switch result.status {
            case PGRES_COPY_IN:
                // Migrations cannot feed COPY FROM STDIN; end it with an error
                // so the server rolls it back and the connection stays usable.
                _ = PQputCopyEnd(handle, "shoal does not support COPY FROM STDIN in migrations")
            case PGRES_COPY_OUT:
                drainCopyOut()
            default:
                if result.isError, firstError == nil { firstError = result.error(statement: statement) }
                results.append(result)
            }
        }
        if let firstError { throw firstError }
        return results
    }

    /// Discards a COPY TO STDOUT's rows.
    private func drainCopyOut() {
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(handle, &buffer, 0) >= 0 {
            if let buffer { PQfreemem(buffer) }
            buffer = nil
        }
    }

    /// Waits, polling the socket, until `PQgetResult` will not block. While
    /// the task is cancelled, cancel requests are repeated every second: the
    /// first one (sent by the session's cancellation handler) can arrive
    /// before the server has started the statement and then does nothing.
    private func waitUntilReadable(cancellable: Bool) {
        let clock = ContinuousClock()
        var lastCancel: ContinuousClock.Instant?
        while PQisBusy(handle) == 1 {
            if cancellable, Task.isCancelled {
                if let last = lastCancel {
                    if clock.now - last >= .seconds(1) {
                        canceller?.cancel()
                        lastCancel = clock.now
                    }
                } else {
                    lastCancel = clock.now
                }
            }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 100) < 0, errno != EINTR { return }
            // On failure the connection is marked bad and PQgetResult reports it.
            if PQconsumeInput(handle) == 0 { return }
        }
    }
}

/// Calls `body` with C strings for `strings` (nil stays NULL), all kept alive
/// in one buffer for the duration of the call.
func withCStrings<Result>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> Result) rethrows -> Result {
    var buffer: [CChar] = []
    var offsets: [Int?] = []
    for string in strings {
        guard let string else {
            offsets.append(nil)
            continue
        }
        offsets.append(buffer.count)
        buffer.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
        buffer.append(0)
    }
    return try buffer.withUnsafeBufferPointer { storage in
        try body(offsets.map { offset in offset.map { storage.baseAddress! + $0 } })
    }
}
