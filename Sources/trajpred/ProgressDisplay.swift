// Training progress for people and scripts: on a terminal, one live line (epoch, step, loss, ETA)
// rewritten in place on stderr plus a line per epoch; piped, a plain line per epoch; or JSON lines.
// `TrainingOutput` prints a session from its first line to its last, for train, demo and benchmark.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TrajectoryModel
import Workflows

final class ProgressDisplay {
    let style: ProgressStyle
    let epochs: Int
    /// What the family's epochs have to say besides the loss: a KL term and β (the CVAEs), a learning
    /// rate (every family that learns: not anchors, which are fitted once).
    let showsKL: Bool, showsRate: Bool
    let live: Bool
    let started = ContinuousClock.now
    var lastDraw = ContinuousClock.now
    var stepsDone = 0
    /// Epoch lines on stderr: for a command whose stdout holds its result (benchmark's table).
    let onStandardError: Bool

    init(style: ProgressStyle, epochs: Int, family: String, onStandardError: Bool = false) {
        self.onStandardError = onStandardError
        self.style = style
        self.epochs = epochs
        (showsKL, showsRate) = (family == "cvae" || family == "cvae-dlow", family != "anchors")
        live = style == .auto && isatty(STDERR_FILENO) == 1
    }

    func step(epoch: Int, step: Int, of steps: Int, loss: Double) {
        stepsDone += 1
        guard live, ContinuousClock.now - lastDraw > .milliseconds(100) else { return }
        lastDraw = .now
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let done = Double(epoch * steps + step), total = Double(epochs * steps)
        // The ETA counts the steps of this session only (a resumed run starts its clock anew).
        let rate = Double(stepsDone) / max(elapsed, 1e-9)
        let remaining = (total - done) / max(rate, 1e-9)
        let width = 24, filled = Int(Double(width) * done / total)
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let line = String(format: "epoch %d/%d [%@] step %d/%d loss %.4f ETA %@", epoch + 1, epochs, bar, step, steps,
                          loss, clockText(remaining))
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    func epoch(_ report: EpochReport) {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        switch style {
        case .jsonl:
            let data = (try? JSONEncoder().encode(report)) ?? Data()
            print(String(decoding: data, as: UTF8.self))
        case .auto, .plain:
            let validation = report.validationMinADE.map { ade in
                String(format: "val minADE %.3f minFDE %.3f", ade, report.validationMinFDE ?? .nan)
            } ?? "no validation"
            // cvae-dlow's sampler epochs have no KL term (both 0): their line does not show one.
            let hasKL = showsKL && !(report.kl == 0 && report.beta == 0)
            let terms = hasKL ? String(format: "  recon %.4f  kl %.4f  β %.4g", report.reconstruction, report.kl, report.beta) : ""
            let rate = showsRate ? String(format: "  lr %.3g", report.learningRate) : ""
            let line = String(format: "epoch %3d/%d  loss %.4f%@%@  %@  %.1f s%@", report.epoch, epochs, report.loss, terms, rate,
                              validation, report.seconds, report.isBest ? "  *best" : "")
            if onStandardError { printError(line) } else { print(line) }
        }
        fflush(nil)  // flushes stdout too, so a reader of the pipe sees each epoch as it ends
    }

    func finish() {
        if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    func clockText(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }
}

/// Prints a training session: its first line, each epoch, warnings, and how it ended.
final class TrainingOutput {
    let style: ProgressStyle
    var display: ProgressDisplay?
    /// Every line on stderr: for a command whose stdout holds its result (benchmark's table).
    let onStandardError: Bool

    init(style: ProgressStyle, onStandardError: Bool = false) {
        self.style = style
        self.onStandardError = onStandardError
    }

    /// "run 3 (name): 28577 training windows from 2 scenes, …".
    func started(_ session: TrainingSession) {
        let configuration = session.configuration
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        // With a floor on the steps, how many there are an epoch (a small training set gets more epochs).
        let minimum = configuration.training.minimumSteps
        let floor = minimum > 0 ? " of \(counted(session.stepsPerEpoch, "step")) (at least \(grouped(minimum)) steps)" : ""
        say("run \(session.run.id) (\(session.run.name)): \(counted(session.train.windows.count, "training window")) from "
            + "\(counted(session.train.scenes.count, "scene")), \(counted(session.validation.windows.count, "validation window")); "
            + "\(configuration.family) (\(configuration.model.summary)), \(counted(configuration.training.epochs, "epoch"))"
            + floor
            + (configuration.training.averaging > 0 ? ", the model the moving average of the weights (decay \(configuration.training.averaging))" : "")
            + (configuration.training.weightDecay > 0 ? ", weight decay \(configuration.training.weightDecay)" : "")
            + (session.resumedAt.map { ", resuming at epoch \($0.epoch + 1) step \($0.step)" } ?? ""))
        display = ProgressDisplay(style: style, epochs: configuration.training.epochs, family: configuration.family,
                                  onStandardError: onStandardError)
        let leftOut = session.train.leftOutWindows
        if leftOut > 0 {
            printError("note: \(counted(leftOut, "training window")) left out: \(leftOut == 1 ? "its" : "their") future jumps more "
                       + "than \(String(format: "%g", maximumObservedStep)) m in one step (a tracking glitch)")
        }
    }

    func event(_ event: TrainingSessionEvent) {
        switch event {
        case let .step(epoch, step, of, loss): display?.step(epoch: epoch, step: step, of: of, loss: loss)
        case let .epoch(report): display?.epoch(report)
        case let .warning(text): printError("warning: " + text)
        }
    }

    func trained(_ summary: TrainingSummary, run: String) {
        display?.finish()
        let best = summary.bestEpoch.map { epoch in
            "best epoch \(epoch), validation minADE@\(summary.validationSamples) " + String(format: "%.3f m", summary.bestMinADE ?? .nan)
                + String(format: " (constant velocity: minADE %.3f m, minFDE %.3f m)", summary.constantVelocity.ade,
                         summary.constantVelocity.fde)
        } ?? "no validation, the last epoch is the model"
        say("done: \(best); run \(run)")
    }

    /// A line for people: on stdout, but on stderr with `--progress jsonl`, whose stdout is JSON lines
    /// only, or for a command whose stdout holds its result.
    func say(_ line: String) {
        if style == .jsonl || onStandardError { printError(line) } else { print(line) }
    }

    /// Runs `session` to its end, printing as it goes (stopped on request, `WorkflowError.interrupted`).
    func train(_ session: TrainingSession, shouldStop: @escaping () -> Bool) throws {
        started(session)
        defer { display?.finish() }
        trained(try session.runToEnd(shouldStop: shouldStop, progress: event), run: "\(session.run.id) (\(session.run.name))")
    }
}
