import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Debian's `chromium`, headless, driven over the Chrome DevTools Protocol
/// on a pipe (`--remote-debugging-pipe`: fd 3 is its input, fd 4 its
/// output, each message a JSON object ended by a NUL byte), for tests that
/// check what a page really renders.
///
/// The browser runs in a process group of its own; ``close()`` (also run
/// by `deinit`) kills the whole group, so no renderer outlives a test.
/// Foundation's `Process` cannot map fds 3 and 4, hence `posix_spawn`.
package final class HeadlessBrowser: @unchecked Sendable {
    /// Thrown when chromium cannot be started, or stops answering.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The executable: `SHOAL_TEST_CHROMIUM`, else `chromium` on PATH.
    package static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["SHOAL_TEST_CHROMIUM"], !path.isEmpty { return path }
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when the run must not skip the browser tests (`scripts/test`
    /// sets `SHOAL_TEST_REQUIRE_BROWSER=1`).
    package static var isRequired: Bool { ProcessInfo.processInfo.environment["SHOAL_TEST_REQUIRE_BROWSER"] == "1" }

    /// Whether browser tests run: chromium is there, or it is required (and
    /// its absence then fails them).
    package static var shouldRun: Bool { isRequired || executable != nil }

    private let pid: pid_t
    private let input: Int32
    private let output: Int32
    private let profile: TemporaryDirectory
    private let lock = NSLock()
    private var nextID = 1
    private var waiting: [Int: CheckedContinuation<Data, Error>] = [:]
    private var pages: [String: BrowserPage] = [:]
    private var closed = false
    private var ended: String?

    /// Starts chromium; throws when it is missing or does not start.
    package init() throws {
        guard let executable = Self.executable else {
            throw Failure(description: "chromium is not installed: scripts/test installs it (apt-get install chromium), or set SHOAL_TEST_CHROMIUM")
        }
        profile = try TemporaryDirectory()
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Not inherited by anything else this process starts; dup2 clears the flag on fds 3 and 4.
        for descriptor in toBrowser + fromBrowser { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, profile.file("chromium.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own: close() kills chromium and every child it started.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                         "--user-data-dir=\(profile.path)", "--no-first-run", "--no-default-browser-check",
                         "--disable-extensions", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--mute-audio", "--hide-scrollbars", "about:blank"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, &argv, environ)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        guard spawned == 0 else {
            Glibc.close(toBrowser[1])
            Glibc.close(fromBrowser[0])
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        pid = child
        input = toBrowser[1]
        output = fromBrowser[0]
        let thread = Thread { [weak self, output] in HeadlessBrowser.read(from: output) { self?.received($0) } }
        thread.name = "chromium-devtools"
        thread.start()
    }

    deinit { close() }

    /// The process group chromium and its children run in (its pid).
    package var processGroup: pid_t { pid }

    /// Ends chromium and every process it started, and waits for it.
    package func close() {
        let already = lock.withLock { () -> Bool in
            defer { closed = true }
            return closed
        }
        if already { return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        Glibc.close(input)
        // The reader sees the end of its pipe and stops; it closes `output`.
        finish("chromium was closed")
    }

    /// Opens a new tab and attaches to it, with the page, runtime and log
    /// domains enabled so that its errors are collected from the start.
    package func openPage(width: Int = 1200, height: Int = 800) async throws -> BrowserPage {
        let created = try await send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = (created["result"] as? [String: Any])?["targetId"] as? String else {
            throw Failure(description: "Target.createTarget answered \(created)")
        }
        let attached = try await send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let sessionID = (attached["result"] as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "Target.attachToTarget answered \(attached)")
        }
        let page = BrowserPage(browser: self, session: sessionID)
        lock.withLock { pages[sessionID] = page }
        for domain in ["Page.enable", "Runtime.enable", "Log.enable", "Network.enable"] {
            _ = try await page.send(domain)
        }
        _ = try await page.send("Emulation.setDeviceMetricsOverride",
                                ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false])
        return page
    }

    /// Sends one command (to a page's session when `session` is set) and
    /// returns the whole answer; an `error` answer is thrown.
    func send(_ method: String, _ parameters: [String: Any] = [:], session: String? = nil) async throws -> [String: Any] {
        let answer = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, Error>) in
            var message: [String: Any] = ["method": method, "params": parameters]
            if let session { message["sessionId"] = session }
            let failure = lock.withLock { () -> String? in
                if let ended { return ended }
                message["id"] = nextID
                waiting[nextID] = continuation
                nextID += 1
                return nil
            }
            if let failure { return continuation.resume(throwing: Failure(description: "\(method): \(failure)")) }
            do {
                var bytes = try JSONSerialization.data(withJSONObject: message)
                bytes.append(0)
                try write(bytes)
            } catch {
                finish("cannot write to chromium: \(error)")
            }
        }
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        if let error = object["error"] as? [String: Any] {
            throw Failure(description: "\(method) failed: \(error["message"] ?? error)")
        }
        return object
    }

    private func write(_ bytes: Data) throws {
        try lock.withLock {
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(input, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Failure(description: String(cString: strerror(errno)))
                    }
                    offset += written
                }
            }
        }
    }

    /// Fails every command still waiting, and any sent later.
    private func finish(_ reason: String) {
        let pending = lock.withLock { () -> [CheckedContinuation<Data, Error>] in
            if ended == nil { ended = reason }
            defer { waiting.removeAll() }
            return Array(waiting.values)
        }
        pending.forEach { $0.resume(throwing: Failure(description: reason)) }
    }

    /// One message from chromium: an answer to a command, or an event.
    private func received(_ message: Data?) {
        guard let message else { return finish("chromium closed its DevTools pipe (log: \(profile.file("chromium.log")))") }
        guard let object = try? JSONSerialization.jsonObject(with: message) as? [String: Any] else { return }
        if let id = object["id"] as? Int {
            let continuation = lock.withLock { waiting.removeValue(forKey: id) }
            continuation?.resume(returning: message)
        } else if let session = object["sessionId"] as? String, let method = object["method"] as? String {
            let page = lock.withLock { pages[session] }
            page?.handle(method, object["params"] as? [String: Any] ?? [:])
        }
    }

    /// Reads NUL-ended messages from `descriptor` until its end, then hands nil.
    private static func read(from descriptor: Int32, _ deliver: (Data?) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pending = Data()
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0) {
                deliver(pending[pending.startIndex..<end])
                pending = pending[(end + 1)...]
            }
            pending = Data(pending)
        }
        Glibc.close(descriptor)
        deliver(nil)
    }
}

/// One tab of a ``HeadlessBrowser``: navigate, evaluate, type, click, and
/// what went wrong on it (console errors, uncaught exceptions, error log
/// entries, dialogs such as `alert`, network requests).
package final class BrowserPage: @unchecked Sendable {
    private weak var browser: HeadlessBrowser?
    private let session: String
    private let lock = NSLock()
    private var collectedErrors: [String] = []
    private var collectedDialogs: [String] = []
    private var collectedRequests: [String] = []

    init(browser: HeadlessBrowser, session: String) {
        self.browser = browser
        self.session = session
    }

    /// Console errors, uncaught exceptions and error log entries (a blocked
    /// request, a Content-Security-Policy violation) since the page opened.
    package var errors: [String] { lock.withLock { collectedErrors } }
    /// Messages of the JavaScript dialogs (`alert`, `confirm`) the page opened; each was dismissed.
    package var dialogs: [String] { lock.withLock { collectedDialogs } }
    /// URLs of the requests the page sent (not `data:` ones).
    package var requests: [String] { lock.withLock { collectedRequests } }

    func send(_ method: String, _ parameters: [String: Any] = [:]) async throws -> [String: Any] {
        guard let browser else { throw HeadlessBrowser.Failure(description: "the browser is closed") }
        return try await browser.send(method, parameters, session: session)
    }

    func handle(_ method: String, _ parameters: [String: Any]) {
        switch method {
        case "Runtime.consoleAPICalled" where parameters["type"] as? String == "error":
            let arguments = parameters["args"] as? [[String: Any]] ?? []
            let text = arguments.map { "\($0["value"] ?? $0["description"] ?? "")" }.joined(separator: " ")
            lock.withLock { collectedErrors.append("console.error: \(text)") }
        case "Runtime.exceptionThrown":
            let details = parameters["exceptionDetails"] as? [String: Any] ?? [:]
            let exception = (details["exception"] as? [String: Any])?["description"] as? String
            lock.withLock { collectedErrors.append("exception: \(exception ?? details["text"] as? String ?? "\(details)")") }
        case "Log.entryAdded":
            let entry = parameters["entry"] as? [String: Any] ?? [:]
            if entry["level"] as? String == "error" {
                lock.withLock { collectedErrors.append("log: \(entry["text"] ?? "")") }
            }
        case "Page.javascriptDialogOpening":
            lock.withLock { collectedDialogs.append(parameters["message"] as? String ?? "") }
            Task { _ = try? await self.send("Page.handleJavaScriptDialog", ["accept": false]) }
        case "Network.requestWillBeSent":
            let url = (parameters["request"] as? [String: Any])?["url"] as? String ?? ""
            if !url.hasPrefix("data:") { lock.withLock { collectedRequests.append(url) } }
        default:
            break
        }
    }

    /// Loads `url` and waits until its document has loaded.
    package func navigate(to url: URL, timeout: Duration = .seconds(30)) async throws {
        let answer = try await send("Page.navigate", ["url": url.absoluteString])
        if let failure = (answer["result"] as? [String: Any])?["errorText"] as? String {
            throw HeadlessBrowser.Failure(description: "cannot load \(url): \(failure)")
        }
        try await waitUntil("document.readyState === 'complete' && location.href !== 'about:blank'", timeout: timeout)
    }

    /// The value of a JavaScript expression (awaited when it is a promise),
    /// carried as JSON and decoded as `type`.
    package func evaluate<Value: Decodable>(_ expression: String, as type: Value.Type = Value.self) async throws -> Value {
        let answer = try await send("Runtime.evaluate", [
            "expression": "Promise.resolve((\(expression))).then(function (v) { return JSON.stringify(v === undefined ? null : v); })",
            "returnByValue": true, "awaitPromise": true,
        ])
        let result = answer["result"] as? [String: Any] ?? [:]
        if let details = result["exceptionDetails"] as? [String: Any] {
            let exception = (details["exception"] as? [String: Any])?["description"] as? String
            throw HeadlessBrowser.Failure(description: "\(expression) threw \(exception ?? "\(details)")")
        }
        guard let json = (result["result"] as? [String: Any])?["value"] as? String else {
            throw HeadlessBrowser.Failure(description: "\(expression) returned no value: \(result)")
        }
        return try JSONDecoder().decode(Value.self, from: Data(json.utf8))
    }

    /// Evaluates `expression` until it is true; throws with the expression
    /// when `timeout` passes first.
    package func waitUntil(_ expression: String, timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if (try? await evaluate("!!(\(expression))", as: Bool.self)) == true { return }
            if clock.now >= deadline {
                throw HeadlessBrowser.Failure(description: "timed out after \(timeout) waiting for \(expression)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Focuses the element `selector` names and types `text` into it, as a
    /// keyboard would (`Input.insertText`: the page sees `input` events).
    package func type(_ text: String, into selector: String) async throws {
        try await focus(selector)
        _ = try await send("Input.insertText", ["text": text])
    }

    /// Empties the text field `selector` names the way a user would: select all, then delete.
    package func clear(_ selector: String) async throws {
        try await focus(selector)
        _ = try await evaluate("document.querySelector(\(Self.quoted(selector))).select()", as: Bool?.self)
        for type in ["rawKeyDown", "keyUp"] {
            _ = try await send("Input.dispatchKeyEvent", ["type": type, "key": "Backspace", "code": "Backspace",
                                                          "windowsVirtualKeyCode": 8])
        }
    }

    /// Clicks the middle of the element `selector` names with the mouse.
    package func click(_ selector: String) async throws {
        let point = try await evaluate("""
            (function () { var e = document.querySelector(\(Self.quoted(selector))); e.scrollIntoView({block: 'center'});
              var r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()
            """, as: [Double].self)
        for type in ["mousePressed", "mouseReleased"] {
            _ = try await send("Input.dispatchMouseEvent", ["type": type, "x": point[0], "y": point[1],
                                                            "button": "left", "clickCount": 1])
        }
    }

    /// Writes a PNG of the viewport to `path`.
    package func screenshot(to path: String) async throws {
        let answer = try await send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = (answer["result"] as? [String: Any])?["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw HeadlessBrowser.Failure(description: "Page.captureScreenshot returned no image")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func focus(_ selector: String) async throws {
        let found = try await evaluate("(function () { var e = document.querySelector(\(Self.quoted(selector))); if (!e) return false; e.focus(); return document.activeElement === e; })()", as: Bool.self)
        guard found else { throw HeadlessBrowser.Failure(description: "no element to focus: \(selector)") }
    }

    /// `text` as a JavaScript string literal.
    package static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }
}
