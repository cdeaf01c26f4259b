// A minimal blocking HTTP/1.1 client for loopback: one keep-alive connection, requests written
// whole (or in parts, to hold one open), responses read by Content-Length. For `trajpred bench
// serve`, which must add as little as possible to what it measures, and for the tests, which
// send bytes no ordinary client would. Not a general client: no chunked bodies, no TLS.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public final class LoopbackClient {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case connect(port: Int, errno: Int32)
        case closed
        case timedOut
        case malformed(String)

        public var description: String {
            switch self {
            case let .connect(port, code): return "cannot connect to 127.0.0.1:\(port) (\(String(cString: strerror(code))))"
            case .closed: return "the server closed the connection"
            case .timedOut: return "no answer in time"
            case let .malformed(text): return "malformed response: \(text)"
            }
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    let socket: Int32
    private var buffer = Data()

    /// `receiveBuffer`: the socket's receive buffer in bytes (the system's when nil), small for a client
    /// that takes an answer slower than the server writes it; `timeout`: how long a read waits for
    /// bytes before `Failure.timedOut` (forever when nil).
    public init(port: Int, receiveBuffer: Int? = nil, timeout: Duration? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var bytes = receiveBuffer.map(Int32.init) {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw Failure.connect(port: port, errno: code)
        }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(socket) }

    /// The bytes of a request with a JSON body (none for an empty one).
    public static func request(_ method: String, _ path: String, body: Data = Data()) -> Data {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if !body.isEmpty || method == "POST" { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        return Data((head + "\r\n").utf8) + body
    }

    /// Sends `method path` with `body` and reads the response.
    public func send(_ method: String, _ path: String, body: Data = Data()) throws -> Response {
        try write(Self.request(method, path, body: body))
        return try readResponse(toHead: method == "HEAD")
    }

    /// Writes raw bytes.
    public func write(_ data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var sent = 0
            while sent < bytes.count {
                let n = Glibc.send(socket, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw Failure.closed }
                sent += n
            }
        }
    }

    /// Reads one response (status line, headers, Content-Length bytes of body; none for a response
    /// to HEAD, whose Content-Length is that of the GET).
    public func readResponse(toHead: Bool = false) throws -> Response {
        let separator = Data("\r\n\r\n".utf8)
        var headEnd = buffer.range(of: separator)
        while headEnd == nil {
            try fill()
            headEnd = buffer.range(of: separator)
        }
        let head = String(decoding: buffer[buffer.startIndex..<headEnd!.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure.malformed(head) }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = toHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd!.upperBound
        while buffer.distance(from: bodyStart, to: buffer.endIndex) < length { try fill() }
        let body = Data(buffer[bodyStart..<buffer.index(bodyStart, offsetBy: length)])
        buffer = Data(buffer[buffer.index(bodyStart, offsetBy: length)...])
        return Response(status: status, headers: headers, body: body)
    }

    /// Waits for the first bytes of a response (kept for `readResponse`).
    public func awaitBytes() throws {
        if buffer.isEmpty { try fill() }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(socket, &chunk, chunk.count, 0)
        if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut }
        guard n > 0 else { throw Failure.closed }
        buffer.append(contentsOf: chunk[0..<n])
    }
}
