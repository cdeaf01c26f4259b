// Two lanes of work on two cores, without a thread pool's wake-up on every call: lane 0 runs on
// the caller, lane 1 on one persistent thread that spins for a while after each job before it
// sleeps. A training step hands out work twice (the batch's parts, then Adam's halves) about a
// thousand times a second; DispatchQueue.concurrentPerform started its second lane 20–30 µs late
// each time, 3–4 % of a step. `run(phases:)` adds a barrier between phases (one pedestrian's GRU
// steps, split by hidden units). Which lane runs what never depends on timing, so results do not
// either; when the team is busy (a nested or concurrent call), both lanes run on the caller.
import CVectorMath
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class CoreTeam: @unchecked Sendable {
    /// The process's team (its thread starts on first use).
    public static let shared = CoreTeam()

    /// Lanes of every job: the caller's and the team thread's. The machines this is built for have
    /// two cores; work is cut by this count, never by the machine, so results do not change.
    public static let laneCount = 2

    /// Bumped to publish a job; the worker runs lane 1 of it and then sets `finished` to it.
    private let published = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// Held by the caller of `run` for the whole job: one job at a time.
    private let busy = Mutex<Bool>(false)
    /// The current job. Written by `run` before it publishes, read by the worker after it sees the
    /// publication (ordered by `published`), cleared after `finished`: no lock needed.
    private var job: ((Int) -> Void)?

    /// Lanes that finished a phase of the current job (both lanes add one per phase).
    private let arrivals = Atomic<Int>(0)

    private init() {
        var thread = pthread_t()
        let context = Unmanaged.passUnretained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<CoreTeam>.fromOpaque(context!).takeUnretainedValue().work()
            return nil
        }, context)
        precondition(created == 0, "cannot start the team's thread (error \(created))")
        pthread_detach(thread)
    }

    /// Set by `alone` for its thread: while it returns true, every call runs both lanes on the caller.
    @TaskLocal private static var aloneWhile: (@Sendable () -> Bool)?

    static var isAlone: Bool { aloneWhile?() ?? false }

    /// Runs `body` with every team call it makes on this thread running both lanes here, one after
    /// the other, with the same split of the work and so the same results, for as long as
    /// `condition()` holds (asked at each call): for workers that each keep one core busy on their
    /// own (two trainings side by side), where the team's spinning thread would be a third on two
    /// cores; the last worker still busy gets the team back.
    public static func alone<T>(while condition: @escaping @Sendable () -> Bool, _ body: () throws -> T) rethrows -> T {
        try $aloneWhile.withValue(condition) { try body() }
    }

    /// Runs body(lane, phase) for phase 0, 1, …, `phases` − 1 on both lanes, every lane finishing
    /// a phase before either starts the next (a barrier between phases): work whose next step needs
    /// both halves of the previous one, such as a recurrent network's time steps.
    public func run(phases: Int, _ body: (_ lane: Int, _ phase: Int) -> Void) {
        guard !Self.isAlone, claim() else {
            for phase in 0..<phases {
                body(0, phase)
                body(1, phase)
            }
            return
        }
        defer { release() }
        arrivals.store(0, ordering: .relaxed)
        dispatch { lane in
            for phase in 0..<phases {
                body(lane, phase)
                if phase < phases - 1 {
                    arrivals.add(1, ordering: .acquiringAndReleasing)
                    while arrivals.load(ordering: .acquiring) < Self.laneCount * (phase + 1) { cvm_spin_pause() }
                }
            }
        }
    }

    /// Runs body(0) here and body(1) on the team's thread, and returns when both are done.
    public func run(_ body: (Int) -> Void) {
        guard !Self.isAlone, claim() else {
            body(0)
            body(1)
            return
        }
        defer { release() }
        dispatch(body)
    }

    /// Whether this call gets the team (else it is busy with another caller's job, or with ours).
    private func claim() -> Bool {
        busy.withLock { taken in
            if taken { return false }
            taken = true
            return true
        }
    }

    private func release() {
        busy.withLock { $0 = false }
    }

    /// Lane 1 to the worker, lane 0 here; returns when the worker has finished.
    private func dispatch(_ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            job = body
            let generation = published.add(1, ordering: .sequentiallyConsistent).newValue
            if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.signal() }
            body(0)
            while finished.load(ordering: .acquiring) != generation { cvm_spin_pause() }
            job = nil
        }
    }

    private func work() {
        var seen = 0
        while true {
            // Spin ~0.2 ms for the next job (a training step's next call comes within microseconds),
            // then sleep until `run` signals.
            var spins = 0
            while published.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < 20_000 {
                    cvm_spin_pause()
                    continue
                }
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if published.load(ordering: .sequentiallyConsistent) != seen {
                    // A job arrived in between: take it, unless `run` already claimed our wake-up.
                    if !sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.wait() }
                    break
                }
                wake.wait()
                spins = 0
            }
            seen = published.load(ordering: .acquiring)
            job?(1)
            finished.store(seen, ordering: .releasing)
        }
    }
}



/// A value handed to concurrent workers that touch disjoint parts of it.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
