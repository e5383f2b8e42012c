import ShoalKit

/// Where `shoal serve` listens: `--listen HOST:PORT` (SPEC §12). The
/// default is loopback only; serving a fleet to the network is a choice
/// made by naming another host. Port 0 asks the system for a free port
/// (tests; the real one is printed once bound).
package struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// `127.0.0.1:8080`.
    package static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    /// A host name or an IP address, IPv6 without its brackets.
    package var host: String
    package var port: Int

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[v6]:PORT` or `localhost:PORT`. Anything else is a
    /// usage error (exit 2) naming `--listen` and the value.
    package init(parsing text: String) throws {
        func invalid(_ why: String) -> ShoalError {
            ShoalError(.usage, "invalid --listen `\(text)`: \(why)",
                       hint: "give HOST:PORT, e.g. 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:9100")
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw invalid("an IPv6 address needs its closing `]`") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw invalid("a port must follow `]:`") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw invalid("no port (HOST:PORT)") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw invalid("write an IPv6 address in brackets, e.g. [::1]:8080") }
        }
        if host.isEmpty { throw invalid("no host before the port") }
        if host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) { throw invalid("`\(host)` is not a host") }
        guard portText.allSatisfy(\.isASCII), let port = Int(portText), (0...65535).contains(port) else {
            throw invalid("the port must be a number from 0 to 65535, not `\(portText)`")
        }
        self.init(host: String(host), port: port)
    }

    /// `127.0.0.1:8080`, `[::1]:8080`.
    package var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The address with the port the server really bound (for port 0).
    package func bound(to port: Int) -> ListenAddress {
        ListenAddress(host: host, port: port)
    }
}
