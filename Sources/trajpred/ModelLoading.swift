// A trained model back from the store: the run's configuration and a checkpoint's tensors.
import ArgumentParser
import Foundation
import NNCore
import TrajectoryModel
import TrajectoryStore

struct LoadedModel {
    var run: RunRecord
    var settings: TrainingSettings
    var model: TrajectoryCVAE
    var checkpointEpoch: Int
}

func loadModel(_ store: Store, run reference: String, checkpoint label: CheckpointRecord.Label) throws -> LoadedModel {
    let run = try store.run(named: reference)
    guard run.kind == "train" else {
        throw ValidationErrorText("run \(run.name) is a \(run.kind) run; give a training run (trajpred runs lists them)")
    }
    let settings = try TrainCommand.Job(json: run.config).settings
    let checkpoint = try store.checkpoint(run: run.id, label: label)
    var rng = Xoshiro256(seed: 0)
    var model = TrajectoryCVAE(settings.model, using: &rng)
    try model.load(checkpoint.tensors)
    return LoadedModel(run: run, settings: settings, model: model, checkpointEpoch: checkpoint.epoch)
}

extension CheckpointRecord.Label: ExpressibleByArgument {}
