// The SQL the README shows, read from README.md itself, on a small store with every table filled:
// each query answers, none walks a large table (position, prediction, agent, scene_frame) from
// its start (SQLite's bytecode: no cursor on their B-trees is rewound), everyone at a frame or a
// time goes through scene_frame and agent_span (the agents present then), and 200,000 more positions elsewhere add almost no work
// (SQLite's count of virtual-machine steps, the same on any machine; no timing). So a later
// migration, or a README edit, cannot silently lose an index.
import Foundation
import Testing
import TrajectoryData
@testable import TrajectoryStore

@Suite struct ReadmeQueryTests {
    /// The statements of the README's ```sql blocks, comments dropped, without those that call the
    /// sqlite3 shell's own functions (writefile).
    static func readmeQueries() throws -> [String] {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        var queries: [String] = [], current = "", inSQL = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inSQL = line == "```sql"
                continue
            }
            guard inSQL else { continue }
            let code = line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line)
            current += code + "\n"
            if code.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                queries.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        return queries.filter { !$0.contains("writefile(") }
    }

    /// data/zara1 with a training run (1: epochs, a checkpoint with a tensor), a predict run (2) and
    /// an evaluate run (3), as the README's queries expect.
    static func readmeStore() throws -> Store {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        for item in try ImportPlan.plan(paths: [repositoryRoot + "/data/zara1"], dataset: nil, split: nil, scene: nil) {
            _ = try store.importFile(item)
        }
        try store.database.execute("""
            INSERT INTO run (id, name, kind, status, config) VALUES
                (1, 'zara1-mlp', 'train', 'completed', '{"family": "cvae", "model": {"encoder": "mlp", "beta": 0.01}}'),
                (2, 'p', 'predict', 'completed', '{}'), (3, 'e', 'evaluate', 'completed',
                 '{"data": "zara1/test, zara1/val", "selections": ["zara1/test", "zara1/val"]}');
            UPDATE run SET parent_id = 1 WHERE id > 1;
            INSERT INTO epoch (run_id, epoch, loss, reconstruction, kl, beta, learning_rate, val_min_ade, val_min_fde, seconds)
                VALUES (1, 1, 2, 1.5, 0.5, 0.01, 0.001, 0.4, 0.8, 1), (1, 2, 1, 0.8, 0.2, 0.01, 0.001, 0.3, 0.6, 1);
            INSERT INTO checkpoint (id, run_id, label, epoch, step, state) VALUES (1, 1, 'best', 2, 0, '{}');
            INSERT INTO tensor (checkpoint_id, name, shape, data) VALUES (1, 'dec.4.weight', '[2, 2]', zeroblob(16));
            INSERT INTO prediction (run_id, agent_id, last_observed_step, sample, step, x, y)
                SELECT 2, agent_id, step, 0, 1, x, y FROM position WHERE step % 50 = 0;
            INSERT INTO metric (run_id, scope, method, name, value) VALUES (3, 'all', 'cvae', 'min_ade', 0.3);
            """)
        return store
    }

    /// Positions, agents and predictions of another dataset, with a scene of the same name as the
    /// README's (as in the ETH/UCY tree): 2,000 walkers of 100 steps over the same frames, about
    /// 14 present at a time.
    static let bulkPositions = 200_000
    static func addBulk(to database: Database) throws {
        try database.execute("""
            INSERT INTO dataset (name) VALUES ('bulk');
            INSERT INTO scene (dataset_id, name, split, frame_origin, frame_step, time_step, source_path, source_sha256,
                               source_format, source_rows, frame_decimals)
                SELECT id, 'crowds_zara01', 'train', 0, 10, 0.4, '/bulk', printf('%064d', 7), 'ethucy', 200000, 0
                FROM dataset WHERE name = 'bulk';
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999)
            INSERT INTO agent (scene_id, name, first_step, last_step, position_count)
                SELECT (SELECT max(id) FROM scene), i, (i * 7) % 14000, (i * 7) % 14000 + 99, 100 FROM n;
            WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 99)
            INSERT INTO position (agent_id, step, x, y)
                SELECT a.id, a.first_step + j, j * 0.4, 1.0 FROM agent AS a, k WHERE a.scene_id = (SELECT max(id) FROM scene);
            INSERT INTO scene_frame (scene_id, step, frame, time)
                SELECT DISTINCT a.scene_id, p.step, p.step * 10, p.step * 0.4 FROM position AS p JOIN agent AS a ON a.id = p.agent_id
                WHERE a.scene_id = (SELECT max(id) FROM scene);
            INSERT INTO run (id, name, kind, status, config) VALUES (4, 'bulk', 'predict', 'completed', '{}');
            INSERT INTO prediction (run_id, agent_id, last_observed_step, sample, step, x, y)
                SELECT 4, p.agent_id, p.step, 0, 1, p.x, p.y FROM position AS p JOIN agent AS a ON a.id = p.agent_id
                WHERE a.scene_id = (SELECT max(id) FROM scene);
            """)
    }

    /// The rows of `query` and the work SQLite did for them, in virtual-machine steps.
    static func answer(_ query: String, in database: Database) throws -> (rows: [[SQLValue]], work: Int) {
        let statement = try database.prepare(query)
        let rows = try statement.rows { row in (0..<row.columnCount).map { row.value($0) } }
        return (rows, statement.virtualMachineSteps)
    }

    @Test func everyReadmeQueryAnswersWithoutReadingALargeTableWhole() throws {
        let store = try Self.readmeStore()
        let database = store.database
        let queries = try Self.readmeQueries()
        #expect(queries.count >= 10, "the README's SQL was found")
        for kind in ["FROM trajectory", "FROM track", "FROM prediction_view", "FROM epoch"] {
            #expect(queries.contains { $0.contains(kind) }, "the README shows a query \(kind)")
        }
        var before: [String: (rows: [[SQLValue]], work: Int)] = [:]
        for query in queries {
            before[query] = try Self.answer(query, in: database)
            // Queries of the data of the README's other sections (dataset 'hotel', 'lab') run here on zara1 alone.
            if !query.contains("dataset = '") || query.contains("dataset = 'zara1'") {
                #expect(before[query]?.rows.isEmpty == false, "the README's query answers on its data: \(query)")
            }
            let walked = try Self.tablesWalkedWhole(by: query, in: database)
            let plan = try Self.plan(of: query, in: database)
            #expect(walked.isDisjoint(with: ["position", "prediction", "agent", "scene_frame"]),
                    "\(query)\nreads \(walked.sorted()) whole:\n\(plan)")
        }
        let atInstants = queries.filter {
            ($0.contains("FROM trajectory") || $0.contains("FROM pixel_position")) && ($0.contains("frame =") || $0.contains("time >="))
        }
        #expect(atInstants.count >= 2, "everyone at a frame and at a time")
        for query in atInstants {
            #expect(try Self.plan(of: query, in: database).contains("agent_span (scene_id=? AND first_step<?)"), "\(query)")
        }

        // 200,000 more positions and predictions elsewhere: no query does more than a little more
        // work (a query that reads positions one by one does at least one step per position), and
        // those of zara1 answer the same (the scene's name alone would now find two scenes).
        let whole = "SELECT count(*) FROM trajectory WHERE x > 3"
        let wholeBefore = try Self.answer(whole, in: database).work
        try Self.addBulk(to: database)
        let wholeGrowth = try Self.answer(whole, in: database).work - wholeBefore
        #expect(wholeGrowth >= Self.bulkPositions, "the measure sees a full read")
        for query in queries {
            let after = try Self.answer(query, in: database)
            let growth = after.work - before[query]!.work, plan = try Self.plan(of: query, in: database)
            #expect(growth < Self.bulkPositions / 10, "\(query)\ndid \(growth) more steps:\n\(plan)")
            if query.contains("dataset = 'zara1'") {
                #expect(after.rows == before[query]!.rows, "\(query)")
            }
        }
    }

    @Test func theBytecodeCheckSeesAWholeTableRead() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        #expect(try Self.tablesWalkedWhole(by: "SELECT * FROM prediction WHERE sample = 0", in: store.database)
            == ["prediction"])
        #expect(try Self.tablesWalkedWhole(by: "SELECT * FROM position WHERE x > 3", in: store.database) == ["position"])
        // The track view of schema 6 (an aggregate over every agent's positions) walked agent whole.
        #expect(try Self.tablesWalkedWhole(by: """
            SELECT a.id, count(*) FROM agent AS a JOIN position AS p ON p.agent_id = a.id GROUP BY a.id
            """, in: store.database).contains("agent"))
    }

    /// The tables whose B-trees (the table or one of its indexes) the statement walks from the
    /// start: a cursor opened on their root page and then rewound (Rewind, or Last for a walk backwards).
    static func tablesWalkedWhole(by query: String, in database: Database) throws -> Set<String> {
        let owners = Dictionary(uniqueKeysWithValues: try database.prepare(
            "SELECT rootpage, tbl_name FROM sqlite_schema WHERE rootpage > 0").rows { ($0.int(0), $0.text(1)) })
        var cursors: [Int64: String] = [:], walked: Set<String> = []
        for (opcode, p1, p2) in try database.prepare("EXPLAIN " + query).rows([], { ($0.text(1), $0.int(2), $0.int(3)) }) {
            switch opcode {
            case "OpenRead", "ReopenIdx": cursors[p1] = owners[p2]
            case "Rewind", "Last": if let table = cursors[p1] { walked.insert(table) }
            default: break
            }
        }
        return walked
    }

    /// EXPLAIN QUERY PLAN's lines, for messages.
    static func plan(of query: String, in database: Database) throws -> String {
        try database.prepare("EXPLAIN QUERY PLAN " + query).rows { $0.text(3) }.joined(separator: "\n")
    }
}
