// The step grid: detection of the frame step, off-grid frames, duplicates, gaps, time step.
import Testing
@testable import TrajectoryData

func build(_ text: String, file: String = "f.txt", frameStep: Double? = nil, timeStep: Double? = nil) throws
    -> SceneData
{
    try SceneBuilder.build(read(text, file: file), file: file, frameStep: frameStep, timeStep: timeStep)
}

func buildError(_ text: String, frameStep: Double? = nil) -> ImportError? {
    do {
        _ = try build(text, frameStep: frameStep)
        return nil
    } catch let error as ImportError {
        return error
    } catch {
        return nil
    }
}

@Suite struct SceneBuilderTests {
    @Test func detectsStepAndNormalises() throws {
        // Pedestrian 2 has a gap (frames 790 and 810); rows are not sorted by pedestrian.
        let scene = try build("780 1 0 0\n790 1 1 0\n790 2 5 5\n800 1 2 0\n810 2 5 6\n")
        #expect(scene.frameOrigin == 780)
        #expect(scene.frameStep == 10)
        #expect(scene.timeStep == 0.4)
        #expect(scene.tracks == [
            Track(pedestrian: "1", points: [TrackPoint(step: 0, x: 0, y: 0), TrackPoint(step: 1, x: 1, y: 0),
                                            TrackPoint(step: 2, x: 2, y: 0)]),
            Track(pedestrian: "2", points: [TrackPoint(step: 1, x: 5, y: 5), TrackPoint(step: 3, x: 5, y: 6)]),
        ])
        #expect(scene.rowCount == 5)
    }

    @Test func unsortedRowsAreSortedPerTrack() throws {
        let scene = try build("20 1 2 0\n0 1 0 0\n10 1 1 0\n")
        #expect(scene.tracks[0].points.map(\.step) == [0, 1, 2])
        #expect(scene.tracks[0].points.map(\.x) == [0, 1, 2])
    }

    @Test func offGridFrameReportsItsLine() {
        #expect(buildError("0 1 0 0\n10 1 0 0\n20 1 0 0\n25 2 0 0\n35 2 0 0\n45 2 0 0\n55 2 0 0\n")
            == .offGrid(file: "f.txt", line: 4, frame: "25", origin: "0", step: "10"))
    }

    @Test func framesBeyondExactDoublesAreRefused() {
        // 2^55 + 10·i: as doubles, neighbours merge (the error used to be "observed twice" or fake gaps).
        let base = 36_028_797_018_963_968.0
        let error = buildError((0..<3).map { String(format: "%.0f 1 %d 0\n", base + 10 * Double($0), $0) }.joined())
        #expect(error == .malformedRecord(file: "f.txt", line: 1, reason: "frame 3.602879701896397e+16 is 2^53 or more, beyond "
            + "what is stored exactly; renumber the frames (subtract the first one) before importing"))
        // Just below 2^53 imports.
        #expect(buildError("9007199254740980 1 0 0\n9007199254740990 1 1 0\n") == nil)
    }

    @Test func givenStepOverridesDetection() throws {
        let scene = try build("0 1 0 0\n10 1 0 0\n25 2 0 0\n35 2 0 0\n", frameStep: 5)
        #expect(scene.frameStep == 5)
        #expect(scene.tracks[1].points.map(\.step) == [5, 7])
        #expect(scene.timeStep == 0.2)
    }

    @Test func duplicateReportsBothLines() {
        #expect(buildError("0 1 0 0\n10 1 0 0\n0 2 0 0\n10 1.0 3 3\n")
            == .duplicateObservation(file: "f.txt", line: 4, frame: "10", pedestrian: "1", firstLine: 2))
    }

    @Test func secondsAndFpsGiveTheTimeStep() throws {
        let csv = try build("t,id,x,y\n0.0,1,0,0\n0.4,1,1,0\n0.8,1,2,0\n1.2,2,0,0\n", file: "g.csv")
        #expect(abs(csv.frameStep - 0.4) < 1e-12)
        #expect(abs(csv.timeStep - 0.4) < 1e-12)
        #expect(csv.tracks[1].points[0].step == 3)
        let json = try build("""
            {"scene": {"id": 0, "p": 1, "s": 0, "e": 2, "fps": 5}}
            {"track": {"f": 0, "p": 1, "x": 0, "y": 0}}
            {"track": {"f": 1, "p": 1, "x": 0, "y": 0}}
            """, file: "h.ndjson")
        #expect(json.timeStep == 0.2)
        #expect(try build("0 1 0 0\n", timeStep: 0.1).timeStep == 0.1)
        // A time column beside the frame ids gives the seconds per frame id (it was ignored, and 25 frame
        // ids per second assumed: 0.48 s per 12 frames); --dt still comes first; times running against
        // the frames are refused.
        let both = try build("frame,time,id,x,y\n0,0.0,1,0,0\n12,0.4,1,1,0\n24,0.8,1,2,0\n36,1.2,2,0,0\n", file: "b.csv")
        #expect(both.frameStep == 12 && both.timeStep == 0.4)
        #expect(both.gridDetail.contains("dt 0.4 s (from the 'time' column: its seconds per frame id)"), "\(both.gridDetail)")
        #expect(try build("frame,time,id,x,y\n0,0.0,1,0,0\n12,0.4,1,1,0\n", file: "b.csv", timeStep: 0.5).timeStep == 0.5)
        #expect(try build("frame,id,x,y\n0,1,0,0\n12,1,1,0\n", file: "b.csv").timeStep == 0.48)
        // A time column of clock strings is left unread, as before.
        #expect(try build("frame,time,id,x,y\n0,12:00:00,1,0,0\n12,12:00:01,1,1,0\n", file: "b.csv").timeStep == 0.48)
        #expect(throws: ImportError.invalidSetting(file: "b.csv", reason: "line 3: the 'time' column does not grow with the "
            + "frames (5 s at frame 0, 1 s at frame 12): give --dt SECONDS, or --frame-col time to read its times")) {
            try build("frame,time,id,x,y\n0,5,1,0,0\n12,1,1,1,0\n", file: "b.csv")
        }
        // As the message says, --dt then imports it.
        #expect(try build("frame,time,id,x,y\n0,5,1,0,0\n12,1,1,1,0\n", file: "b.csv", timeStep: 0.4).timeStep == 0.4)
    }

    @Test func singleObservationsAssumeStepOne() throws {
        let scene = try build("3 1 0 0\n5 2 0 0\n")
        #expect(scene.frameStep == 1)
        #expect(scene.tracks.map { $0.points[0].step } == [0, 2])
    }

    @Test func badSettings() {
        #expect(buildError("0 1 0 0\n", frameStep: 0)
            == .invalidSetting(file: "f.txt", reason: "--frame-step must be a positive number, got 0.0"))
    }
}
