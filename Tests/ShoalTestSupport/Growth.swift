/// How a piece of work grows with its input, for tests that guard against a
/// quadratic path (a hostile or just large input) without holding the
/// machine to an absolute speed: the same test on a loaded CI machine and on
/// a laptop gives about the same ratio.
public enum Growth {
    /// Runs `work` at `size` and at `size * factor`, best of `trials` each,
    /// and returns how many times longer the big run took. Linear work gives
    /// about `factor`; quadratic work about `factor * factor`.
    public static func ratio(size: Int, factor: Int = 8, trials: Int = 3, _ work: (Int) throws -> Void) rethrows -> Double {
        func best(_ n: Int) throws -> Duration {
            let clock = ContinuousClock()
            var fastest = Duration.seconds(Int64.max)
            for _ in 0..<max(1, trials) {
                let start = clock.now
                try work(n)
                fastest = min(fastest, clock.now - start)
            }
            return fastest
        }
        let small = try best(size)
        let big = try best(size * factor)
        return big / max(small, .microseconds(1))
    }
}
