// Ctrl-C for long work: the first SIGINT asks the work to stop at the next safe point (it saves
// and exits 130); a second one exits at once, which SQLite's journal makes safe.
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Synchronization
import Workflows

/// How many SIGINTs arrived since `Interrupt.install()`.
let interruptCount = Atomic<Int>(0)

enum Interrupt {
    static func install() {
        // A parent may have started us with SIGINT blocked (some test runners and tools do).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            let (count, _) = interruptCount.add(1, ordering: .relaxed)
            if count >= 2 { _exit(130) }
        }
    }

    static var requested: Bool { interruptCount.load(ordering: .relaxed) > 0 }
}

/// Runs `body`; a training it stopped on Ctrl-C (its checkpoint saved) says how to resume and
/// exits 130, as `trajpred train` does.
func runInterruptible<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WorkflowError {
        guard case .interrupted = error else { throw error }
        printError("\(error)")
        throw ExitCode(130)
    }
}
