// Which runs are being trained right now, and by which process: a POSIX byte-range lock on byte N
// of `<database>-runs` is held for as long as a process trains run N. The kernel releases it
// when that process ends, however it ends (SIGKILL, power loss of the process), so a killed run
// is free again at once and a live one can never be resumed a second time in parallel (two
// writers would interleave their epochs in one run).
// One file for every run, never deleted: unlinking a lock file while another process opens it
// would let two processes hold "the" lock on two different files. One descriptor of it per
// process, never closed (closing one would drop all of the process's locks on the file).
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class RunLocks: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32
    /// The runs this process holds. fcntl locks never conflict within one process, so this is what
    /// keeps two sessions (or a delete) of one process from taking the same run.
    private let held = Mutex<Set<Int64>>([])

    /// One instance per lock file and process, never closed: closing any descriptor of a file drops
    /// every fcntl lock the process holds on it, so a second instance that closed would free the
    /// runs other threads (the benchmark's workers) are training.
    private static let instances = Mutex<[String: RunLocks]>([:])

    /// The lock file of the database at `databasePath` (created if needed), shared by the process.
    public static func of(database databasePath: String) throws(StoreError) -> RunLocks {
        let key = URL(fileURLWithPath: databasePath + "-runs").standardizedFileURL.path
        let found: Result<RunLocks, StoreError> = instances.withLock { instances in
            if let existing = instances[key] { return .success(existing) }
            do throws(StoreError) {
                let locks = try RunLocks(path: key)
                instances[key] = locks
                return .success(locks)
            } catch {
                return .failure(error)
            }
        }
        return try found.get()
    }

    private init(path: String) throws(StoreError) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io(path: path, message: "cannot open the run lock file: \(String(cString: strerror(errno)))")
        }
    }

    /// Takes run `id` for this process; false when another process, or another session of this
    /// one, holds it (then `holder` says which process).
    public func acquire(run id: Int64) throws(StoreError) -> Bool {
        let outcome: Result<Bool, StoreError> = held.withLock { held in
            guard !held.contains(id) else { return .success(false) }
            var lock = region(id, type: F_WRLCK)
            if fcntl(descriptor, F_SETLK, &lock) == 0 {
                held.insert(id)
                return .success(true)
            }
            if errno == EACCES || errno == EAGAIN { return .success(false) }
            return .failure(.io(path: path, message: "cannot lock run \(id): \(String(cString: strerror(errno)))"))
        }
        return try outcome.get()
    }

    /// Lets run `id` go (a session that ended); nothing if this process does not hold it.
    public func release(run id: Int64) {
        held.withLock { held in
            guard held.remove(id) != nil else { return }
            var lock = region(id, type: F_UNLCK)
            _ = fcntl(descriptor, F_SETLK, &lock)
        }
    }

    /// The process holding run `id` (this one's own id when one of its sessions does), or nil when
    /// nobody trains it.
    public func holder(run id: Int64) -> Int32? {
        if held.withLock({ $0.contains(id) }) { return getpid() }
        var lock = region(id, type: F_WRLCK)
        guard fcntl(descriptor, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) else { return nil }
        return lock.l_pid
    }

    private func region(_ id: Int64, type: Int32) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(id)
        lock.l_len = 1
        return lock
    }
}
