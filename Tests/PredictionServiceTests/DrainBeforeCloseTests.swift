// The close of a connection waits for its writes to reach the socket, as long as they progress: a
// slow socket (a handler that holds the writes' promises) on an embedded channel with a clock.
import NIOCore
import NIOEmbedded
import Testing
@testable import PredictionService

/// The socket's side: takes writes and completes them when told, as a socket drained by its client.
final class SlowSocket: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var taken: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        taken.append(promise ?? context.eventLoop.makePromise())
    }

    /// The client reads the oldest write.
    func drainOne() { taken.removeFirst().succeed(()) }
}

@Suite struct DrainBeforeCloseTests {
    func channel() throws -> (EmbeddedChannel, SlowSocket) {
        let socket = SlowSocket()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(socket)
        try channel.pipeline.syncOperations.addHandler(DrainBeforeClose(longestWait: .seconds(30)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, socket)
    }

    @Test func aCloseWaitsWhileTheWritesProgress() throws {
        let (channel, socket) = try channel()
        for part in 0..<3 { channel.write(ByteBuffer(string: "part \(part)"), promise: nil) }
        channel.flush()
        let closed = channel.close()
        // 50 s after the close, each 20 s apart, a part reaches the client: the connection stays open.
        for _ in 0..<2 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(20))
            #expect(channel.isActive)
            socket.drainOne()
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        // The last part written: closed at once.
        socket.drainOne()
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(throws: Never.self) { try closed.wait() }
    }

    @Test func aClientThatTakesNothingIsClosedAfterTheLongestWait() throws {
        let (channel, _) = try channel()
        channel.writeAndFlush(ByteBuffer(string: "answer"), promise: nil)
        _ = channel.close()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    /// A second close while one is held (Hummingbird's idle task during a shutdown's drain) waits with it.
    @Test func aSecondCloseWaitsWithTheFirst() throws {
        let (channel, socket) = try channel()
        channel.writeAndFlush(ByteBuffer(string: "answer"), promise: nil)
        let first = channel.close(), second = channel.close()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        socket.drainOne()
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
        #expect(throws: Never.self) { try first.wait() }
        #expect(throws: Never.self) { try second.wait() }
    }

    @Test func nothingBeingWrittenClosesAtOnce() throws {
        let (channel, socket) = try channel()
        channel.writeAndFlush(ByteBuffer(string: "answer"), promise: nil)
        socket.drainOne()
        _ = channel.close()
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
