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

    public init(document: Data, title: String, generatedAt: Date = Date(), live: Live? = nil) {
        self.document = document
        self.title = title
        self.generatedAt = generatedAt
        self.live = live
    }

    /// The whole page. Every value reaches the DOM as text, never as markup.
    public func html() -> String {
        // Placeholder until the page is built (issue 14).
        "<!doctype html><title>\(title)</title>"
    }
}
