import Foundation
@testable import ShoalKit
import Testing

/// The page's escaping, in process: the embedded document cannot close its
/// script element and parses back to the same value; the title and every
/// attribute Swift writes are text.
@Suite("FleetPage escapes what it embeds")
struct FleetPageTests {
    static let hostile = "</script><script>alert(2)</script><img src=x onerror=alert(1)> & <!-- \u{2028}\u{2029} \"quoted\" 'single'"

    /// The `<script type="application/json">` element's text.
    static func embedded(_ html: String) throws -> String {
        let open = #"<script type="application/json" id="shoal-data">"#
        let start = try #require(html.range(of: open)).upperBound
        let end = try #require(html.range(of: "</script>", range: start..<html.endIndex)).lowerBound
        return String(html[start..<end])
    }

    static func document(message: String) throws -> Data {
        var status = TargetStatus(target: "app/acme", database: "app", shard: nil, tenant: "acme", current: ["1111aaaa0001"],
                                  heads: ["2222bbbb0002"], pending: 1, state: .dirty, replicas: [])
        status.message = message
        return try ShoalJSON.encode(StatusDocument(targets: [status]))
    }

    @Test func embeddedDocumentCannotCloseItsScriptAndParsesToTheSameValue() throws {
        let document = try Self.document(message: Self.hostile)
        let html = FleetPage(document: document, title: "shoal status").html()
        let text = try Self.embedded(html)
        for character in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            #expect(!text.contains(character), "\(character.debugDescription) left in the embedded document")
        }
        #expect(text.contains(#"\u003c/script\u003e"#))
        #expect(text.contains(#"\u2028\u2029"#))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary
        let original = try JSONSerialization.jsonObject(with: document) as? NSDictionary
        #expect(parsed == original)
        // One script element of data, one of code: nothing the message held opened another.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
    }

    @Test func whitespaceBetweenTokensGoesAndStringsKeepTheirs() throws {
        let text = PageEscaping.scriptJSON(Array("{\n  \"a b\" : [ 1, \"x \\\" y\\\\\" ],\n\t\"c\": \"\u{e9}\u{2029}\"\n}".utf8))
        #expect(text == #"{"a b":[1,"x \" y\\"],"c":"é\u2029"}"#)
    }

    @Test func titleAndAttributesAreText() throws {
        let page = FleetPage(document: try Self.document(message: "m"), title: Self.hostile,
                             live: .init(path: "/api/status\"><script>alert(3)</script>", interval: 15),
                             readError: "x\" onload=\"alert(4)")
        let html = page.html()
        #expect(!html.contains("<img"))
        #expect(!html.contains("alert(3)</script>"))
        #expect(!html.contains("\" onload=\""))
        #expect(html.contains("<title>&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp;"))
    }

    @Test func aFilePageMayMakeNoRequestAndALivePageOnlyToItsServer() throws {
        let document = try Self.document(message: "m")
        let file = FleetPage(document: document, title: "t").html()
        #expect(file.contains(#"content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">"#))
        #expect(!file.contains(" data-live-path=\""), "a file page fetches nothing")
        let live = FleetPage(document: document, title: "t", live: .init(interval: 15)).html()
        #expect(live.contains("img-src data:; connect-src 'self'\">"))
        #expect(live.contains(#"data-live-path="/api/status" data-live-interval="15.0""#))
    }

    @Test func readAtIsISO8601WithMilliseconds() {
        let date = Date(timeIntervalSince1970: 1_765_000_000.25)
        let html = FleetPage(document: Data(#"{"targets": []}"#.utf8), title: "t", generatedAt: date).html()
        #expect(html.contains(#"<body data-read-at="2025-12-06T05:46:40.250Z""#))
    }

    /// 10,000 targets: a few MB at most (how long it takes is scripts/bench's
    /// W5 `status --html` row, not a timed test).
    @Test func tenThousandTargetsMakeAPageOfAFewMB() throws {
        let targets = (0..<10_000).map { index in
            TargetStatus(target: "app/tenant_\(index)", database: "app", shard: nil, tenant: "tenant_\(index)",
                         current: ["2222bbbb0002"], heads: ["3333cccc0003"], pending: 1, state: .behind, replicas: [])
        }
        let document = try ShoalJSON.encode(StatusDocument(targets: targets))
        let html = FleetPage(document: document, title: "shoal status").html()
        #expect(html.utf8.count < 3_000_000, "\(html.utf8.count) bytes")
        #expect(html.utf8.count < document.count)
    }
}
