import ShoalKit
import Testing
@testable import ShoalServe

/// `--listen HOST:PORT` (SPEC §12).
@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("localhost:0", "localhost", 0), ("0.0.0.0:9100", "0.0.0.0", 9100),
        ("[::1]:8080", "::1", 8080), ("[::]:65535", "::", 65535), ("metrics.internal:80", "metrics.internal", 80),
    ])
    func parsesHostAndPort(_ text: String, _ host: String, _ port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address.host == host && address.port == port)
        #expect(address.description == text, "prints as typed")
    }

    @Test func theDefaultIsLoopback() {
        #expect(ListenAddress.default.description == "127.0.0.1:8080")
    }

    @Test(arguments: [
        ("8080", "no port"), ("[::1]8080", "a port must follow"), ("[::1:8080", "closing `]`"),
        ("::1:8080", "in brackets"), (":8080", "no host"), ("host:", "not ``"), ("host:-1", "not `-1`"),
        ("host:65536", "not `65536`"), ("a b:80", "is not a host"), ("user@host:80", "is not a host"),
    ])
    func refusesAnythingElseNamingTheOption(_ text: String, _ why: String) {
        do {
            _ = try ListenAddress(parsing: text)
            Issue.record("\(text) parsed")
        } catch let error as ShoalError {
            #expect(error.kind == .usage && error.preventsStart)
            #expect(error.message.hasPrefix("invalid --listen `\(text)`: ") && error.message.contains(why), "\(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
