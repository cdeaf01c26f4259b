// `trajpred bench serve`: the HTTP service and `stream` under the loads the issue sets targets for,
// on loopback in this process (ServiceBenchmark); prints requests per second and latency percentiles.
import ArgumentParser
import Dispatch
import PredictionService
import Synchronization
import TrajectoryData
import Workflows

struct BenchServe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Latency and throughput of trajpred serve and stream on loopback (one agent, 100 agents, a 2.5 Hz stream).",
        discussion: """
            Targets on a 2-core machine: one agent, k = 20: p99 ≤ 1 ms and ≥ 2,000 requests/s; 100 agents, k = 20 at \
            100 requests/s: p99 ≤ 10 ms; stream at 100 agents × 2.5 Hz under 10 % of one core. Build with -c release.
            """
    )

    @OptionGroup var live: LiveOptions
    @Option(help: "Seconds per HTTP workload.") var seconds: Double = 5
    @Option(help: "Connections of the closed-loop workload.") var connections: Int = 2
    @Option(help: "Agents of the open-loop and stream workloads.") var agents: Int = 100

    func validate() throws {
        guard seconds > 0, connections >= 1, agents >= 1 else {
            throw ValidationError("--seconds, --connections and --agents must be positive")
        }
    }

    func run() throws {
        let predictor = try live.predictor()
        var settings = ServerSettings()
        (settings.port, settings.k) = (0, live.k)
        let server = try PredictionServer(predictor: predictor, settings: settings)
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        Task {
            try await server.run { bound in
                port.withLock { $0 = bound }
                ready.signal()
            }
        }
        ready.wait()
        let bound = port.withLock { $0 }
        let rows = [
            ServiceBenchmark.closedLoop("serve: 1 agent, k \(live.k), \(connections) connections", port: bound,
                                        body: ServiceBenchmark.predictBody(agents: 1, k: live.k),
                                        connections: connections, seconds: seconds),
            ServiceBenchmark.openLoop("serve: \(agents) agents, k \(live.k), 100 requests/s", port: bound,
                                      body: ServiceBenchmark.predictBody(agents: agents, k: live.k), rate: 100, seconds: seconds),
            try ServiceBenchmark.stream("stream: \(agents) agents, k \(live.k), per frame", predictor: predictor, agents: agents,
                                        k: live.k, frames: Int(seconds * 100)),
        ]
        print("run \(predictor.model.run.name) (\(predictor.model.configuration.family)), \(predictor.model.configuration.model.summary)")
        print("workload | answered | per second | p50 ms | p95 ms | p99 ms | failures")
        for row in rows {
            print([row.label, "\(row.requests)", formatted(rounded(row.perSecond, 0)), formatted(rounded(row.p50, 3)),
                   formatted(rounded(row.p95, 3)), formatted(rounded(row.p99, 3)), "\(row.failures)"].joined(separator: " | "))
        }
        print("stream at 2.5 Hz: \(formatted(rounded(rows[2].mean * 2.5 / 10, 2))) % of one core (mean \(formatted(rounded(rows[2].mean, 3))) ms per frame)")
    }
}
