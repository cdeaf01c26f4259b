// The run locks of one process: one descriptor per lock file, so a session that ends lets its own
// run go and no other; a run held by one session of a process is refused to another of the same
// process (fcntl alone would grant it: a process's locks never conflict with each other).
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TrajectoryStore

@Suite struct RunLocksTests {
    /// Whether run `id`'s byte is locked, seen from a descriptor of our own: an open-file-description
    /// lock query conflicts with the process's own record locks, so it sees them.
    func lockedInTheKernel(_ path: String, run id: Int64) -> Bool {
        let descriptor = open(path, O_RDWR)
        defer { close(descriptor) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(id)
        lock.l_len = 1
        let ofdGetLock: Int32 = 36  // F_OFD_GETLK
        #expect(fcntl(descriptor, ofdGetLock, &lock) == 0)
        return lock.l_type != Int16(F_UNLCK)
    }

    @Test func oneProcessSharesOneDescriptorAndLetsGoOfOneRunAtATime() throws {
        let database = temporaryFolder() + "/t.sqlite"
        let locks = try RunLocks.of(database: database)
        #expect(try RunLocks.of(database: database) === locks)
        #expect(try locks.acquire(run: 1) && locks.acquire(run: 2))
        // A second session (or a delete) of this process may not take a run it trains.
        #expect(try !locks.acquire(run: 1))
        #expect(locks.holder(run: 1) == getpid())
        locks.release(run: 2)
        #expect(lockedInTheKernel(locks.path, run: 1))
        #expect(!lockedInTheKernel(locks.path, run: 2))
        #expect(locks.holder(run: 2) == nil)
        #expect(try locks.acquire(run: 2))
        locks.release(run: 1)
        locks.release(run: 2)
        #expect(!lockedInTheKernel(locks.path, run: 1))
    }
}

@Suite struct BusyStoreTests {
    /// A writer that waits past its busy timeout for another's write lock is told what held it, not
    /// only "database is locked".
    @Test func aStoreLockedByAnotherWriterSaysSo() throws {
        let path = temporaryFolder() + "/busy.sqlite"
        let holder = try Database(path: path)
        try holder.execute("CREATE TABLE t (x INTEGER)")
        try holder.execute("BEGIN IMMEDIATE")
        let waiter = try Database(path: path, busyTimeoutMilliseconds: 100)
        do {
            try waiter.execute("BEGIN IMMEDIATE")
            Issue.record("the second writer got the lock")
        } catch {
            #expect("\(error)".contains("database is locked; another process held the store's write lock all the while "
                                        + "this one waited (an import or a training writing to it?)"), "\(error)")
        }
        try holder.execute("COMMIT")
    }
}
