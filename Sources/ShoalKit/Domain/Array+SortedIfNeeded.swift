extension Array where Element: Comparable {
    /// The array itself when it is already in order (no copy: version rows
    /// come from the readers sorted), else a sorted copy.
    func sortedIfNeeded() -> [Element] {
        zip(self, dropFirst()).allSatisfy { $0 <= $1 } ? self : sorted()
    }
}
