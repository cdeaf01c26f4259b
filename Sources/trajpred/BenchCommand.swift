// `trajpred bench`: throughput of the workloads that matter, measured side by side with their
// reference (PyTorch's timings, the sqlite3 shell for import), medians over repeats after a warm-up.
import ArgumentParser
import TrajectoryModel
import Workflows

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput against the reference implementations.",
        subcommands: [BenchTrain.self, BenchSample.self, BenchNotebook.self, BenchImport.self, BenchGemm.self, BenchServe.self,
                      BenchScale.self]
    )
}

/// "a,b,c" parsed by `parse`, with a message naming the bad item.
func parseList<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
    try text.split(separator: ",").map { item in
        guard let value = parse(String(item)) else { throw WorkflowError.invalidList(text: text, item: String(item)) }
        return value
    }
}

/// What to time: the CVAE once per encoder of `encoders` (with `beta`, as the reference's protocol
/// has it), or another family with its defaults.
func benchmarkedModels(_ family: String, encoders: String, beta: Float? = nil) throws -> [BenchmarkedModel] {
    guard family == TrajectoryCVAE.family else {
        _ = try ModelRegistry.family(named: family)
        return [BenchmarkedModel(family: family, options: ModelOptions(), label: family)]
    }
    return try parseList(encoders, PastEncoder.init(rawValue:)).map { encoder in
        var options = ["encoder": encoder.rawValue]
        if let beta { options["beta"] = String(beta) }
        return BenchmarkedModel(options: ModelOptions(options), label: encoder.rawValue)
    }
}

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput of the CVAE (windows/s, GFLOP/s) on 20,000 synthetic windows, H=128, Z=16, beta=1.",
        discussion: """
        The reference's protocol: Adam 1e-3, one warm-up epoch, then the median of the timed epochs. \
        GFLOP/s counts the multiply-adds performed (the GRU skips its first step's hidden product, \
        which multiplies h_0 = 0).
        """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "The model family.") var model: String = TrajectoryCVAE.family
    @Option(help: "cvae: encoders, comma-separated.") var encoders: String = "mlp,gru"
    @Option(help: "Batch sizes, comma-separated.") var batches: String = "64,256,1024"
    @Option(help: "Timed epochs.") var epochs: Int = 5
    @Option(help: "JSON from the reference cvae_ref.py (a run or the sweep file).") var reference: String?

    func run() throws {
        let listing = try SpeedBenchmarks.train(try benchmarkedModels(model, encoders: encoders, beta: 1),
                                                batches: try parseList(batches, Int.init),
                                                epochs: epochs, reference: try reference.map(ReferenceTimings.init),
                                                progress: printError)
        print(listing.rendered(as: output.format), terminator: "")
    }
}

struct BenchSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sampling throughput (10,000 pedestrians × k=20, calls of 1,000) and one-pedestrian k=1 latency.",
        discussion: """
        An untrained H=128, Z=16 model: the work does not depend on the weights. GFLOP/s counts the \
        multiply-adds performed: the h-part of the decoder's first layer once per pedestrian, not per future.
        """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "The model family.") var model: String = TrajectoryCVAE.family
    @Option(help: "cvae: encoders, comma-separated.") var encoders: String = "mlp,gru"
    @Option(help: "Timed passes over the 10,000 pedestrians.") var repeats: Int = 5
    @Option(help: "JSON from the reference cvae_ref.py (a run or the sweep file).") var reference: String?

    func run() throws {
        let listing = try SpeedBenchmarks.sample(try benchmarkedModels(model, encoders: encoders), repeats: repeats,
                                                 reference: try reference.map(ReferenceTimings.init), progress: printError)
        print(listing.rendered(as: output.format), terminator: "")
    }
}

struct BenchImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a generated ETH/UCY file, beside the sqlite3 shell's .import of it into a STRICT table keyed in file order.",
        discussion: """
            Both run as child processes on the same file, alternating, after one warm-up each; the \
            table gives median seconds, rows per second, peak memory, and trajpred's time over sqlite3's. \
            With --resample the file is a 30 fps video's and a third side imports it resampled; its last \
            column is that time over the plain import's.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Rows in the generated file.") var rows: Int = 1_000_000
    @Option(help: "Timed runs of each side.") var repeats: Int = 5
    @Option(help: "The sqlite3 shell to compare with.") var sqlite3: String = "sqlite3"
    @Option(help: ArgumentHelp("Generate a 30 fps file instead and import it also with --resample SECONDS (e.g. 0.4).",
                               valueName: "seconds"))
    var resample: Double?

    func validate() throws {
        guard rows >= 1_000 else { throw ValidationError("--rows must be at least 1000") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        if let resample, !(resample > 0 && resample.isFinite) { throw ValidationError("--resample must be a positive number of seconds") }
    }

    func run() throws {
        let listing = try SpeedBenchmarks.importing(rows: rows, repeats: repeats, sqlite3: sqlite3, resample: resample,
                                                    progress: printError)
        print(listing.rendered(as: output.format), terminator: "")
    }
}

struct BenchGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of the matrix kernels on the CVAE's shapes, one thread (the machine's FMA peak is ~100 per core).",
        discussion: "Forward (W·X), input gradient (Wᵀ·dY) and weight gradient (dY·Xᵀ) of a 128×128 layer on a batch."
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Batch columns.") var batch: Int = 256
    @Option(help: "Repeats per measurement.") var repeats: Int = 2000

    func run() throws {
        print(SpeedBenchmarks.gemm(batch: batch, repeats: repeats).rendered(as: output.format), terminator: "")
    }
}

struct BenchNotebook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Time the full 1-D notebook (six models × 10,000 epochs + 1,000,000 predictions each) per seed.",
        discussion: """
            Median wall time of --repeats runs after one warm-up, the achieved GFLOP/s, peak memory, and \
            with --reference (the JSON written by the reference notebook_1d.py on this machine) the \
            speed-up over PyTorch. PyTorch's time is the sum of its six training times for the same \
            seed, which leaves out its predictions, so the speed-up shown is a lower bound.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Timed runs.") var repeats: Int = 3
    @Option(parsing: .unconditional, help: "The seed.") var seed: UInt64 = 0
    @Option(help: "JSON from notebook_1d.py --out, measured on this machine.") var reference: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let listing = try SpeedBenchmarks.notebook(seed: seed, repeats: repeats, referencePath: reference,
                                                   progress: printError)
        print(listing.rendered(as: output.format), terminator: "")
    }
}

struct BenchScale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "The store and the windows at a size: import, the README's queries, loading windows, one training epoch.",
        discussion: """
            A synthetic store of --positions positions (ten ETH/UCY files of 200-step walkers) in a temporary \
            folder (or --folder, kept): seconds, counts and the peak memory of each phase. 10^8 positions \
            need about 15 GB of disk and 8 GB of memory.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Positions in the store.") var positions: Int = 1_000_000
    @Option(help: "Keep the files and the store in this folder.") var folder: String?

    func validate() throws {
        guard positions >= 10_000 else { throw ValidationError("--positions must be at least 10000") }
    }

    func run() throws {
        let listing = try SpeedBenchmarks.scale(positions: positions, folder: folder, progress: printError)
        print(listing.rendered(as: output.format), terminator: "")
    }
}
