// The README's real-world commands end to end: a CSV of seconds (zara01 with timestamp = frame/25
// written with one decimal) imported, trained on, sampled at a time from the file and queried in
// SQL; an ETH scene with its homography and image drawn over the image.
import Foundation
import Testing

@Suite struct RealWorldCLITests {
    @Test func secondsAsWrittenEndToEnd() throws {
        let folder = temporaryFolder()
        var csv = "timestamp,id,x,y\n"
        let zara = try String(contentsOfFile: repositoryRoot + "/data/zara1/test/crowds_zara01.txt", encoding: .utf8)
        for line in zara.split(separator: "\n") {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            csv += String(format: "%.1f,%g,%.5f,%.5f\n", f[0] / 25, f[1], f[2], f[3])
        }
        try csv.write(toFile: folder + "/zara.csv", atomically: true, encoding: .utf8)
        let imported = try run(trajpred, ["import", "zara.csv", "--dataset", "z", "--db", "t.sqlite"], in: folder)
        #expect(imported.status == 0 && imported.stdout.contains("frame step 0.4 (detected), dt 0.4 s"), "\(imported.stderr)")
        let trained = try run(trajpred, ["train", "--train", "z", "--val", "z", "--epochs", "1", "--name", "t",
                                         "--db", "t.sqlite"], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        let sampled = try run(trajpred, ["sample", "--run", "t", "--data", "z", "--frame", "12.4", "--k", "1",
                                         "--db", "t.sqlite"], in: folder)
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let rows = sampled.stdout.split(separator: "\n").dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.split(separator: ",")[2] == "12.4" })
        #expect(rows.contains { $0.split(separator: ",")[5] == "12.8" })
        // A time within half a step, and the same frame in SQL.
        let byTime = try run(trajpred, ["sample", "--run", "t", "--data", "z", "--time", "12.5", "--k", "1",
                                        "--db", "t.sqlite"], in: folder)
        #expect(byTime.stdout == sampled.stdout)
        #expect(try sqlite3("t.sqlite", "SELECT count(*) > 0 FROM trajectory WHERE frame = 12.4", in: folder) == "1\n")
        // Jittered timestamps without --resample: the message names it.
        try "t,id,x,y\n0.003,1,0,0\n0.398,1,1,0\n0.805,1,2,0\n1.199,1,3,0\n".write(
            toFile: folder + "/jitter.csv", atomically: true, encoding: .utf8)
        let jittered = try run(trajpred, ["import", "jitter.csv", "--dataset", "j", "--db", "t.sqlite"], in: folder)
        #expect(jittered.status != 0 && jittered.stderr.contains("--resample"))
        let json = try run(trajpred, ["import", "jitter.csv", "--dataset", "j", "--resample", "0.4", "--format", "json",
                                      "--db", "t.sqlite"], in: folder)
        #expect(json.status == 0 && json.stdout.contains("\"interpolated\": 2") && json.stdout.contains("\"resample\": 0.4"))
    }

    /// Times in milliseconds read as seconds split every track at every step: the import says what it
    /// looks like; timestamps in seconds at the same pace do not warn.
    @Test func timesThatLookLikeMillisecondsAreNamed() throws {
        let folder = temporaryFolder()
        var milliseconds = "timestamp,id,x,y\n", seconds = milliseconds
        for step in 0..<20 {
            for id in 0..<3 {
                milliseconds += "\(1_733_550_000_000 + 400 * step),\(id),\(Double(step) * 0.5),\(id)\n"
                seconds += "\(1_733_550_000 + 0.4 * Double(step)),\(id),\(Double(step) * 0.5),\(id)\n"
            }
        }
        try milliseconds.write(toFile: folder + "/ms.csv", atomically: true, encoding: .utf8)
        try seconds.write(toFile: folder + "/s.csv", atomically: true, encoding: .utf8)
        let ms = try run(trajpred, ["import", "ms.csv", "--dataset", "ms", "--resample", "0.4"], in: folder)
        #expect(ms.status == 0 && ms.stderr.contains("warning: 57 of the 60 observations begin a new piece of track")
                && ms.stderr.contains("Are the times in milliseconds?"), "\(ms.stderr)")
        let s = try run(trajpred, ["import", "s.csv", "--dataset", "s", "--resample", "0.4"], in: folder)
        #expect(s.status == 0 && !s.stderr.contains("warning"), "\(s.stderr)")
        // Milliseconds beside frame ids, not resampled: a step of 400 s, said.
        try "frame,timestamp,id,x,y\n0,0,1,0,0\n10,400,1,0.5,0\n20,800,1,1,0\n".write(toFile: folder + "/f.csv", atomically: true,
                                                                                      encoding: .utf8)
        let f = try run(trajpred, ["import", "f.csv", "--dataset", "f"], in: folder)
        #expect(f.status == 0 && f.stderr.contains("warning: a step is 400 s: are the times in milliseconds?"), "\(f.stderr)")
    }

    @Test func predictionsAreDrawnOverTheSceneImage() throws {
        let folder = temporaryFolder()
        let raw = repositoryRoot + "/../shared/data/raw/eth_obsmat/seq_hotel"
        let imported = try run(trajpred, ["import", raw + "/obsmat.txt", "--dataset", "hotel", "--homography", raw + "/H.txt",
                                          "--image-axes", "yx", "--image", raw + "/reference.png", "--db", "t.sqlite"],
                               in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try run(trajpred, ["train", "--train", "hotel", "--val", "hotel", "--epochs", "1", "--name", "h",
                                   "--db", "t.sqlite"], in: folder).status == 0)
        let plotted = try run(trajpred, ["plot", "--run", "h", "--data", "hotel", "--frame", "16261", "--k", "3",
                                         "--out", "p.svg", "--db", "t.sqlite"], in: folder)
        #expect(plotted.status == 0, "\(plotted.stderr)")
        let svg = try String(contentsOfFile: folder + "/p.svg", encoding: .utf8)
        #expect(svg.contains("href=\"data:image/png;base64,iVBOR") && svg.contains("width=\"720\""))
        // Observed points lie inside the 720×576 picture (drawn 60 px below the title).
        let circles = svg.split(separator: "\n").filter { $0.hasPrefix("<circle") }
        #expect(circles.count >= 5)
        for circle in circles {
            let values = circle.split(separator: "\"")
            let x = Double(values[1])!, y = Double(values[3])!
            #expect(x >= 0 && x <= 720 && y >= 60 && y <= 636)
        }
        // A bad image stores nothing.
        try "GIF89a".write(toFile: folder + "/bad.gif", atomically: true, encoding: .utf8)
        let bad = try run(trajpred, ["import", raw + "/obsmat.txt", "--dataset", "other", "--image", "bad.gif",
                                     "--db", "t.sqlite"], in: folder)
        #expect(bad.status != 0 && bad.stderr.contains("not a PNG or JPEG image"))
        #expect(try sqlite3("t.sqlite", "SELECT count(*) FROM dataset WHERE name = 'other'", in: folder) == "0\n")
    }
}
