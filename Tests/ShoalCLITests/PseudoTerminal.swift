import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pseudo-terminal to give a launched `shoal` as its stderr
/// (``Sandbox/launch(_:environment:stderr:)``): shoal then draws its
/// progress line, and a reader thread collects everything it writes there.
final class PseudoTerminal: @unchecked Sendable {
    /// The terminal side the child writes to.
    let child: FileHandle
    private let controller: Int32
    private let lock = NSLock()
    private var written = Data()
    private var reader: Thread?

    init() throws {
        var controller: Int32 = -1
        var terminal: Int32 = -1
        guard openpty(&controller, &terminal, nil, nil, nil) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        self.controller = controller
        child = FileHandle(fileDescriptor: terminal, closeOnDealloc: true)
        let thread = Thread { [self] in readUntilClosed() }
        reader = thread
        thread.start()
    }

    deinit {
        close(controller)
    }

    /// Once the child has its copy: closes this process's, so that reading
    /// ends when the child exits.
    func childStarted() {
        try? child.close()
    }

    /// Everything written to the terminal so far, escape sequences included.
    var text: String {
        lock.withLock { String(decoding: written, as: UTF8.self) }
    }

    private func readUntilClosed() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
            if count > 0 {
                lock.withLock { written.append(contentsOf: buffer[0..<count]) }
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return  // EIO once no process holds the terminal side open
            }
        }
    }
}
