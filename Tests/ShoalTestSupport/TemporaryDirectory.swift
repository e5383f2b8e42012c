import Foundation

/// A fresh directory under the system's temporary directory, one per test so
/// that tests run in parallel on real files; removed when the value is released.
/// Every test that needs a folder of its own makes it here (the CLI tests'
/// `Sandbox` holds one).
public final class TemporaryDirectory: @unchecked Sendable {
    /// Where the directory is made.
    public enum Location: Sendable {
        /// The system's temporary directory.
        case disk
        /// `/dev/shm` where there is one (the system's temporary directory
        /// otherwise): for tests that create and delete thousands of files,
        /// which would measure the disk, not shoal, and a disk mounted with
        /// `discard` makes each deletion slow.
        case memoryIfAvailable
    }

    public let path: String

    public init(in location: Location = .disk) throws {
        path = (Self.base(location) as NSString).appendingPathComponent("shoal-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `name` inside the directory.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Writes `contents` to `relativePath` (creating directories), replacing
    /// what was there at once (a reader never sees half a file), and returns
    /// the absolute path.
    @discardableResult
    public func write(_ contents: String, to relativePath: String) throws -> String {
        let file = file(relativePath)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        return file
    }

    private static func base(_ location: Location) -> String {
        let temporary = FileManager.default.temporaryDirectory.path
        guard location == .memoryIfAvailable else { return temporary }
        var isDirectory: ObjCBool = false
        let inMemory = FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.isWritableFile(atPath: "/dev/shm")
        return inMemory ? "/dev/shm" : temporary
    }
}
