// Which dataset, split and scene each file goes to, from flags and from the ETH/UCY layout.
import Foundation
import TestSupport
import Testing
@testable import TrajectoryData

@Suite struct ImportPlanTests {
    /// A fresh folder holding `files` (relative paths), each with one ETH/UCY row.
    func tree(_ files: [String]) throws -> String {
        let root = testRoot + "/" + UUID().uuidString
        for file in files {
            let path = root + "/" + file
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try "0\t1\t0\t0\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func sceneFolderTakesSplitsFromFolders() throws {
        let root = try tree(["zara1/train/a_train.txt", "zara1/val/a_val.txt", "zara1/test/b.txt",
                             "zara1/README.md", "zara1/train/notes.md"])
        let items = try ImportPlan.plan(paths: [root + "/zara1"], dataset: nil, split: nil, scene: nil)
        #expect(items.map { "\($0.dataset)/\($0.split.rawValue)/\($0.scene)" }
            == ["zara1/train/a", "zara1/val/a", "zara1/test/b"])
        let renamed = try ImportPlan.plan(paths: [root + "/zara1/"], dataset: "z", split: nil, scene: nil)
        #expect(renamed.map(\.dataset) == ["z", "z", "z"])
    }

    @Test func rootOfSeveralDatasets() throws {
        let root = try tree(["eth/train/x_train.txt", "eth/test/e.txt", "hotel/val/y_val.txt", "hotel/test/h.txt"])
        let items = try ImportPlan.plan(paths: [root], dataset: nil, split: nil, scene: nil)
        #expect(items.map { "\($0.dataset)/\($0.split.rawValue)/\($0.scene)" }
            == ["eth/train/x", "eth/test/e", "hotel/val/y", "hotel/test/h"])
        #expect(throws: ImportError.self) {
            try ImportPlan.plan(paths: [root], dataset: "all", split: nil, scene: nil)
        }
    }

    @Test func singleFiles() throws {
        let root = try tree(["loose/walk_val.txt", "loose/other.txt", "ds/test/t.txt"])
        let file = try ImportPlan.plan(paths: [root + "/loose/walk_val.txt"], dataset: "d", split: nil, scene: nil)
        #expect(file == [ImportItem(path: root + "/loose/walk_val.txt", dataset: "d", split: .val, scene: "walk",
                                    splitSource: "from the file name")])
        let given = try ImportPlan.plan(paths: [root + "/loose/other.txt"], dataset: "d", split: .test, scene: "s")
        #expect(given[0].split == .test && given[0].scene == "s" && given[0].splitSource == "given")
        let inTree = try ImportPlan.plan(paths: [root + "/ds/test/t.txt"], dataset: nil, split: nil, scene: nil)
        #expect(inTree[0].dataset == "ds" && inTree[0].split == .test)
        #expect(throws: ImportError.self) {
            try ImportPlan.plan(paths: [root + "/loose/other.txt"], dataset: nil, split: nil, scene: nil)
        }
    }

    /// Every ETH sequence's file is `obsmat.txt`: its scene is named after its folder, as the
    /// README's commands (`--data hotel/test/seq_hotel`) and a Stanford Drone video's are.
    @Test func anObsmatSceneIsNamedAfterItsSequence() throws {
        #expect(ImportPlan.sceneName("/data/ewap/seq_hotel/obsmat.txt") == "seq_hotel")
        #expect(ImportPlan.sceneName("seq_eth/obsmat.txt") == "seq_eth")
        #expect(ImportPlan.sceneName("/data/crowds_zara01.txt") == "crowds_zara01")
    }

    @Test func refusesBadNamesAndMissingPaths() throws {
        #expect(throws: ImportError.self) {
            try ImportPlan.plan(paths: ["/nonexistent/file.txt"], dataset: "d", split: nil, scene: nil)
        }
        let root = try tree(["a.txt", "b.txt"])
        #expect(throws: ImportError.self) {
            try ImportPlan.plan(paths: [root + "/a.txt"], dataset: "a/b", split: nil, scene: nil)
        }
        #expect(throws: ImportError.self) {
            try ImportPlan.plan(paths: [root], dataset: "d", split: nil, scene: "one")
        }
        for blank in [" ", "", " d", "d\n"] {
            do {
                _ = try ImportPlan.plan(paths: [root + "/a.txt"], dataset: blank, split: nil, scene: nil)
                Issue.record("dataset '\(blank)' accepted")
            } catch {
                #expect("\(error)".contains("a dataset name must be non-empty, hold no '/' and not begin or end with a space"),
                        "\(error)")
            }
        }
    }
}
