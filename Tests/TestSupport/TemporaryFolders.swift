// Folders for tests: every one lives under one root per test process, removed when the process
// exits (the suites run in one process; without it each run left hundreds of megabytes in /tmp).
import Foundation

/// The root of this process's test folders.
public let testRoot: String = {
    let path = testRootPath(getpid())
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: testRootPath(getpid())) }
    return path
}()

private func testRootPath(_ pid: pid_t) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("trajpred-tests-\(pid)").path
}

/// A new, empty folder under `testRoot`.
public func temporaryFolder() -> String {
    let path = testRoot + "/" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
