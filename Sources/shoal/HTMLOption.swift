import ArgumentParser
import Foundation
import ShoalKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--html FILE` of `status` and the fan-out commands (SPEC §12): the
/// document `--json` prints, also written as a self-contained page.
struct HTMLOption: ParsableArguments {
    @Option(name: .customLong("html"),
            help: ArgumentHelp("Also write the report as one self-contained HTML page (replaced if it exists).",
                               valueName: "file"))
    var path: String?

    /// Refuses (exit 2) a file the page could not be written to: a missing
    /// folder, a directory, a folder shoal may not write in. Called first in
    /// `run()`, so that nothing is read or changed for a page that would be lost.
    func checkWritable() throws {
        guard let path else { return }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if path.isEmpty { throw ShoalError(.usage, "--html needs a file name") }
        if path.hasSuffix("/") {
            throw ShoalError(.usage, "--html \(path) names a folder; give a file name, e.g. \(path)status.html")
        }
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ShoalError(.usage, "--html \(path) is a directory; give a file name, e.g. \(path)/status.html")
        }
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ShoalError(.usage, "cannot write --html \(path): the folder \(folder) does not exist")
        }
        // The page is written beside its name, then renamed (AtomicFile): a
        // file created and removed there proves it can be, for root too
        // (whom permission bits do not stop, but a read-only folder does).
        let probe = (folder as NSString).appendingPathComponent(".shoal-html-\(UUID().uuidString).tmp")
        let descriptor = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ShoalError(.usage, "cannot write --html \(path) in \(folder): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        unlink(probe)
    }

    /// Writes `document` as the page titled `title`, atomically.
    func write(_ document: some Encodable, title: String) throws {
        guard let path else { return }
        let page = FleetPage(document: try ShoalJSON.encode(document), title: title)
        try AtomicFile.replace(URL(fileURLWithPath: path).standardizedFileURL.path, contents: Data(page.html().utf8))
    }

    /// The page's title for a fan-out command: `shoal upgrade head`, `shoal rollback`.
    static func title(of command: FleetCommand) -> String {
        ["shoal", command.name, command.revision?.description].compactMap { $0 }.joined(separator: " ")
    }
}
