/// "Did you mean" suggestions for mistyped revision ids, header keys and
/// section markers, so that an error can name the likely intended word.
enum RevisionSpelling {
    /// Candidates within a small edit distance of `word`, closest first (ties by
    /// name), at most `limit` of them.
    static func suggestions(for word: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let target = Array(word.unicodeScalars)
        let maxDistance = max(1, min(3, target.count / 3))
        var scored: [(distance: Int, candidate: String)] = []
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.unicodeScalars), limit: maxDistance)
            if distance <= maxDistance { scored.append((distance, candidate)) }
        }
        scored.sort { ($0.distance, $0.candidate) < ($1.distance, $1.candidate) }
        return scored.prefix(limit).map(\.candidate)
    }

    /// Levenshtein distance, cut short once it is certain to exceed `limit`.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// " Did you mean `a` or `b`?" or "" when there is nothing close.
    static func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String {
        let close = suggestions(for: word, among: candidates)
        guard !close.isEmpty else { return "" }
        return " Did you mean " + close.map { "`\($0)`" }.joined(separator: " or ") + "?"
    }
}
