/// "Did you mean …?" for misspelt keys, database names and shard names.
///
/// Uses the Levenshtein distance, compared case-insensitively, and only
/// suggests a candidate that is plausibly a typo of the word: one within
/// `max(2, word.count / 3)` edits. A far-fetched guess is worse than none.
package enum Suggestion: Sendable {
    /// The candidate closest to `word` (ties: the alphabetically first), or nil
    /// when none is close enough to be a likely typo.
    ///
    /// ```swift
    /// Suggestion.closest(to: "databse", in: ["concurrency", "databases"]) // "databases"
    /// ```
    package static func closest(to word: String, in candidates: [String]) -> String? {
        ranked(word, among: candidates, limit: 1).first
    }

    /// Up to `limit` candidates close enough to be typos of `word`, closest
    /// first (ties: alphabetically).
    package static func ranked(_ word: String, among candidates: some Sequence<String>, limit: Int) -> [String] {
        let maximum = max(2, word.count / 3)
        let lowered = word.lowercased()
        let length = lowered.count
        var scored: [(distance: Int, candidate: String)] = []
        for candidate in candidates {
            let other = candidate.lowercased()
            // The distance is at least the difference in length: skipping
            // such candidates keeps a pasted megabyte from costing a
            // megabyte's worth of edits per candidate.
            guard abs(other.count - length) <= maximum else { continue }
            let distance = editDistance(lowered, other)
            if distance <= maximum { scored.append((distance, candidate)) }
        }
        scored.sort { ($0.distance, $0.candidate) < ($1.distance, $1.candidate) }
        return scored.prefix(limit).map(\.candidate)
    }

    /// " Did you mean `a` or `b`?" (up to three), or "" when nothing is close:
    /// for sentences that end before the suggestion.
    static func didYouMeanAny(_ word: String, among candidates: some Sequence<String>) -> String {
        let close = ranked(word, among: candidates, limit: 3)
        guard !close.isEmpty else { return "" }
        return " Did you mean " + close.map { "`\($0)`" }.joined(separator: " or ") + "?"
    }

    /// The ` (did you mean `x`?)`-style suffix used in messages, or "".
    static func didYouMean(_ word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { "; did you mean `\($0)`?" } ?? ""
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let a = Array(left), b = Array(right)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
