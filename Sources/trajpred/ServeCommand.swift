// `trajpred serve`: the HTTP/JSON prediction service on one loaded model, on loopback unless told
// otherwise. Says where it listens on stderr once it accepts connections; SIGTERM or Ctrl-C
// finish the requests in flight and exit 0.
import ArgumentParser
import Dispatch
import PredictionService
import TrajectoryData
import Workflows

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve predictions over HTTP/JSON: POST /v1/predict, POST /v1/sessions/{id}/frames, GET /v1/model.",
        discussion: """
            The OpenAPI document is at /openapi.json. Requests without k or seed take --k and --seed; the same \
            request and seed give the same futures.
            """
    )

    @OptionGroup var live: LiveOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port (0: any free one, reported on stderr).") var port = 8080
    @Option(help: "The largest request body in bytes (larger: 413).") var bodyLimit = 1 << 20
    @Option(help: "Seconds a connection may sit idle (no request, or one half sent) before it is closed.")
    var idleTimeout: Double = 60

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0…65535") }
        guard bodyLimit >= 1024 else { throw ValidationError("--body-limit must be at least 1024 bytes") }
        guard idleTimeout >= 0.1, idleTimeout <= 86_400 else {
            throw ValidationError("--idle-timeout must be from 0.1 to 86400 seconds")
        }
    }

    func run() throws {
        let predictor = try live.predictor()
        var settings = ServerSettings()
        (settings.host, settings.port, settings.k, settings.seed) = (host, port, live.k, live.seed)
        (settings.forget, settings.bodyLimit, settings.idleTimeout) = (live.forget, bodyLimit, idleTimeout)
        let server = try PredictionServer(predictor: predictor, settings: settings)
        let (family, host) = (predictor.model.configuration.family, host)
        let result = blockingRun {
            try await server.run { port in
                printError("listening on http://\(host):\(port) (run \(predictor.model.run.name), \(family), "
                    + "dt \(formatted(predictor.timeStep)) s)")
            }
        }
        try result.get()
        printError("stopped")
    }
}

/// Runs async `body` to its end from synchronous code (the command's `run`).
func blockingRun(_ body: @escaping @Sendable () async throws -> Void) -> Result<Void, any Error> {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<Void, any Error> = .success(())
    Task {
        do { try await body() } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return result
}
