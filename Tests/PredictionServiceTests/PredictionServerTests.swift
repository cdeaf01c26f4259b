// The service's answers without a socket: every route, 400 with the field at fault for malformed
// bodies, sessions that keep their tracker's history, and an OpenAPI document whose paths are
// exactly the routes served and whose schemas describe the answers.
import Foundation
import Testing
import TestSupport
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
@testable import PredictionService
@testable import Workflows

/// A store with one scene imported and a one-epoch anchors run "a" (fast: k-means, no gradient steps).
let serviceStorePath: String = {
    let store = try! Store(path: temporaryFolder() + "/s.sqlite")
    let settings = ImportSettings(dataset: "zara1")
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    _ = Importing.run(store, items: try! Importing.plan([root + "/data/zara1"], settings), settings)
    let configuration = try! TrainingRunConfiguration(
        family: "anchors", options: ModelOptions(), training: try! TrainingRunConfiguration.defaultTraining(family: "anchors"),
        train: ["zara1/train/crowds_zara02"], val: ["zara1/val/crowds_zara02"])
    _ = try! TrainingSession.start(store, configuration: configuration, name: "a").run()
    return store.path
}()

func server(_ settings: ServerSettings = ServerSettings()) throws -> PredictionServer {
    let store = try Store(path: serviceStorePath, create: false)
    return try PredictionServer(predictor: try OnlinePredictor.load(store, run: "a", checkpoint: .best), settings: settings)
}

func json(_ data: Data) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}

/// Eight positions of a walker on the model's step, as `[[x, y], …]`.
let eightSteps = (0..<8).map { [Double($0) * 0.5, 1.0] }

@Suite struct PredictionServerTests {
    @Test func predictAnswersFuturesAndWaiting() throws {
        let server = try server()
        let body = try JSONSerialization.data(withJSONObject: [
            "k": 4, "time": 10.0,
            "agents": [["id": "a", "positions": eightSteps], ["id": 3, "positions": [[0.0, 0.0]]]],
        ] as [String: Any])
        let answer = server.answer(.predict, body: body)
        #expect(answer.status == 200)
        let forecast = json(answer.body)
        #expect(forecast["time"] as? Double == 10 && forecast["waiting"] as? [String] == ["3"])
        let prediction = try #require((forecast["predictions"] as? [[String: Any]])?.first)
        #expect(prediction["id"] as? String == "a")
        #expect((prediction["futures"] as? [[[Double]]])?.count == 4 && (prediction["futures"] as? [[[Double]]])?[0].count == 12)
        #expect((prediction["times"] as? [Double])?.prefix(2) == [10.4, 10.8])
        #expect((prediction["probabilities"] as? [Double])?.count == 4)
        // The same request with times at another rate, ending at the same place and time: the same futures.
        let timed = try JSONSerialization.data(withJSONObject: [
            "k": 4,
            "agents": [["id": "a", "positions": (0...14).map { [Double($0) * 0.25, 1.0] },
                        "times": (0...14).map { 7.2 + Double($0) * 0.2 }]],
        ] as [String: Any])
        let again = json(server.answer(.predict, body: timed).body)
        let first = try #require((again["predictions"] as? [[String: Any]])?.first)
        let a = (prediction["futures"] as? [[[Double]]])!.flatMap { $0.flatMap { $0 } }
        let b = (first["futures"] as? [[[Double]]])!.flatMap { $0.flatMap { $0 } }
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-4 })
    }

    @Test func malformedBodiesAre400NamingTheField() throws {
        let server = try server()
        let cases: [(PredictionServer.Operation, String, String)] = [
            (.predict, "{", ""),
            (.predict, #"{"agents": [{"id": "a"}]}"#, "agents[0].positions"),
            (.predict, #"{"agents": [{"id": "a", "positions": [[1]]}]}"#, "agents[0].positions[0]"),
            (.predict, #"{"agents": [{"id": "a", "positions": [[1, 2], [3, 4]], "times": [1]}]}"#, "agents[0].times"),
            (.predict, #"{"agents": [{"id": "a", "positions": [[1, 2], [3, 4]], "times": [2, 1]}]}"#, "agents[0].times[1]"),
            (.predict, #"{"agents": [{"id": "a", "positions": [[1, 2]]}, {"id": "a", "positions": [[1, 2]]}]}"#, "agents[1].id"),
            (.predict, #"{"k": 0, "agents": []}"#, "k"),
            (.predict, #"{"k": 21, "agents": []}"#, "k"),
            (.predict, #"{"k": "many", "agents": []}"#, "k"),
            (.predict, #"{"seed": -1, "agents": []}"#, "seed"),
            (.sessionFrames, #"{"agents": []}"#, "time"),
            (.sessionFrames, #"{"time": 1, "agents": [{"id": "a", "y": 1}]}"#, "agents[0].x"),
            (.sessionFrames, "[]", ""),
            (.sessionFrames, #"{"time": 1, "agents": [], "seed": 1.5}"#, "seed"),
            (.sessionFrames, #"{"time": 1, "agents": [], "k": 1000}"#, "k"),
            (.predict, #"{"k": 1.5, "agents": []}"#, "k"),
            (.sessionFrames, #"{"time": 1, "agents": [{"id": "", "x": 1, "y": 1}]}"#, "agents[0].id"),
            (.predict, #"{"agents": [{"id": "", "positions": [[1, 2]]}]}"#, "agents[0].id"),
            (.sessionFrames, #"{"time": 1, "agents": [], "k": 99999999999999999999}"#, "k"),
        ]
        for (operation, body, field) in cases {
            let answer = server.answer(operation, parameters: ["id": "s"], body: Data(body.utf8))
            #expect(answer.status == 400, "\(body)")
            let error = json(answer.body)
            #expect(error["field"] as? String == field, "\(body): \(error)")
            #expect((error["error"] as? String)?.isEmpty == false)
        }
        // In the request's words, not the command line's.
        let tooMany = json(server.answer(.predict, parameters: [:], body: Data(#"{"k": 21, "agents": []}"#.utf8)).body)
        #expect(tooMany["error"] as? String == "k: must be at most 20, the futures this anchors model makes", "\(tooMany)")
        let fraction = json(server.answer(.predict, parameters: [:], body: Data(#"{"k": 1.5, "agents": []}"#.utf8)).body)
        #expect(fraction["error"] as? String == "k: must be an integer", "\(fraction)")
        // A whole number beyond any integer type is too many futures, not "no integer".
        for (k, said) in [("1e21", "at most 20, the futures this anchors model makes"), ("-1e21", "at least 1"),
                          ("99999999999999999999", "at most 20, the futures this anchors model makes")] {
            let answer = json(server.answer(.predict, parameters: [:], body: Data(#"{"k": \#(k), "agents": []}"#.utf8)).body)
            #expect(answer["error"] as? String == "k: must be \(said)", "\(k): \(answer)")
        }
        // More futures than one answer holds (agents × k): refused before the session remembers anything.
        let crowd = (0..<25_001).map { #"{"id": "\#($0)", "x": \#($0), "y": 0}"# }.joined(separator: ", ")
        let big = server.answer(.sessionFrames, parameters: ["id": "crowd"],
                                body: Data(#"{"time": 1, "k": 20, "agents": [\#(crowd)]}"#.utf8))
        #expect(big.status == 400 && json(big.body)["error"] as? String
                == "agents: 25001 agents × k 20 is more than 500,000 futures in one answer; ask for fewer agents or a smaller k",
                "\(json(big.body))")
        let paths = (0..<25_001).map { #"{"id": "\#($0)", "positions": [[\#($0), 0]]}"# }.joined(separator: ", ")
        #expect(server.answer(.predict, parameters: [:], body: Data(#"{"k": 20, "agents": [\#(paths)]}"#.utf8)).status == 400)
        let fewer = server.answer(.sessionFrames, parameters: ["id": "crowd"],
                                  body: Data(#"{"time": 1, "k": 20, "agents": [{"id": "a", "x": 0, "y": 0}]}"#.utf8))
        #expect(fewer.status == 200, "the refused frame left no time behind: \(json(fewer.body))")
    }

    @Test func sessionsKeepTheirTrackersHistory() throws {
        let server = try server()
        func frame(_ session: String, _ step: Int) -> [String: Any] {
            let body = try! JSONSerialization.data(withJSONObject: [
                "time": Double(step) * 0.4, "k": 2, "agents": [["id": "w", "x": Double(step) * 0.5, "y": 1.0]],
            ] as [String: Any])
            let answer = server.answer(.sessionFrames, parameters: ["id": session], body: body)
            return answer.status == 200 ? json(answer.body) : ["status": answer.status]
        }
        for step in 0..<7 { #expect(frame("one", step)["waiting"] as? [String] == ["w"]) }
        #expect(frame("two", 0)["waiting"] as? [String] == ["w"])
        let seventh = frame("one", 7)
        #expect((seventh["predictions"] as? [[String: Any]])?.count == 1)
        // Time going backwards in a session is a 400 on `time`, and the session is unchanged.
        #expect(frame("one", 3)["status"] as? Int == 400)
        #expect((frame("one", 8)["predictions"] as? [[String: Any]])?.count == 1)
        #expect(server.sessions.count == 2)
        #expect(server.answer(.deleteSession, parameters: ["id": "one"]).status == 204)
        #expect(server.answer(.deleteSession, parameters: ["id": "one"]).status == 404)
        #expect(frame("one", 9)["waiting"] as? [String] == ["w"])
        // Beyond the limit, the least recently used session makes room.
        var settings = ServerSettings()
        settings.sessionLimit = 2
        let small = try PredictionServer(predictor: server.predictor, settings: settings)
        for id in ["a", "b", "c"] {
            let body = Data(#"{"time": 1, "agents": []}"#.utf8)
            #expect(small.answer(.sessionFrames, parameters: ["id": id], body: body).status == 200)
        }
        #expect(small.sessions.count == 2)
    }

    @Test func modelAndHealth() throws {
        let model = json(try server().answer(.model).body)
        #expect(model["run"] as? String == "a" && model["family"] as? String == "anchors")
        #expect(model["observed"] as? Int == 8 && model["predicted"] as? Int == 12 && model["dt"] as? Double == 0.4)
        #expect((model["k"] as? [String: Int]) == ["min": 1, "max": 20, "default": 20])
        #expect(json(try server().answer(.health).body)["status"] as? String == "ok")
    }

    @Test func theOpenAPIDocumentListsExactlyTheRoutesServed() throws {
        let document = json(try server().answer(.openAPI).body)
        #expect(document["openapi"] as? String == "3.0.3")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented: [String] = []
        for (path, operations) in paths {
            for method in operations.keys { documented.append(method.uppercased() + " " + path) }
        }
        #expect(documented.sorted() == PredictionServer.routes.map { $0.method + " " + $0.path }.sorted())
        #expect(Set(PredictionServer.routes.map(\.operation)) == Set(PredictionServer.Operation.allCases))
        // Each schema's required keys are what the answers carry.
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]])
        let model = json(try server().answer(.model).body)
        #expect(Set(schemas["Model"]?["required"] as? [String] ?? []) == Set(model.keys))
        let forecast = json(try server().answer(.predict, body: Data(#"{"agents": [{"id": "a", "positions": [[0, 0]]}]}"#.utf8)).body)
        #expect(Set(schemas["Forecast"]?["required"] as? [String] ?? []) == Set(forecast.keys))
        let error = json(try server().answer(.predict, body: Data("{".utf8)).body)
        #expect(Set(schemas["Error"]?["required"] as? [String] ?? []) == Set(error.keys))
    }
}
