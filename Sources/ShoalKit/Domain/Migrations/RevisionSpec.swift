/// A revision argument as typed on the command line (SPEC §4), before it is
/// resolved against a database's graph: the same `upgrade 5c1e` runs against
/// every database of a fleet, and each resolves it on its own.
///
/// ```swift
/// try RevisionSpec(parsing: "head")   // .head
/// try RevisionSpec(parsing: "+2")     // .relative(2)
/// try RevisionSpec(parsing: "-1")     // .relative(-1)
/// try RevisionSpec(parsing: "5c1e")   // .revision("5c1e"), a prefix
/// ```
public enum RevisionSpec: Sendable, Hashable, CustomStringConvertible {
    /// The single head; refused when there are several.
    case head
    /// Every head.
    case heads
    /// Nothing applied.
    case base
    /// A full id or a prefix, resolved by ``RevisionGraph/resolve(_:)``.
    case revision(String)
    /// `+N` (positive) or `-N` (negative) steps along the target's current branch.
    case relative(Int)

    /// Parses `head`, `heads`, `base`, `+N`, `-N` (N > 0) or an id/prefix of
    /// letters, digits and underscores. Anything else, such as an empty string,
    /// `+0`, `+x` or `-`, is `ShoalError(.revision)`.
    public init(parsing text: String) throws {
        switch text {
        case "head": self = .head
        case "heads": self = .heads
        case "base": self = .base
        default:
            if let sign = text.first, sign == "+" || sign == "-" {
                let digits = text.dropFirst()
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let count = Int(digits), count > 0
                else {
                    throw ShoalError(.revision,
                                     "`\(text)` is not a relative revision; write \(sign)N with N a whole number "
                                         + "of at least 1, such as \(sign)1.",
                                     revision: text)
                }
                self = .relative(sign == "+" ? count : -count)
            } else if MigrationParser.isValidRevisionID(text) {
                self = .revision(text)
            } else {
                let shown = text.isEmpty ? "an empty revision" : "`\(text)`"
                throw ShoalError(.revision,
                                 "\(shown) is not a revision; give a revision id or a prefix of at least "
                                     + "\(RevisionGraph.minimumPrefixLength) characters, `head`, `heads`, `base`, "
                                     + "+N or -N.",
                                 revision: text.isEmpty ? nil : text)
            }
        }
    }

    /// The text that parses back to this spec.
    public var description: String {
        switch self {
        case .head: "head"
        case .heads: "heads"
        case .base: "base"
        case .revision(let id): id
        case .relative(let steps): steps > 0 ? "+\(steps)" : "\(steps)"
        }
    }
}
