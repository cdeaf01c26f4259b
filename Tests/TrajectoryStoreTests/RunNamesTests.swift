// Run names: a run without a name is called KIND-ID, and a name a user gave that reads the same
// does not block it (the default name's UNIQUE clash failed every later `eval` for good).
import Foundation
import Testing
@testable import TrajectoryStore

@Suite struct RunNamesTests {
    @Test func defaultNamesStepAroundNamesGiven() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        let first = try store.createRun(name: nil, kind: .train, config: "{}")
        #expect(first.name == "train-\(first.id)")
        let a = first.id
        _ = try store.createRun(name: "evaluate-\(a + 2)", kind: .train, config: "{}")
        let evaluation = try store.createRun(name: nil, kind: .evaluate, config: "{}")
        #expect(evaluation.id == a + 2 && evaluation.name == "evaluate-\(a + 2)-2", "\(evaluation.name)")
        _ = try store.createRun(name: "predict-\(a + 5)", kind: .train, config: "{}")
        _ = try store.createRun(name: "predict-\(a + 5)-2", kind: .train, config: "{}")
        let prediction = try store.createRun(name: nil, kind: .predict, config: "{}")
        #expect(prediction.id == a + 5 && prediction.name == "predict-\(a + 5)-3", "\(prediction.name)")
        #expect(throws: StoreError.duplicateRunName("predict-\(a + 5)")) {
            try store.createRun(name: "predict-\(a + 5)", kind: .train, config: "{}")
        }
    }
}
