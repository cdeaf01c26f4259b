// Runs a program to completion and reports its wall time and peak memory (wait4's rusage), for
// benchmarks that compare whole commands side by side (trajpred against the sqlite3 shell).
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What one finished child process cost.
public struct ChildMeasurement: Sendable {
    public var seconds: Double
    public var peakRSSBytes: Int
    public var status: Int32
}

/// Runs `argv` (argv[0] a path, or a name looked up in PATH) with stdout and stderr discarded.
public func measureChild(_ argv: [String]) throws -> ChildMeasurement {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArgs { free(pointer) } }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cArgs, environ)
    guard rc == 0 else {
        throw WorkflowError.unreadable(path: argv[0], reason: "cannot run it: \(String(cString: strerror(rc)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildMeasurement(seconds: seconds, peakRSSBytes: usage.ru_maxrss * 1024, status: exitStatus)
}

/// The path of the running executable.
public func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}
