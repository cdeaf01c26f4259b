// The one error type of the application layer: what a workflow refuses, with the names and
// values a user needs to fix it. Errors of the libraries below (StoreError, ModelError,
// ImportError) pass through unchanged.
import TrajectoryData
import TrajectoryStore

public enum WorkflowError: Error, Equatable, CustomStringConvertible {
    /// Another process trains the run (it holds the run's lock).
    case runBusy(run: String, pid: Int32?)
    case notATrainingRun(run: String, kind: RunKind)
    case alreadyCompleted(run: String)
    /// No pedestrian has the observed steps a prediction needs.
    /// `ending`: where the steps would end, "frame 1000" or "time 12.4 s".
    case nothingToPredict(observed: Int, ending: String?, pedestrian: String?, data: String)
    case nothingToEvaluate(selections: [String], steps: Int)
    /// A picture shows one scene; the selection holds another number of them.
    case oneSceneNeeded(selection: String, found: [String])
    case noEpochs(run: String)
    /// A file the workflow reads (a reference timing, the shipped data) is missing or not as expected.
    case unreadable(path: String, reason: String)
    case cannotWrite(path: String)
    /// A child process of a benchmark failed.
    case childFailed(command: String, status: Int32)
    case invalidList(text: String, item: String)
    /// A model's outputs are not numbers (its weights are damaged).
    case nonFinitePredictions(run: String, count: Int)
    /// A checkpoint whose weights hold values that are not finite numbers (edited or damaged in the store).
    case damagedWeights(run: String, checkpoint: String, tensor: String, count: Int)
    /// A run name that could be read as another run's id, or is empty.
    case invalidRunName(name: String, reason: String)
    /// A run without the checkpoint asked for (no epoch has finished).
    case noCheckpoint(run: String, label: String)
    /// A run that failed (its loss became NaN, say) before any epoch finished.
    case failedWithoutCheckpoint(run: String)
    /// A resume whose data selections now give other windows than the run started with.
    case trainingDataChanged(run: String, what: String, before: Int, now: Int)
    /// The same number of windows as when a run started, with other content.
    case trainingDataEdited(run: String, what: String)
    /// 'best' asked of a run that validated nothing.
    case notValidated(run: String)
    /// More futures asked of a model than it makes.
    case tooManyFutures(k: Int, maximum: Int, family: String, option: String)
    /// A file of a workflow's import failed (`detail` names the file and line).
    case importFailed(detail: String)
    /// Training inside a workflow was stopped on request; its checkpoint is saved.
    case interrupted(run: String, epoch: Int, step: Int, database: String)
    /// A pedestrian id that no track of the data has.
    /// `inStore`: the data is a store selection (whose ids `trajpred tracks` lists), not a file.
    case noSuchPedestrian(name: String, data: String, inStore: Bool)
    /// Live input (a tracker frame, a request body) with a field at fault: `agents[2].x`, or "" for
    /// the whole document.
    case invalidInput(field: String, reason: String)
    /// The seconds per step of a run's training data are not one value (or it has none).
    case unknownTimeStep(run: String, found: [Double])

    public var description: String {
        switch self {
        case let .runBusy(run, pid):
            return "run \(run) is being trained right now by process \(pid.map(String.init) ?? "?"); "
                + "wait for it to end, or stop it (Ctrl-C) and resume it then"
        case let .notATrainingRun(run, kind):
            return "run \(run) is \(kind == .evaluate ? "an" : "a") \(kind.rawValue) run, not a training; give a training run "
                + "(trajpred runs lists them)"
        case let .alreadyCompleted(run):
            return "run \(run) is already completed"
        case let .nothingToPredict(observed, ending, pedestrian, data):
            return "no pedestrian has \(observed) consecutive observed steps "
                + (ending.map { "ending at \($0)" } ?? "there")
                + (pedestrian.map { " (pedestrian \($0))" } ?? "") + " in \(data)"
        case let .nothingToEvaluate(selections, steps):
            return (selections.count == 1 ? "\(selections[0]) has no window" : "none of " + selections.joined(separator: ", ")
                + " has a window") + " of \(steps) consecutive steps to evaluate"
        case let .oneSceneNeeded(selection, found):
            return "--data \(selection) holds \(found.count) scenes; a picture shows one: "
                + found.prefix(5).joined(separator: ", ")
        case let .noEpochs(run):
            return "run \(run) has no finished epoch yet"
        case let .unreadable(path, reason):
            return "\(path): \(reason)"
        case let .cannotWrite(path):
            return "cannot write \(path)"
        case let .childFailed(command, status):
            return "a benchmark run of \(command) failed with exit status \(status)"
        case let .invalidList(text, item):
            return "'\(item)' is not a valid value in '\(text)'"
        case let .nonFinitePredictions(run, count):
            return "\(count) predicted positions of run \(run) are not finite numbers: its weights are damaged; "
                + "train it again, or use its other checkpoint (--checkpoint last|best)"
        case let .damagedWeights(run, checkpoint, tensor, count):
            return "the '\(checkpoint)' checkpoint of run \(run) is damaged: \(count) value\(count == 1 ? "" : "s") of "
                + "\(tensor) \(count == 1 ? "is" : "are") not a finite number; train it again, or use its other checkpoint "
                + "(--checkpoint last|best)"
        case let .invalidRunName(name, reason):
            return "--name '\(name)' \(reason)"
        case let .failedWithoutCheckpoint(run):
            return "run \(run) failed before any epoch finished, so it has no checkpoint (trajpred runs shows why): "
                + "train a new run, with other settings (a lower --lr, say: a resume keeps the run's own)"
        case let .noCheckpoint(run, label):
            return "run \(run) has no '\(label)' checkpoint: no epoch of it has finished"
                + (label == "best" ? " (try --checkpoint last, or train it further with --resume)" : "")
        case let .trainingDataChanged(run, what, before, now):
            return "run \(run) started on \(before) \(what) windows and its selections now give \(now) (scenes deleted or "
                + "imported since): resuming would not continue the same training; train it again under a new name"
        case let .trainingDataEdited(run, what):
            return "run \(run)'s \(what) windows are not those it started on (scenes replaced, or positions edited, since): "
                + "resuming would not continue the same training; train it again under a new name"
        case let .notValidated(run):
            return "run \(run) trained without validation (no val data, or a benchmark's refit), so it has no 'best' "
                + "checkpoint: use --checkpoint last (or leave --checkpoint out)"
        case let .tooManyFutures(k, maximum, family, option):
            return "--k \(k) is more than the \(maximum) futures this \(family) model makes; ask for at most \(maximum), "
                + "or train one with more (\(option))"
        case let .importFailed(detail):
            return detail
        case let .interrupted(run, epoch, step, database):
            return "interrupted at epoch \(epoch + 1), step \(step): checkpoint saved; "
                + "continue with: trajpred train --resume \(run) --db \(database)"
        case let .noSuchPedestrian(name, data, inStore):
            return "no pedestrian '\(name)' in \(data) (ids as written in the file"
                + (inStore ? "; trajpred tracks --scene lists them)" : ")")
        case let .invalidInput(field, reason):
            return field.isEmpty ? reason : "\(field): \(reason)"
        case let .unknownTimeStep(run, found):
            let steps: String = found.isEmpty ? "no scenes left"
                : "steps of " + found.map { formatted($0) }.joined(separator: ", ") + " s"
            return "the training data of run \(run) have \(steps); give the model's step in seconds with --dt"
        }
    }
}
