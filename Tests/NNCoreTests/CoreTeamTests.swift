// The two-lane team: every call runs lane 0 and lane 1 exactly once, before it returns; nested and
// concurrent calls fall back to running both lanes on the caller; a sleeping worker wakes up.
import Dispatch
import Foundation
import Testing
@testable import NNCore

@Suite(.serialized) struct CoreTeamTests {
    @Test func eachLaneOncePerCallAndDoneOnReturn() {
        var seen = [Int](repeating: 0, count: 2)
        let caller = pthread_self()
        let elsewhere = Counter()
        for call in 1...20_000 {
            seen.withUnsafeMutableBufferPointer { seen in
                let lanes = UncheckedPointer(seen.baseAddress!)
                CoreTeam.shared.run { lane in
                    lanes.pointer[lane] += 1
                    if lane == 1, pthread_equal(pthread_self(), caller) == 0, call % 100 == 0 { elsewhere.add(call) }
                }
            }
            // Both increments are visible here, so the call waited for lane 1.
            if seen != [call, call] {
                Issue.record("after call \(call): \(seen)")
                return
            }
        }
        // Other suites share the team, so some calls may have run both lanes here; not all.
        #expect(!elsewhere.values.isEmpty, "lane 1 never ran on the team's thread")
    }

    @Test func nestedCallsRunBothLanesOnTheCaller() {
        let counts = Counter()
        CoreTeam.shared.run { outer in
            CoreTeam.shared.run { inner in counts.add(10 * outer + inner) }
        }
        #expect(counts.values.sorted() == [0, 1, 10, 11])
    }

    @Test func concurrentCallersAndASleepingWorker() {
        let counts = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<500 { CoreTeam.shared.run { lane in counts.add(caller * 2 + lane) } }
        }
        #expect(counts.values.count == 4 * 500 * 2)
        for key in 0..<8 { #expect(counts.values.filter { $0 == key }.count == 500) }
        // Long enough for the worker to stop spinning and sleep; it must wake for the next job.
        usleep(50_000)
        let after = Counter()
        CoreTeam.shared.run { lane in after.add(lane) }
        #expect(after.values.sorted() == [0, 1])
    }
}

/// A pointer handed to the lanes, which write disjoint elements.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}

/// Values added from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.lock(); stored.append(value); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return stored }
}
