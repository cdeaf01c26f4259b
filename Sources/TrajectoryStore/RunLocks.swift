// Which runs are being trained right now, and by which process: a POSIX byte-range lock on byte N
// of `<database>-runs` is held for as long as a process trains run N. The kernel releases it
// when that process ends, however it ends (SIGKILL, power loss of the process), so a killed run
// is free again at once and a live one can never be resumed a second time in parallel (two
// writers would interleave their epochs in one run).
// One file for every run, never deleted: unlinking a lock file while another process opens it
// would let two processes hold "the" lock on two different files.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class RunLocks {
    public let path: String
    private let descriptor: Int32

    /// Opens (creating if needed) the lock file of the database at `databasePath`.
    public init(database databasePath: String) throws(StoreError) {
        path = databasePath + "-runs"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io(path: path, message: "cannot open the run lock file: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Takes run `id` for this process; false when another process holds it (then `holder` says which).
    public func acquire(run id: Int64) throws(StoreError) -> Bool {
        var lock = region(id, type: F_WRLCK)
        if fcntl(descriptor, F_SETLK, &lock) == 0 { return true }
        if errno == EACCES || errno == EAGAIN { return false }
        throw .io(path: path, message: "cannot lock run \(id): \(String(cString: strerror(errno)))")
    }

    /// The process holding run `id`, or nil when no other process trains it.
    public func holder(run id: Int64) -> Int32? {
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
