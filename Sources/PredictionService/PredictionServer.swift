// The HTTP/JSON service of `trajpred serve` on Hummingbird: one loaded model (`OnlinePredictor`)
// answers stateless requests (`POST /v1/predict`) and stateful tracker sessions (`POST
// /v1/sessions/{id}/frames`), describes itself (`GET /v1/model`, `GET /openapi.json`) and its
// health (`GET /healthz`). What each route answers is `answer(_:parameters:body:)`, free of
// Hummingbird, so it is tested without a socket; `run` only binds it to HTTP. SIGTERM and SIGINT
// stop accepting connections, finish the requests in flight and return.
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Workflows

/// How `trajpred serve` runs.
public struct ServerSettings: Sendable {
    /// The address to listen on: loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// 0: any free port (the one chosen is reported when ready).
    public var port = 8080
    /// k and seed of a request that does not give them.
    public var k = 20
    public var seed: UInt64 = 0
    /// Seconds unseen after which a session's agent is forgotten.
    public var forget: Double = 5
    /// Largest request body in bytes; larger ones get 413.
    public var bodyLimit = 1 << 20
    /// Sessions kept at once; a new one beyond this replaces the least recently used.
    public var sessionLimit = 1024
    /// Seconds a connection may sit idle (no request, or a request's head half sent) before it is
    /// closed: connections that never finish a request would otherwise be held for good.
    public var idleTimeout: Double = 60

    public init() {}
}

public struct PredictionServer: Sendable {
    /// What a route does.
    public enum Operation: String, Sendable, CaseIterable {
        case predict, sessionFrames, deleteSession, model, health, openAPI
    }

    /// One route: method, path (with `{parameters}` as OpenAPI writes them) and what it does.
    public struct Route: Sendable, Equatable {
        public var method: String
        public var path: String
        public var operation: Operation
    }

    /// Every route served; the OpenAPI document lists exactly these (a test checks it).
    public static let routes: [Route] = [
        Route(method: "POST", path: "/v1/predict", operation: .predict),
        Route(method: "POST", path: "/v1/sessions/{id}/frames", operation: .sessionFrames),
        Route(method: "DELETE", path: "/v1/sessions/{id}", operation: .deleteSession),
        Route(method: "GET", path: "/v1/model", operation: .model),
        Route(method: "GET", path: "/healthz", operation: .health),
        Route(method: "GET", path: "/openapi.json", operation: .openAPI),
    ]

    public let predictor: OnlinePredictor
    public let settings: ServerSettings
    let sessions: SessionStore
    /// The OpenAPI document, with this model's largest k.
    let document: Data

    public init(predictor: OnlinePredictor, settings: ServerSettings) throws(WorkflowError) {
        try predictor.check(k: settings.k)
        self.predictor = predictor
        self.settings = settings
        sessions = SessionStore(limit: settings.sessionLimit)
        document = OpenAPIDocument.json(maximumK: predictor.maximumK)
    }

    /// An HTTP answer: status and JSON body (empty for 204).
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: Data
    }

    /// The answer of route `operation` to `body`, with the path's parameters.
    public func answer(_ operation: Operation, parameters: [String: String] = [:], body: Data = Data()) -> Answer {
        do {
            switch operation {
            case .predict:
                return Answer(status: 200, body: try predict(body).json)
            case .sessionFrames:
                return Answer(status: 200, body: try frame(body, session: parameters["id"] ?? "").json)
            case .deleteSession:
                return sessions.remove(parameters["id"] ?? "") ? Answer(status: 204, body: Data())
                    : Self.error(404, field: "id", "no session '\(parameters["id"] ?? "")'")
            case .model:
                return Answer(status: 200, body: LiveJSON.encode(ModelDescription(predictor, settings)))
            case .health:
                return Answer(status: 200, body: LiveJSON.encode(["status": "ok"]))
            case .openAPI:
                return Answer(status: 200, body: document)
            }
        } catch let error as WorkflowError {
            switch error {
            case let .invalidInput(field, _): return Self.error(400, field: field, error.description)
            case let .tooManyFutures(_, maximum, family, _):
                // In the request's words: the command line's --k and --model-option mean nothing here.
                return Self.error(400, field: "k", "k: must be at most \(maximum), the futures this \(family) model makes")
            default: return Self.error(500, field: "", error.description)
            }
        } catch {
            return Self.error(500, field: "", "\(error)")
        }
    }

    /// The body of an error: `{"error": "agents[2].x: missing", "field": "agents[2].x"}`.
    static func error(_ status: Int, field: String, _ message: String) -> Answer {
        Answer(status: status, body: LiveJSON.encode(["error": message, "field": field]))
    }

    /// The 413 of a body over `limit` bytes.
    static func tooLarge(_ limit: Int) -> Answer { error(413, field: "", "the body is larger than \(limit) bytes") }

    /// k and seed beside a request's other fields.
    struct Options: Decodable {
        var k: Int?
        var seed: UInt64?

        enum CodingKeys: String, CodingKey { case k, seed }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            k = try c.decodeCountIfPresent(forKey: .k)
            seed = try c.decodeIntegerIfPresent(UInt64.self, forKey: .seed)
        }
    }

    func predict(_ body: Data) throws -> LiveForecast {
        let request = try LiveJSON.decode(ObservedPaths.self, from: body)
        let k = request.k ?? settings.k
        try predictor.check(k: k, agents: request.agents.count)
        let (time, paths) = try request.observations(timeStep: predictor.timeStep)
        var tracks = predictor.makeTracks(forget: .greatestFiniteMagnitude)
        for (id, path) in paths { tracks.observe(agent: id, path: path) }
        return try predictor.predict(tracks, at: time, agents: paths.map(\.id), k: k, seed: request.seed ?? settings.seed)
    }

    /// A session's frame and its options, read from one body in one pass.
    struct FrameRequest: Decodable {
        var frame: TrackerFrame
        var options: Options

        init(from decoder: any Decoder) throws {
            frame = try TrackerFrame(from: decoder)
            options = try Options(from: decoder)
        }
    }

    func frame(_ body: Data, session id: String) throws -> LiveForecast {
        let request = try LiveJSON.decode(FrameRequest.self, from: body)
        let (frame, options) = (request.frame, request.options)
        let k = options.k ?? settings.k
        try predictor.check(k: k, agents: frame.agents.count)
        let tracks = try sessions.observe(frame, session: id) { predictor.makeTracks(forget: settings.forget) }
        return try predictor.predict(tracks, at: frame.time, agents: frame.agents.map(\.id), k: k,
                                 seed: options.seed ?? settings.seed)
    }

    /// Serves until SIGTERM or SIGINT, then finishes the requests in flight and returns.
    /// `onReady` gets the port listened on once connections are accepted.
    public func run(onReady: @escaping @Sendable (Int) -> Void) async throws {
        // HEAD answers as GET does, without the body; a path the service does not have gets a 404
        // that says so in JSON, as every other error does.
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: NotFoundAsJSON())
        let limit = settings.bodyLimit, idleTimeout = TimeAmount.milliseconds(Int64(settings.idleTimeout * 1000))
        for route in Self.routes {
            router.on(RouterPath(route.path), method: HTTPRequest.Method(route.method)!) { request, context in
                var parameters: [String: String] = [:]
                if let id = context.parameters.get("id") { parameters["id"] = id }
                var request = request
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: limit)
                } catch is NIOTooManyBytesError {
                    return Self.response(Self.tooLarge(limit))
                }
                return Self.response(self.answer(route.operation, parameters: parameters, body: Data(buffer: body)))
            }
        }
        // A path served with another method: 405 with the methods it has.
        for path in Set(Self.routes.map(\.path)) {
            let allowed = Self.routes.filter { $0.path == path }.map(\.method)
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "QUERY"] where !allowed.contains(method) {
                router.on(RouterPath(path), method: HTTPRequest.Method(method)!) { _, _ in
                    var response = Self.response(Self.error(405, field: "", "\(path) takes \(allowed.joined(separator: ", "))"))
                    response.headers[.allow] = allowed.joined(separator: ", ")
                    return response
                }
            }
        }
        var logger = Logger(label: "trajpred.serve", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        let app = Application(router: router,
                              server: HTTPServerBuilder { responder in
                                  HTTP1WithRequestHeads(http1: HTTP1Channel(responder: responder, configuration: .init(
                                      additionalChannelHandlers: [DrainBeforeClose()], idleTimeout: idleTimeout)),
                                                        bodyLimit: limit, readTimeout: idleTimeout)
                              },
                              configuration: .init(address: .hostname(settings.host, port: settings.port),
                                                   serverName: "trajpred"),
                              onServerRunning: { channel in onReady(channel.localAddress?.port ?? 0) },
                              logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw WorkflowError.invalidInput(field: "", reason: "port \(settings.port) on \(settings.host) is in use "
                + "(another trajpred serve?): give another --port, or --port 0 for any free one")
        }
    }

    /// The answer as HTTP: its body written 64 KB at a time, each part when the connection can take it, so a
    /// long answer's progress shows (`DrainBeforeClose`).
    static func response(_ answer: Answer) -> Response {
        var headers = HTTPFields()
        guard answer.status != 204 else { return Response(status: .noContent, headers: headers, body: ResponseBody()) }
        headers[.contentType] = "application/json"
        let body = answer.body
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers,
                        body: ResponseBody(contentLength: body.count) { writer in
                            var start = body.startIndex
                            while start < body.endIndex {
                                let end = min(start + Self.bodyPart, body.endIndex)
                                try await writer.write(ByteBuffer(bytes: body[start..<end]))
                                start = end
                            }
                            try await writer.finish(nil)
                        })
    }

    /// The bytes of an answer written at once: small enough that a client reading 3 KB/s still completes a
    /// part within `DrainBeforeClose`'s 30 s.
    static let bodyPart = 1 << 16
}

/// `GET /v1/model`.
struct ModelDescription: Encodable {
    var run: String
    var runID: Int64
    var family: String
    var summary: String
    var checkpointEpoch: Int
    var observed: Int
    var predicted: Int
    var dt: Double
    var maxGap: Double
    var forget: Double
    var k: KRange

    struct KRange: Encodable {
        var min: Int
        var max: Int
        var `default`: Int
    }

    enum CodingKeys: String, CodingKey {
        case run, family, summary, observed, predicted, dt, k, forget
        case runID = "run_id", checkpointEpoch = "checkpoint_epoch", maxGap = "max_gap"
    }

    init(_ predictor: OnlinePredictor, _ settings: ServerSettings) {
        let model = predictor.model
        run = model.run.name
        runID = model.run.id
        family = model.configuration.family
        summary = model.configuration.model.summary
        checkpointEpoch = model.checkpointEpoch
        observed = predictor.observed
        predicted = predictor.predicted
        dt = predictor.timeStep
        maxGap = predictor.maxGap
        forget = settings.forget
        k = KRange(min: 1, max: predictor.maximumK, default: settings.k)
    }
}

/// A 404 of the router (no such path) as the service's other errors: `{"error": …, "field": ""}`.
struct NotFoundAsJSON<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return PredictionServer.response(PredictionServer.error(404, field: "", "no such path: \(request.uri.path)"))
        }
    }
}

/// Holds a connection's close until what was written on it has reached the socket. On SIGTERM (and
/// after an answer to a request that asked to close) Hummingbird closes a connection right after
/// queueing the last part of its answer, and NIO drops what is still queued: an answer of megabytes to
/// a client that takes it slower than the server writes it arrived cut. Answers are written 64 KB at a
/// time (`response(_:)`), so progress shows as writes complete; a connection on which no write
/// completes for `longestWait` is closed anyway (a client that reads nothing), and stderr says so.
final class DrainBeforeClose: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any
    typealias OutboundOut = Any

    let longestWait: TimeAmount
    /// Writes passed on whose promise has not completed.
    private var writing = 0
    /// The close held back, and when it happens anyway.
    private var heldClose: (mode: CloseMode, promise: EventLoopPromise<Void>?, deadline: Scheduled<Void>)?

    init(longestWait: TimeAmount = .seconds(30)) {
        self.longestWait = longestWait
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let written = promise ?? context.eventLoop.makePromise()
        writing += 1
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.writing -= 1
            guard let held = self.heldClose else { return }
            held.deadline.cancel()
            if self.writing == 0 {
                self.releaseClose(context)
            } else {
                self.heldClose?.deadline = self.deadline(context)
            }
        }
        context.write(data, promise: written)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, writing > 0 else {
            context.close(mode: mode, promise: promise)
            return
        }
        // A second close while one is held (Hummingbird's idle task, say) waits with it.
        if let held = heldClose {
            if let promise {
                if let first = held.promise { first.futureResult.cascade(to: promise) } else { heldClose?.promise = promise }
            }
            return
        }
        heldClose = (mode, promise, deadline(context))
    }

    /// The held close, `longestWait` from now, when no write has completed by then.
    private func deadline(_ context: ChannelHandlerContext) -> Scheduled<Void> {
        context.eventLoop.assumeIsolated().scheduleTask(in: longestWait) {
            FileHandle.standardError.write(Data(("trajpred serve: an answer was cut: no part of it reached its client "
                + "for \(self.longestWait.nanoseconds / 1_000_000_000) s\n").utf8))
            self.releaseClose(context)
        }
    }

    private func releaseClose(_ context: ChannelHandlerContext) {
        guard let held = heldClose else { return }
        heldClose = nil
        held.deadline.cancel()
        context.close(mode: held.mode, promise: held.promise)
    }
}

/// Hummingbird's HTTP/1 channel, with what HTTP/1 asks of the request head done before the conversion
/// to HTTP types drops its version (`HTTP1RequestHeads`).
struct HTTP1WithRequestHeads: ServerChildChannel {
    let http1: HTTP1Channel
    let bodyLimit: Int
    let readTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTP1RequestHeads(bodyLimit: bodyLimit, readTimeout: readTimeout), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// Three things Hummingbird leaves to HTTP/1 itself:
/// - a request that does not keep its connection alive (HTTP/1.0 without keep-alive) is marked
///   "Connection: close", the only way Hummingbird closes after an answer: a client of HTTP/1.0 that
///   reads to the end of the connection waited;
/// - a request that expects "100 Continue" before sending its body gets it (curl waited a second for it
///   before every body over 1 MB; a client that waits for it got nothing): once the answers to the
///   requests before it on the connection have ended, so it is never read as theirs. One whose body is
///   over the limit gets its 413 at once, and the connection closes (RFC 9110 §10.1.1), when nothing is
///   being answered before it; else no 100, and the 413 once the body comes;
/// - a request whose head or body stalls for `readTimeout` closes its connection (Hummingbird's idle
///   timeout does not run while a request is read: a half-sent body held the connection for good).
final class HTTP1RequestHeads: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let bodyLimit: Int
    /// Requests whose head was read and whose answer has not ended.
    private var answering = 0
    /// A request owed its 100 Continue when the answers before it end (its version).
    private var owedContinue: HTTPVersion?
    /// After a 413 sent at once: the connection's input is dropped until it closes.
    private var refused = false
    /// How long a request's head or body may stall between two parts before the connection closes.
    let readTimeout: TimeAmount
    private var stalled: Scheduled<Void>?

    init(bodyLimit: Int, readTimeout: TimeAmount) {
        (self.bodyLimit, self.readTimeout) = (bodyLimit, readTimeout)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let part = unwrapInboundIn(data)
        // Each part of a request restarts its clock; its end (or a 100 still owed) stops it.
        stalled?.cancel()
        if case .end = part { stalled = nil } else { watch(context) }
        guard case .head(var head) = part else {
            context.fireChannelRead(data)
            return
        }
        if !head.isKeepAlive { head.headers.replaceOrAdd(name: "connection", value: "close") }
        // (An HTTP/1.0 request's expectation is ignored, as RFC 9110 asks: its client knows no 100.)
        if head.version != .http1_0, head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            head.headers.remove(name: "expect")
            let length = head.headers["content-length"].first.flatMap { Int($0) } ?? 0
            if length > bodyLimit, answering == 0 {
                refuse(context, version: head.version)
                return
            }
            if length <= bodyLimit {
                if answering == 0 {
                    sendContinue(context, version: head.version)
                } else {
                    owedContinue = head.version
                    stalled?.cancel()  // the client waits for its 100: its clock starts with it
                }
            }
        }
        answering += 1
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let ended: Bool
        if case .end = unwrapOutboundIn(data) { ended = true } else { ended = false }
        context.write(data, promise: promise)
        guard ended else { return }
        answering -= 1
        if answering == 1, let version = owedContinue {
            owedContinue = nil
            sendContinue(context, version: version)
            watch(context)
        } else if answering == 0 {
            owedContinue = nil
        }
    }

    /// Closes the connection if no part of the request comes within `readTimeout` (from the pipeline's
    /// end, so an answer still being written before it is held until sent: `DrainBeforeClose`).
    private func watch(_ context: ChannelHandlerContext) {
        stalled?.cancel()
        let channel = context.channel
        stalled = context.eventLoop.assumeIsolated().scheduleTask(in: readTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stalled?.cancel()
    }

    private func sendContinue(_ context: ChannelHandlerContext, version: HTTPVersion) {
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
    }

    /// The 413 without reading the body the client holds back, then the connection closed once it is sent.
    private func refuse(_ context: ChannelHandlerContext, version: HTTPVersion) {
        refused = true
        let tooLarge = PredictionServer.tooLarge(bodyLimit).body
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(tooLarge.count))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .payloadTooLarge, headers: headers))),
                      promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: tooLarge)))), promise: nil)
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: sent)
        sent.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
