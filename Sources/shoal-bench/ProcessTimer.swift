import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One child process, timed from spawn to exit, with its peak resident memory.
struct ProcessMeasurement: Sendable, Hashable, Codable {
    /// Wall-clock seconds from `posix_spawn` until `wait4` returned.
    var seconds: Double
    /// `ru_maxrss` of the child, in MiB.
    var peakMB: Double
    /// The exit code, or nil when a signal ended the process.
    var exitCode: Int32?
    /// The signal that ended the process, if one did.
    var signal: Int32?

    enum CodingKeys: String, CodingKey {
        case seconds, peakMB = "peak_mb", exitCode = "exit_code", signal
    }
}

/// Spawns a process and measures it through `bench-spawn` (a small C helper
/// built next to this executable): `posix_spawn`, then `wait4`, whose rusage
/// carries the child's peak RSS.
///
/// Why a helper: Linux keeps a process's memory high-water mark across exec,
/// and a vfork-style `posix_spawn` runs the child in the parent's memory
/// until exec, so a child spawned from this process would report at least
/// this process's peak (tens of MB after a fleet's setup). The helper's own
/// footprint, about 5 MB, is the floor instead: below any Swift process's own.
struct ProcessTimer: Sendable {
    /// The `bench-spawn` binary.
    let helper: String

    /// Runs `arguments[0]` (a path) with `arguments`, stdout and stderr written
    /// to the given files, the environment inherited. `report` receives the
    /// helper's line.
    func run(_ arguments: [String], stdout: String, stderr: String) throws -> ProcessMeasurement {
        let report = stdout + ".measure"
        let (exitCode, _) = try Self.spawnAndWait([helper, stdout, stderr] + arguments, stdout: report, stderr: stderr + ".measure")
        let line = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let fields = line.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard exitCode == 0, fields.count == 4, let seconds = Double(fields[0]), let kib = Double(fields[1]),
              let code = Int32(fields[2]), let signal = Int32(fields[3]) else {
            let why = (try? String(contentsOfFile: stderr + ".measure", encoding: .utf8)) ?? ""
            throw BenchError("\(helper) could not measure \(arguments[0]): \(why.isEmpty ? line : why)")
        }
        return ProcessMeasurement(seconds: seconds, peakMB: kib / 1024,
                                  exitCode: code >= 0 ? code : nil, signal: signal != 0 ? signal : nil)
    }

    /// `posix_spawn` and `wait4`; returns the exit code (or nil) and the signal (or nil).
    private static func spawnAndWait(_ arguments: [String], stdout: String, stderr: String) throws -> (Int32?, Int32?) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let code = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard code == 0 else {
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(code)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        return decode(status)
    }

    /// WIFEXITED/WEXITSTATUS/WTERMSIG, which Swift cannot import (they are macros).
    static func decode(_ status: Int32) -> (exitCode: Int32?, signal: Int32?) {
        let signal = status & 0x7f
        return signal == 0 ? ((status >> 8) & 0xff, nil) : (nil, signal)
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
