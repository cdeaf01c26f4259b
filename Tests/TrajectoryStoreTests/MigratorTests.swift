// Schema migrations: a fresh file, a re-open, a newer database, files that are not ours, and the
// copy of migrations/ carried in the binary.
import Foundation
import Testing
@testable import TrajectoryStore

@Suite struct MigratorTests {
    @Test func freshDatabaseGetsEverySchemaAndSettings() throws {
        let path = temporaryFolder() + "/t.sqlite"
        let store = try Store(path: path)
        let db = store.database
        #expect(try db.scalarInt("PRAGMA user_version") == Int64(Migration.embedded.last!.version))
        #expect(try db.scalarInt("PRAGMA application_id") == Int64(Migrator.applicationID))
        #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        let strict = try db.scalarInt("SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND strict = 0 "
            + "AND type = 'table' AND name NOT LIKE 'sqlite_%'")
        #expect(strict == 0, "every table is STRICT")
        for view in ["trajectory", "track", "scene_summary", "dataset_summary"] {
            #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'view' AND name = ?1",
                                     .text(view)) == 1)
        }
    }

    @Test func runsOfTheThirdSchemaReadAsCVAERunsAfterTheFourth() throws {
        // A database as trajpred wrote it before model families: β at the top of the configuration.
        let path = temporaryFolder() + "/t.sqlite"
        do {
            let db = try Database(path: path)
            try Migrator.migrate(db, migrations: Array(Migration.embedded.prefix(3)))
            #expect(try db.scalarInt("PRAGMA user_version") == 3)
            try db.execute("""
                INSERT INTO run (name, kind, status, config) VALUES ('old', 'train', 'completed',
                  '{"batch":256,"beta":1,"betaWarmupEpochs":0,"epochs":7,"learningRate":0.001,"model":{"encoder":"gru",'
                  || '"hidden":128,"latent":16,"observed":8,"predicted":12},"rotate":true,"seed":0,"train":["a"],'
                  || '"val":["b"],"validationSamples":20}')
                """)
        }
        let store = try Store(path: path)
        #expect(try store.database.scalarInt("PRAGMA user_version") == Int64(Migration.embedded.last!.version))
        let row = try store.listing("SELECT name, model, encoder, beta, epochs_planned FROM run_summary")
        #expect(row.rows == [[.text("old"), .text("cvae"), .text("gru"), .integer(1), .integer(7)]])
        // A run of the new layout: β under "model", the family named.
        try store.database.execute("""
            INSERT INTO run (name, kind, status, config) VALUES ('new', 'train', 'completed',
              '{"family":"cvae","model":{"beta":0.01,"encoder":"mlp"},"epochs":3}')
            """)
        let new = try store.listing("SELECT model, encoder, beta FROM run_summary WHERE name = 'new'")
        #expect(new.rows == [[.text("cvae"), .text("mlp"), .real(0.01)]])
    }

    /// run_summary by kind (schema 10; a cvae-dlow run's CVAE, schema 11): an evaluation names its trained run and that run's model and
    /// counts no epochs (nor a model once that run is deleted); only the CVAEs have a last KL; a run of
    /// before families (no "family") is a CVAE.
    @Test func runSummarySaysWhatEachKindOfRunHas() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        try store.database.execute("""
            INSERT INTO run (id, name, kind, status, config) VALUES
              (1, 'w', 'train', 'completed', '{"family":"wta","model":{},"epochs":2}'),
              (2, 'c', 'train', 'completed', '{"family":"cvae","model":{"beta":1},"epochs":2}'),
              (5, 'd', 'train', 'interrupted', '{"family":"cvae-dlow","model":{},"epochs":4}'),
              (6, 'old', 'train', 'completed', '{"beta":1,"epochs":1,"model":{"encoder":"gru"}}'),
              (8, 'dlow', 'train', 'completed',
               '{"family":"cvae-dlow","model":{"cvae":{"encoder":"mlp","beta":0.01},"cvaeEpochs":2},"epochs":3}');
            INSERT INTO run (id, name, kind, status, config, parent_id) VALUES
              (3, 'e', 'evaluate', 'completed', '{}', 1), (4, 'p', 'predict', 'completed', '{}', 2),
              (7, 'orphan', 'evaluate', 'completed', '{}', NULL);
            INSERT INTO epoch (run_id, epoch, loss, reconstruction, kl, beta, learning_rate, seconds) VALUES
              (1, 1, 1, 1, 0, 0, 0.001, 1), (1, 2, 1, 1, 0, 0, 0.001, 1), (2, 1, 3, 2, 0.5, 1, 0.001, 1),
              (5, 1, 3, 2, 0.25, 1, 0.001, 1), (6, 1, 3, 2, 0.75, 1, 0.001, 1),
              (8, 1, 3, 2, 0.5, 0.01, 0.001, 1), (8, 2, 3, 2, 0.125, 0.01, 0.001, 1), (8, 3, 1, 1, 0, 0, 0.001, 1);
            """)
        // A cvae-dlow run's CVAE (schema 11): its encoder and β, and the KL of its CVAE's last epoch, not
        // the sampler's 0 after it.
        #expect(try store.listing("SELECT encoder, beta, last_kl FROM run_summary WHERE name = 'dlow'").rows
                    == [[.text("mlp"), .real(0.01), .real(0.125)]])
        let rows = try store.listing("SELECT name, model, trained_run_id, epochs, last_kl FROM run_summary WHERE id < 8 ORDER BY id").rows
        #expect(rows == [[.text("w"), .text("wta"), .null, .integer(2), .null],
                         [.text("c"), .text("cvae"), .null, .integer(1), .real(0.5)],
                         [.text("e"), .text("wta"), .integer(1), .null, .null],
                         [.text("p"), .text("cvae"), .integer(2), .null, .null],
                         [.text("d"), .text("cvae-dlow"), .null, .integer(1), .real(0.25)],
                         [.text("old"), .text("cvae"), .null, .integer(1), .real(0.75)],
                         [.text("orphan"), .null, .null, .null, .null]])
    }

    @Test func reopeningIsANoOp() throws {
        let path = temporaryFolder() + "/t.sqlite"
        let first = try Store(path: path)
        try first.database.execute("INSERT INTO dataset (name) VALUES ('kept')")
        let before = try snapshot(first.database)
        let schema = try first.database.scalarText("SELECT group_concat(sql, ';') FROM sqlite_schema")
        let second = try Store(path: path)
        #expect(try snapshot(second.database) == before)
        #expect(try second.database.scalarText("SELECT group_concat(sql, ';') FROM sqlite_schema") == schema)
    }

    @Test func newerDatabaseIsRefused() throws {
        let path = temporaryFolder() + "/t.sqlite"
        try Store(path: path).database.execute("PRAGMA user_version = 999")
        #expect(throws: StoreError.newerSchema(path: path, found: 999, supported: Migration.embedded.last!.version)) {
            try Store(path: path)
        }
    }

    @Test func foreignFilesAreRefused() throws {
        let folder = temporaryFolder()
        let text = folder + "/notes.sqlite"
        try "just some text, long enough to not be an empty database file".write(
            toFile: text, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.notADatabase(path: text)) { try Store(path: text) }
        #expect(try String(contentsOfFile: text, encoding: .utf8).hasPrefix("just some text"), "left untouched")

        let other = folder + "/other.sqlite"
        try Database(path: other).execute("CREATE TABLE bookmark (url TEXT)")
        #expect(throws: StoreError.foreignDatabase(path: other, applicationID: 0)) { try Store(path: other) }

        let tagged = folder + "/tagged.sqlite"
        try Database(path: tagged).execute("PRAGMA application_id = 42")
        #expect(throws: StoreError.foreignDatabase(path: tagged, applicationID: 42)) { try Store(path: tagged) }
    }

    @Test func missingDatabaseForReadingIsAnError() throws {
        let path = temporaryFolder() + "/absent.sqlite"
        #expect(throws: StoreError.missingDatabase(path: path)) { try Store(path: path, create: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func failedMigrationLeavesTheFileAsItWas() throws {
        let path = temporaryFolder() + "/t.sqlite"
        let broken = Migration.embedded + [Migration(version: 99, name: "0099_broken",
                                                     sql: "CREATE TABLE x (a INTEGER) STRICT; SELECT nope FROM nowhere;")]
        let db = try Database(path: path)
        #expect(throws: StoreError.self) { try Migrator.migrate(db, migrations: broken) }
        #expect(try db.scalarInt("PRAGMA user_version") == Int64(Migration.embedded.last!.version))
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 'x'") == 0)
    }

    @Test func embeddedCopyEqualsTheMigrationsFolder() throws {
        let folder = repositoryRoot + "/migrations"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.count == Migration.embedded.count, "run .ci/gen-migrations after adding a migration")
        for (file, migration) in zip(files, Migration.embedded) {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            #expect(migration.name + ".sql" == file)
            #expect(Int(file.prefix(4)) == migration.version)
            #expect(migration.sql == String(text.dropLast(text.hasSuffix("\n") ? 1 : 0)),
                    "\(file) differs from the embedded copy: run .ci/gen-migrations")
        }
        #expect(Migration.embedded.map(\.version) == Array(1...Migration.embedded.count))
    }

    @Test func aSixthSchemaDatabaseMigratesWithItsRowsAsTheViewsShowedThem() throws {
        // Schema 6 computed frames, times and track lengths from every position; schema 7 keeps
        // them (scene_frame, the agent's steps): the views answer exactly as before, gaps, decimal
        // frames (12.4) and a frame beyond 2^31 included.
        let path = temporaryFolder() + "/old.sqlite"
        let views = ["SELECT * FROM trajectory ORDER BY dataset, split, scene, pedestrian, step",
                     "SELECT * FROM track ORDER BY agent_id", "SELECT * FROM pixel_position ORDER BY scene, pedestrian, step"]
        var before: [[String]] = []
        do {
            let db = try Database(path: path)
            try Migrator.migrate(db, migrations: Array(Migration.embedded.prefix(6)))
            try db.execute("""
                INSERT INTO dataset (name) VALUES ('d');
                INSERT INTO scene (dataset_id, name, split, frame_origin, frame_step, time_step, source_path,
                                   source_sha256, source_format, source_rows, frame_decimals, pixel_mapping, image_to_world)
                VALUES (1, 's', 'test', 0, 10, 0.4, '/x', printf('%064d', 0), 'ethucy', 4, 0, NULL, NULL),
                       (1, 't', 'test', 3000000000, 0.4, 0.4, '/y', printf('%064d', 1), 'csv', 3, 1,
                        'scale', '[0.05, 0, 0, 0, 0.05, 0, 0, 0, 1]');
                INSERT INTO agent (scene_id, name) VALUES (1, 'a'), (1, 'b'), (2, 'c');
                INSERT INTO position (agent_id, step, x, y) VALUES (1, 0, 1, 2), (1, 1, 3, 4), (1, 4, 5, 6), (2, 1, 7, 8),
                                                                   (3, 31, 0, 0), (3, 32, 1, 1), (3, 34, 2, 2);
                """)
            for view in views { before.append(try db.prepare(view).rows { row in (0..<row.columnCount).map { "\(row.value($0))" } }.map { $0.joined(separator: "|") }) }
        }
        let store = try Store(path: path)
        #expect(try store.database.scalarInt("PRAGMA user_version") == Int64(Migration.embedded.last!.version))
        for (view, rows) in zip(views, before) {
            let after = try store.database.prepare(view).rows { row in (0..<row.columnCount).map { "\(row.value($0))" } }
            #expect(after.map { $0.joined(separator: "|") } == rows, "\(view)")
        }
        #expect(try store.listing("SELECT first_frame, last_frame, positions, gaps FROM track WHERE pedestrian = 'a'").rows
            == [[.integer(0), .integer(40), .integer(3), .integer(2)]])
        #expect(try store.database.scalarText("SELECT group_concat(frame, ' ') FROM trajectory WHERE scene = 't'")
            == "3000000012.4 3000000012.8 3000000013.6")
        #expect(try store.database.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }
}
