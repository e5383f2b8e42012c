import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every fuzz suite nests in this one, so that they run one at a time: the
/// per-case time limit then measures the code, not the other fuzz suites, and
/// the crash note (see ``FuzzCrashNote``) has one case to name.
@Suite(.serialized) struct FuzzTests {}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny seedable generator, so that
/// a fuzz run is the same on every machine and a failing case can be replayed.
/// For test inputs only.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability 1/`n`.
    mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }

    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &self)! }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

/// Runs a fuzz target over generated inputs: a fixed seed and a bounded
/// number of cases by default (part of every `swift test`), more on request.
///
/// - `SHOAL_FUZZ_CASES=200000` runs that many cases per target, with bigger
///   inputs (a long local run: `SHOAL_FUZZ_CASES=200000 swift test --filter FuzzTests`);
/// - `SHOAL_FUZZ_SEED=0x…` (or decimal) changes the seed;
/// - `SHOAL_FUZZ_CASE=N` replays case N alone, printing its input first.
///
/// A failing case is reported with the seed, its number and its input, and the
/// exact command that replays it. A case that crashes the process prints the
/// same note on stderr before the crash report (``FuzzCrashNote``).
enum Fuzz {
    static let defaultSeed: UInt64 = 0x5EED_5140_A1F0_0006
    /// A case slower than this (twice) is a failure: the inputs are small, so
    /// only a quadratic (or worse) path or a hang takes this long. A long run
    /// inserts ten times bigger runs (``Mutator/huge``), which a debug build
    /// takes seconds to scan even in linear time.
    /// (5 s: CI runs the suite on two cores next to two PostgreSQL servers.)
    static let caseTimeLimit: Duration = requestedCases == nil ? .seconds(5) : .seconds(8)
    /// After this long a case is taken for a hang: the process prints the note and stops.
    static let hangLimit: Duration = .seconds(30)

    static var seed: UInt64 {
        guard let text = environment("SHOAL_FUZZ_SEED") else { return defaultSeed }
        let parsed = text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let parsed else { fatalError("SHOAL_FUZZ_SEED must be a decimal or 0x-hex 64-bit number, got \(text)") }
        return parsed
    }

    static var requestedCases: Int? { environment("SHOAL_FUZZ_CASES").flatMap { Int($0) } }
    static var onlyCase: Int? { environment("SHOAL_FUZZ_CASE").flatMap { Int($0) } }

    /// Generates `cases` inputs (or `SHOAL_FUZZ_CASES`) with `generate` and
    /// runs `check` on each. `check` returns nil when the input was handled
    /// well, or what went wrong. Stops after a few failures.
    ///
    /// Yields every few cases: the cases are synchronous CPU work, and without
    /// yielding the suite would hold one of the machine's two cooperative
    /// threads for seconds, starving other tests' tasks (watchers, pollers)
    /// that run in the same process.
    static func run<Input>(_ name: String, cases defaultCases: Int = 2000,
                           generate: (inout SplitMix64) -> Input,
                           describe: (Input) -> String,
                           check: (Input) -> String?,
                           sourceLocation: SourceLocation = #_sourceLocation) async {
        let seed = self.seed
        let cases = requestedCases ?? defaultCases
        let range = onlyCase.map { $0...$0 } ?? 0...(cases - 1)
        let clock = ContinuousClock()
        let started = clock.now
        var slowest: Duration = .zero
        var failures = 0
        FuzzCrashNote.prepareThread()
        for index in range {
            if index % 8 == 0 {
                await Task.yield()
                FuzzCrashNote.prepareThread()  // the task may resume on another thread
            }
            var generator = SplitMix64(seed: caseSeed(seed, name: name, index: index))
            let input = generate(&generator)
            // The case count matters too: a long run makes bigger inputs.
            let replay = (requestedCases.map { "SHOAL_FUZZ_CASES=\($0) " } ?? "")
                + "SHOAL_FUZZ_SEED=0x\(String(seed, radix: 16)) SHOAL_FUZZ_CASE=\(index) swift test --filter FuzzTests"
            if onlyCase != nil { print("fuzz \(name) case \(index) input: \(describe(input))") }
            FuzzCrashNote.set("fuzz \(name): case \(index) crashed or hung; replay with \(replay)\n")
            var caseStart = clock.now
            let problem = check(input)
            var elapsed = clock.now - caseStart
            if elapsed > caseTimeLimit {
                // Once more, so that a busy machine is not taken for a slow
                // path: a quadratic one is slow every time.
                caseStart = clock.now
                _ = check(input)
                elapsed = min(elapsed, clock.now - caseStart)
            }
            FuzzCrashNote.clear()
            slowest = max(slowest, elapsed)
            var reasons: [String] = []
            if let problem { reasons.append(problem) }
            if elapsed > caseTimeLimit { reasons.append("took \(elapsed), more than \(caseTimeLimit)") }
            guard !reasons.isEmpty else { continue }
            failures += 1
            Issue.record("""
                fuzz \(name) case \(index) (seed 0x\(String(seed, radix: 16))): \(reasons.joined(separator: "; "))
                replay: \(replay)
                input: \(describe(input))
                """, sourceLocation: sourceLocation)
            if failures >= 5 { break }
        }
        print("fuzz \(name): \(range.count) cases, seed 0x\(String(seed, radix: 16)), "
              + "\(clock.now - started) (slowest case \(slowest))")
    }

    /// Each case's generator depends only on the seed, the target and the case
    /// number, so one case replays alone.
    private static func caseSeed(_ seed: UInt64, name: String, index: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 // FNV-1a
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var mixer = SplitMix64(seed: seed ^ hash ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next()
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// `text` as a Swift string literal, cut to `limit` characters: control
    /// characters and invalid bytes are visible, and the log stays readable.
    static func show(_ text: String, limit: Int = 2000) -> String {
        var shown = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            switch scalar {
            case "\\": shown += "\\\\"
            case "\"": shown += "\\\""
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        let total = text.unicodeScalars.count
        return "\"" + shown + "\"" + (total > limit ? " … (\(total) scalars in all)" : "")
    }

    /// Bytes as `show` shows text, invalid UTF-8 as `\x..`.
    static func show(_ bytes: [UInt8], limit: Int = 2000) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return show(text, limit: limit) }
        var shown = ""
        for byte in bytes.prefix(limit) {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                shown.append(Character(Unicode.Scalar(byte)))
            } else {
                shown += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return "bytes \"" + shown + "\"" + (bytes.count > limit ? " … (\(bytes.count) bytes in all)" : "")
    }
}

/// What a crashing fuzz case prints before the process dies: a trap or a
/// stack overflow cannot be caught, so a signal handler (on its own stack,
/// since the thread's may be exhausted) writes the note set before the case,
/// then hands the signal back to the previous handler (Swift's crash report).
/// A watchdog thread prints it too when a case hangs.
enum FuzzCrashNote {
    private static let capacity = 512
    nonisolated(unsafe) private static let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var caseStarted: UInt64 = 0
    /// The handlers found at install time, indexed by signal number.
    nonisolated(unsafe) private static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    private static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Before a case: what to print if it crashes.
    static func set(_ note: String) {
        let bytes = Array(note.utf8.prefix(capacity))
        for (index, byte) in bytes.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        lock.withLock {
            length = bytes.count
            caseStarted = DispatchTime.now().uptimeNanoseconds
        }
    }

    static func clear() {
        lock.withLock { length = 0 }
    }

    /// Installs the handlers (once) and an alternate signal stack for the
    /// calling thread (once per thread), where the fuzz cases run.
    static func prepareThread() {
        lock.withLock {
            if !installed {
                installed = true
                installHandlers()
                startWatchdog()
            }
        }
        let key = "shoal.fuzz.sigaltstack"
        guard Thread.current.threadDictionary[key] == nil else { return }
        Thread.current.threadDictionary[key] = true
        let size = 1 << 16
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
    }

    private static func installHandlers() {
        for signal in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { signal in FuzzCrashNote.crashed(signal) }
            #else
            action.__sigaction_u.__sa_handler = { signal in FuzzCrashNote.crashed(signal) }
            #endif
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, previous + Int(signal))
        }
    }

    /// In the signal handler: write the note, restore the previous handler and
    /// return, so that the faulting instruction faults again under it.
    private static func crashed(_ signal: Int32) {
        if length > 0 { _ = write(2, buffer, length) }
        sigaction(signal, previous + Int(signal), nil)
    }

    private static func startWatchdog() {
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (active, started) = lock.withLock { (length, caseStarted) }
                guard active > 0 else { continue }
                let elapsed = DispatchTime.now().uptimeNanoseconds &- started
                if elapsed > UInt64(Fuzz.hangLimit.components.seconds) * 1_000_000_000 {
                    lock.withLock { length = 0 }
                    _ = write(2, buffer, active)
                    abort()
                }
            }
        }
        thread.name = "fuzz watchdog"
        thread.start()
    }
}
