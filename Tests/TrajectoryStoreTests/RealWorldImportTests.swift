// Imports of the files the field publishes (../shared/data/raw): ETH obsmat with its frame step,
// seq_eth resampled onto the benchmark's frames, pixels through H.txt and back, the Stanford Drone
// video with its published scale; a tracker's jittered 30 Hz timestamps; times as written; bad
// homographies, scales, images and rows store nothing; an old database migrates.
import Foundation
import Testing
@testable import TrajectoryData
@testable import TrajectoryStore

let raw = repositoryRoot + "/../shared/data/raw"

private func item(_ path: String, _ dataset: String, scene: String) -> ImportItem {
    ImportItem(path: path, dataset: dataset, split: .test, scene: scene, splitSource: "given")
}

/// (frame, pedestrian) → (x, y) of a stored scene, frames as the trajectory view shows them.
private func positions(_ store: Store, dataset: String) throws -> [String: (Double, Double)] {
    let rows = try store.database.prepare("SELECT frame, pedestrian, x, y FROM trajectory WHERE dataset = ?1")
        .rows([.text(dataset)]) { ("\(formatted($0.double(0)))/\($0.text(1))", ($0.double(2), $0.double(3))) }
    return Dictionary(rows, uniquingKeysWith: { a, _ in a })
}

@Suite struct RealWorldImportTests {
    @Test func obsmatImportsWithItsFrameStep() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        let hotel = try store.importFile(item(raw + "/eth_obsmat/seq_hotel/obsmat.txt", "hotel", scene: "seq_hotel"),
                                         grid: GridOptions())
        #expect(hotel.outcome == .imported(pedestrians: 390, positions: 6544))
        #expect(hotel.gridDetail.contains("frame step 10 (detected), dt 0.4 s"))
        // seq_eth's annotation restarts at other phases of its 6-frame step (780 + 6k, then 4163 + 6k…):
        // not one grid, so a plain import says to resample, and stores nothing.
        let before = try snapshot(store.database)
        let eth = item(raw + "/eth_obsmat/seq_eth/obsmat.txt", "eth", scene: "seq_eth")
        #expect(throws: ImportError.self) { try store.importFile(eth, grid: GridOptions()) }
        do {
            _ = try store.importFile(eth, grid: GridOptions())
        } catch let error as ImportError {
            #expect("\(error)".contains("--resample") && "\(error)".contains("obsmat.txt:1448"))
        }
        #expect(try snapshot(store.database) == before)
        // Resampled at 0.4 s: its own detected step, 6 frames.
        let resampled = try store.importFile(eth, grid: GridOptions(resample: 0.4))
        #expect(resampled.gridDetail.contains("(6 frame units)"))
        #expect(try store.scenes(selection: "eth/test/seq_eth")[0].frameStep == 6)
    }

    @Test func sequenceEthResampledEveryTenFramesIsTheBenchmarkFile() throws {
        // biwi_eth.txt is seq_eth's annotation interpolated at frames that are multiples of 10 of a
        // 15 fps video (0.667 s; ../shared/data/raw/README.md).
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        _ = try store.importFile(item(raw + "/eth_obsmat/seq_eth/obsmat.txt", "eth", scene: "seq_eth"),
                                 grid: GridOptions(resample: 10 * 0.4 / 6, maxGap: 1.2))
        let ours = try positions(store, dataset: "eth")
        var matched = 0, benchmark = 0, worst = 0.0
        let text = try String(contentsOfFile: repositoryRoot + "/../shared/data/ethucy/eth/test/biwi_eth.txt", encoding: .utf8)
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            benchmark += 1
            guard let (x, y) = ours["\(formatted(f[0]))/\(formatted(f[1]))"] else { continue }
            matched += 1
            worst = max(worst, ((x - f[2]) * (x - f[2]) + (y - f[3]) * (y - f[3])).squareRoot())
        }
        #expect(worst < 0.01, "largest difference \(worst) m")
        #expect(matched == ours.count && Double(matched) >= 0.9 * Double(benchmark), "\(matched) of \(benchmark)")
    }

    @Test func pixelsThroughTheHomographyComeBackWithinAMillimetre() throws {
        // ETH's H.txt multiplies (row, column, 1): the first obsmat position is pixel row 327, column 276
        // (numpy: inv(H) @ (8.4568443, 3.5880664, 1)).
        let h = try PixelMapping.homography(contentsOf: raw + "/eth_obsmat/seq_eth/H.txt", axes: .yx)
        let (u, v) = h.image(x: 8.4568443, y: 3.5880664)
        #expect(abs(u - 276) < 1e-3 && abs(v - 327) < 1e-3)
        // Every position to pixels (columns, rows), written as a CSV, imported back with --homography.
        let text = try String(contentsOfFile: raw + "/eth_obsmat/seq_hotel/obsmat.txt", encoding: .utf8)
        var csv = "frame,id,x,y\n"
        var truth: [String: (Double, Double)] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ").compactMap { Double($0) }
            let hotel = try PixelMapping.homography(contentsOf: raw + "/eth_obsmat/seq_hotel/H.txt", axes: .yx)
            let (u, v) = hotel.image(x: f[2], y: f[4])
            #expect(u >= 0 && u <= 720 && v >= 0 && v <= 576, "inside the 720×576 reference image")
            csv += "\(formatted(f[0])),\(formatted(f[1])),\(u),\(v)\n"
            truth["\(formatted(f[0]))/\(formatted(f[1]))"] = (f[2], f[4])
        }
        let path = temporaryFolder() + "/pixels.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        _ = try store.importFile(item(path, "px", scene: "pixels"), grid: GridOptions(
            pixels: try PixelMapping.homography(contentsOf: raw + "/eth_obsmat/seq_hotel/H.txt", axes: .yx)))
        let back = try positions(store, dataset: "px")
        #expect(back.count == truth.count)
        let worst = back.map { key, p in hypot(p.0 - truth[key]!.0, p.1 - truth[key]!.1) }.max()!
        #expect(worst < 0.001, "largest difference \(worst) m")
        // The store gives the pixels back in SQL.
        let pixel = try store.database.prepare("SELECT u, v FROM pixel_position WHERE dataset = 'px' ORDER BY step LIMIT 1")
            .rows([]) { ($0.double(0), $0.double(1)) }[0]
        #expect(pixel.0 >= 0 && pixel.0 <= 720 && pixel.1 >= 0 && pixel.1 <= 576)
    }

    @Test func stanfordDroneVideoImportsAsWalks() throws {
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        let scale = try SceneScales.lookup(raw + "/sdd/estimated_scales.yaml", scene: "hyang", video: "video12")
        #expect(scale == PublishedScale(metersPerPixel: 0.054104065, certainty: 1))
        let result = try store.importFile(item(raw + "/sdd/hyang/video12/annotations.txt", "sdd", scene: "hyang_video12"),
                                          grid: GridOptions(resample: 0.4, pixels: .scale(metersPerPixel: 0.054104065)))
        #expect(result.formatDetail.contains("lost rows skipped") && result.formatDetail.contains("Biker 22416"))
        #expect(try store.scenes(selection: "sdd")[0].frameStep == 12)
        // Median speed of each pedestrian over its 0.4 s steps: most walk at 0.5–2 m/s.
        let tracks = try store.tracks(of: try store.scenes(selection: "sdd")[0])
        let speeds = tracks.compactMap { track -> Double? in
            let steps = zip(track.points, track.points.dropFirst()).filter { $1.step == $0.step + 1 }
                .map { hypot($1.x - $0.x, $1.y - $0.y) / 0.4 }.sorted()
            return steps.isEmpty ? nil : steps[steps.count / 2]
        }
        #expect(speeds.count >= 30)
        #expect(Double(speeds.filter { $0 > 0.5 && $0 < 2 }.count) >= 0.66 * Double(speeds.count))
        #expect(speeds.sorted()[speeds.count / 2] > 0.8 && speeds.sorted()[speeds.count / 2] < 1.6)
    }

    @Test func trackerTimestampsResampleWithinTwoCentimetres() throws {
        // A walker on a circle of 6 m radius at 1.3 m/s, 30 Hz with ±10 ms jitter and 10 % of frames
        // dropped; resampled to 0.4 s, each position is within 2 cm of the circle at that time.
        var random = SplitMix(state: 5)
        func truth(_ t: Double) -> (Double, Double) { (6 * cos(1.3 * t / 6), 6 * sin(1.3 * t / 6)) }
        var csv = "t,id,x,y\n"
        for k in 0..<(30 * 40) where k == 0 || random.uniform(0, 1) > 0.1 {
            let t = Double(k) / 30 + random.uniform(-0.01, 0.01)
            let (x, y) = truth(t)
            csv += String(format: "%.4f,walker,%.5f,%.5f\n", t, x, y)
        }
        let path = temporaryFolder() + "/tracker.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        // Without --resample the message names it, and nothing is stored.
        do {
            _ = try store.importFile(item(path, "lab", scene: "tracker"), grid: GridOptions())
            Issue.record("jittered times imported without --resample")
        } catch let error as ImportError {
            #expect("\(error)".contains("--resample SECONDS") && !"\(error)".contains("--frame-step"))
        }
        #expect(try store.datasetNames().isEmpty)
        let result = try store.importFile(item(path, "lab", scene: "tracker"), grid: GridOptions(resample: 0.4))
        let scene = try store.scenes(selection: "lab")[0]
        let points = try store.tracks(of: scene)[0].points
        #expect(points.count >= 98 && zip(points, points.dropFirst()).allSatisfy { $1.step == $0.step + 1 })
        for point in points {
            let (x, y) = truth(scene.time(of: point.step))
            #expect(hypot(point.x - x, point.y - y) < 0.02)
        }
        let summary = result.resampling!.summary
        #expect(abs(summary.sourceStep! - 1.0 / 30) < 0.002 && summary.jitter! > 0.01 && summary.splits == 0)
    }

    @Test func timesStayAsWritten() throws {
        // Times in seconds written with one decimal: the step is 0.4, not 0.40000000000003616.
        var csv = "timestamp,id,x,y\n"
        for k in 0..<40 { csv += String(format: "%.1f,1,%d,0\n", Double(k) * 10 / 25, k) }
        let path = temporaryFolder() + "/seconds.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try Store(path: temporaryFolder() + "/t.sqlite")
        _ = try store.importFile(item(path, "s", scene: "seconds"), grid: GridOptions())
        let scene = try store.scenes(selection: "s")[0]
        #expect(scene.frameStep == 0.4 && scene.frameDecimals == 1)
        #expect(scene.frame(of: 31) == 12.4 && scene.step(ofFrame: 12.4) == 31 && scene.step(ofFrame: 2.8) == 7)
        #expect(scene.step(ofFrame: 12.55) == 31 && scene.step(ofTime: 12.3) == 31)
        #expect(try store.database.scalarInt("SELECT count(*) FROM trajectory WHERE frame = 12.4") == 1)
        #expect(try store.database.scalarText("SELECT group_concat(frame) FROM trajectory WHERE step BETWEEN 30 AND 32")
                == "12,12.4,12.8")
        // The track's first and last frames, kept with the agent since schema 9, are those written.
        #expect(try store.database.scalarText("SELECT first_frame || ',' || last_frame FROM track WHERE scene = 'seconds'")
                == "0,15.6")
    }

    @Test func badGeometryAndRowsStoreNothing() throws {
        let folder = temporaryFolder()
        let store = try Store(path: folder + "/t.sqlite")
        _ = try store.importFile(item(raw + "/eth_obsmat/seq_hotel/obsmat.txt", "hotel", scene: "seq_hotel"),
                                 grid: GridOptions())
        let before = try snapshot(store.database)
        try "1 2 3\n2 4 6\n0 0 1\n".write(toFile: folder + "/singular.txt", atomically: true, encoding: .utf8)
        try "1 0 0\n0 1 0\n0 0 nan\n".write(toFile: folder + "/nan.txt", atomically: true, encoding: .utf8)
        try "1 0 0\n0 1 0\n".write(toFile: folder + "/short.txt", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.invalidSetting(file: folder + "/singular.txt", reason: "the homography is singular "
            + "(its determinant is 0): it cannot map pixels to meters and back")) {
            try PixelMapping.homography(contentsOf: folder + "/singular.txt", axes: .xy)
        }
        #expect(throws: ImportError.invalidSetting(file: folder + "/nan.txt",
                                                   reason: "the homography holds a number that is not finite")) {
            try PixelMapping.homography(contentsOf: folder + "/nan.txt", axes: .xy)
        }
        #expect(throws: ImportError.self) { try PixelMapping.homography(contentsOf: folder + "/short.txt", axes: .xy) }
        for bad in [0.0, -1, .infinity, .nan] {
            #expect(throws: ImportError.self) { try PixelMapping.scale(bad, file: "x") }
        }
        try "not an image".write(toFile: folder + "/image.png", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.unreadable(file: folder + "/image.png", reason: "not a PNG or JPEG image")) {
            try SceneImage(contentsOf: folder + "/image.png")
        }
        #expect(try SceneImage(contentsOf: raw + "/eth_obsmat/seq_hotel/reference.png").width == 720)
        #expect(try SceneImage(contentsOf: raw + "/sdd/hyang/video12/reference.jpg").height == 848)
        // An annotation row with 9 fields, and pixels without a scale.
        let sdd = try String(contentsOfFile: raw + "/sdd/hyang/video12/annotations.txt", encoding: .utf8)
        var lines = sdd.split(separator: "\n", omittingEmptySubsequences: false).prefix(3000).map(String.init)
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/annotations.txt", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.invalidSetting(file: folder + "/annotations.txt", reason: "the positions are pixels: "
            + "give --scale METERS_PER_PIXEL, --scales estimated_scales.yaml or --homography H.txt")) {
            try store.importFile(item(folder + "/annotations.txt", "sdd", scene: "v"), grid: GridOptions())
        }
        lines[2000] = "5 1 2 3 4 5 0 0 \"Pedestrian\""
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/annotations.txt", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.wrongColumnCount(file: folder + "/annotations.txt", line: 2001, expected: 10, found: 9)) {
            try store.importFile(item(folder + "/annotations.txt", "sdd", scene: "v"), options: ReadOptions(format: .sdd),
                                 grid: GridOptions(pixels: .scale(metersPerPixel: 0.05)))
        }
        // A resampling step so far below the file's that its grid would fill the memory (4 × 10^8 positions: 10 frames of 25 fps).
        try "frame,id,x,y\n0,1,0,0\n10,1,1,0\n".write(toFile: folder + "/two.csv", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.invalidSetting(file: folder + "/two.csv", reason: "--resample 1e-09 s would make about "
            + "400000002 positions of 2 rows (at most 10000000): resample onto a longer step, or a shorter --max-gap")) {
            try store.importFile(item(folder + "/two.csv", "two", scene: "two"), grid: GridOptions(resample: 1e-9, maxGap: 1))
        }
        // The same with times in seconds and a step below 10⁻⁹ s, whose short decimal is 0: refused, not a crash.
        try "t,id,x,y\n0,1,0,0\n0.4,1,1,0\n".write(toFile: folder + "/seconds.csv", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.invalidSetting(file: folder + "/seconds.csv", reason: "--resample 2e-10 s would make about "
            + "2000000002 positions of 2 rows (at most 10000000): resample onto a longer step, or a shorter --max-gap")) {
            try store.importFile(item(folder + "/seconds.csv", "seconds", scene: "s"), grid: GridOptions(resample: 2e-10, maxGap: 1))
        }
        // A step longer than a day (10³⁰⁰ s put a position at time 0, 1.7·10⁹ s before anyone was seen).
        try "t,id,x,y\n1733500000,1,0,0\n1733500000.4,1,1,0\n".write(toFile: folder + "/epoch.csv", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.invalidSetting(file: folder + "/epoch.csv", reason: "--resample 1e+300 s is longer than "
            + "a day (86400 s): a walk is not seen on a grid that coarse")) {
            try store.importFile(item(folder + "/epoch.csv", "epoch", scene: "e"), grid: GridOptions(resample: 1e300, maxGap: 2e300))
        }
        // A scale that sends a pixel beyond any storable position says so (not "homography").
        try "frame,id,x,y\n0,1,10,2\n10,1,11,2\n".write(toFile: folder + "/px.csv", atomically: true, encoding: .utf8)
        #expect(throws: ImportError.malformedRecord(file: folder + "/px.csv", line: 2, reason: "pixel (10, 2) × 1e+38 m per "
                                                    + "pixel is beyond what a position can hold (±3.4e38 m)")) {
            try store.importFile(item(folder + "/px.csv", "px", scene: "px"), grid: GridOptions(pixels: .scale(metersPerPixel: 1e38)))
        }
        #expect(try snapshot(store.database) == before)
    }

    @Test func aFifthSchemaDatabaseMigrates() throws {
        // A database as trajpred wrote it before this schema, with a scene, a run and predictions:
        // the scene table is rebuilt, nothing that hangs from it goes.
        let path = temporaryFolder() + "/old.sqlite"
        do {
            let db = try Database(path: path)
            try Migrator.migrate(db, migrations: Array(Migration.embedded.prefix(5)))
            try db.execute("""
                INSERT INTO dataset (name) VALUES ('d');
                INSERT INTO scene (dataset_id, name, split, frame_origin, frame_step, time_step, source_path,
                                   source_sha256, source_format, source_rows)
                VALUES (1, 's', 'test', 0, 10, 0.4, '/x', printf('%064d', 0), 'ethucy', 2),
                       (1, 't', 'test', 0, 0.4, 0.4, '/y', printf('%064d', 1), 'csv', 1);
                INSERT INTO agent (scene_id, name) VALUES (1, 'a'), (2, 'b');
                INSERT INTO position (agent_id, step, x, y) VALUES (1, 0, 1, 2), (1, 1, 3, 4), (2, 31, 0, 0);
                INSERT INTO run (name, kind, status, config) VALUES ('r', 'predict', 'completed', '{}');
                INSERT INTO prediction (run_id, agent_id, last_observed_step, sample, step, x, y) VALUES (1, 1, 0, 0, 1, 3, 4);
                """)
        }
        let store = try Store(path: path)
        #expect(try store.database.scalarInt("PRAGMA user_version") == Int64(Migration.embedded.last!.version))
        #expect(try store.database.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try store.database.scalarText("SELECT group_concat(frame || ':' || x, ' ') FROM trajectory") == "0:1.0 10:3.0 12.4:0.0")
        #expect(try store.database.scalarInt("SELECT count(*) FROM prediction_view WHERE frame = 10") == 1)
        #expect(try store.database.scalarInt("SELECT count(*) FROM scene_summary WHERE resampled = 0") == 2)
        #expect(try store.database.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }
}
