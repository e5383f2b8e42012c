#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback TCP socket that listens and never answers: the kernel
/// completes connections into its backlog, where ``connectionsWaiting()``
/// counts them, and a client waits for a server that never says a word
/// (libpq until its `connect_timeout`).
package final class SilentListener: @unchecked Sendable {
    private let fd: Int32
    package let port: Int

    package init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, 64) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard fd >= 0, listening == 0, fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
            close(fd)
            throw ListenError()
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(fd)
    }

    /// Takes every connection made so far out of the backlog (closing it)
    /// and returns how many there were.
    package func connectionsWaiting() -> Int {
        var count = 0
        while true {
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return count }
            close(connection)
            count += 1
        }
    }

    struct ListenError: Error, CustomStringConvertible {
        var description: String { "could not listen on a loopback port" }
    }
}
