/// Lexical path arithmetic for config paths: absolute paths, joining and
/// `.`/`..` removal, without touching the file system (so a path that does
/// not exist yet, or contains `{tenant}`, resolves the same way).
package enum FilePath {
    /// `path` made absolute against `directory` and normalised; absolute paths only normalised.
    static func absolute(_ path: String, relativeTo directory: String) -> String {
        normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// Removes empty and `.` components and resolves `..` lexically.
    static func normalize(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !components.isEmpty { components.removeLast() }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The directory holding `path` (`/` for a top-level file).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `path` relative to `directory` when it is inside it, else as it is:
    /// how findings and errors name a migration file (`versions/app/…sql`).
    package static func relative(_ path: String, to directory: String) -> String {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// The last component of `path`.
    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
