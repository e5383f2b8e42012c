import Foundation

/// The fleet as one self-contained HTML page (SPEC §12): `--html FILE` on
/// `status` and the fan-out commands, and `GET /` of `shoal serve`.
///
/// The page carries its data as the JSON document the same command prints
/// with `--json` (`status --json`'s `StatusDocument`, or a fan-out
/// command's `FleetReport`), and its own script renders it; no request
/// leaves the file. With `live`, the script fetches that path every
/// `interval` seconds and renders the new document in place.
public struct FleetPage: Sendable {
    /// Where a live page fetches its data, and how often.
    public struct Live: Sendable, Hashable {
        public var path: String
        public var interval: Double

        public init(path: String = "/api/status", interval: Double) {
            self.path = path
            self.interval = interval
        }
    }

    /// The JSON document, as `--json` prints it.
    public var document: Data
    /// The page's title, e.g. "shoal status" or "shoal upgrade".
    public var title: String
    /// When the data was read.
    public var generatedAt: Date
    public var live: Live?
    /// Why the newest read failed, when the page shows older data (`shoal
    /// serve`); the page says so until a read succeeds.
    public var readError: String?

    public init(document: Data, title: String, generatedAt: Date = Date(), live: Live? = nil, readError: String? = nil) {
        self.document = document
        self.title = title
        self.generatedAt = generatedAt
        self.live = live
        self.readError = readError
    }

    /// The whole page. Every value reaches the DOM as text, never as markup.
    public func html() -> String {
        let title = PageEscaping.html(title)
        var body = "<body data-read-at=\"\(Timestamp.string(generatedAt))\""
        if let live {
            body += " data-live-path=\"\(PageEscaping.html(live.path))\" data-live-interval=\"\(live.interval)\""
        }
        if let readError { body += " data-read-error=\"\(PageEscaping.html(readError))\"" }
        body += ">"
        // A file page may make no request at all; a live page may fetch its own server.
        let policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
            + (live == nil ? "" : "; connect-src 'self'")
        return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(policy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>\(title)</title>
        <style>
        \(FleetPageStyle.source)
        </style>
        </head>
        \(body)
        <header>
        <h1>\(title)</h1>
        <div id="meta"></div>
        <p id="notice" role="status" hidden></p>
        </header>
        <main>
        <section id="counts" aria-label="Targets by state"></section>
        <section><h2>Revisions by database</h2><div id="charts"></div></section>
        <section id="failures"><h2>Failures</h2><ol></ol></section>
        <section>
        <h2>Targets</h2>
        <div class="toolbar">
        <input id="filter" type="search" placeholder="Filter: target, state, revision, error\u{2026}" aria-label="Filter targets" autocomplete="off">
        <div id="pager"><button type="button" data-page="previous">Previous</button><span class="range"></span><button type="button" data-page="next">Next</button></div>
        </div>
        <div class="table-box"><table id="targets"><thead><tr></tr></thead><tbody></tbody></table><div id="empty" hidden></div></div>
        </section>
        </main>
        <footer>shoal \(PageEscaping.html(shoalVersion)) \u{b7} this page makes no request\(live == nil ? "" : " but to its own server")</footer>
        <script type="application/json" id="shoal-data">\(PageEscaping.scriptJSON(Array(document)))</script>
        <script>
        \(FleetPageScript.source)
        </script>
        </body>
        </html>

        """
    }
}
