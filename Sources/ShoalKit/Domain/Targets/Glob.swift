#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell-style patterns for `--tenant` and `--target`, matched by the C
/// library's fnmatch(3): `*`, `?`, `[...]` (with `!` negation and ranges) and
/// `\` escapes, exactly as in a shell. `*` also matches `/`, so `acc*` selects
/// `accounts/acme`.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }
}
