import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Where a sink posts to: `http://host:port/path` or `https://…`, checked when the config is read.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var secure: Bool
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String

    /// nil with a reason when `text` is not an http(s) URL with a host.
    public init(parsing text: String) throws(EndpointError) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
            throw EndpointError(message: "'\(text)' is not a URL (http://host:port/path)")
        }
        guard scheme == "http" || scheme == "https" else {
            throw EndpointError(message: "'\(text)': only http:// and https:// are supported")
        }
        guard let host = url.host, !host.isEmpty else { throw EndpointError(message: "'\(text)' has no host") }
        guard url.user == nil, url.password == nil else {
            throw EndpointError(message: "'\(text)': no credentials in URLs (they would end up in logs)")
        }
        secure = scheme == "https"
        self.host = host
        port = url.port ?? (secure ? 443 : 80)
        var p = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        if let q = url.percentEncodedQuery { p += "?" + q }
        path = p
    }

    public var description: String { "\(secure ? "https" : "http")://\(hostForURL):\(port)\(path)" }
    var hostForURL: String { host.contains(":") ? "[\(host)]" : host }
    /// "host:port", the part of an address that names a receiver.
    public var authority: String { "\(hostForURL):\(port)" }
}

public struct EndpointError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The answer to one request.
public struct HTTPReply: Sendable {
    public var status: Int
    public var body: String
}

/// Why a request did not get an answer, by the kind an on-call engineer fixes differently.
public enum DeliveryError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The name does not resolve.
    case dns(String)
    /// Nothing listens there (connection refused).
    case refused(String)
    /// No route, network down.
    case unreachable(String)
    /// No connection or no answer in time.
    case timeout(String)
    /// The TLS handshake failed (certificate, protocol).
    case tls(String)
    /// The connection was reset or closed before the answer.
    case reset(String)
    case other(String)

    /// The label of the failure metric.
    public var kind: String {
        switch self {
        case .dns: "dns"
        case .refused: "refused"
        case .unreachable: "unreachable"
        case .timeout: "timeout"
        case .tls: "tls"
        case .reset: "reset"
        case .other: "other"
        }
    }

    public var description: String {
        switch self {
        case .dns(let s), .refused(let s), .unreachable(let s), .timeout(let s), .tls(let s), .reset(let s), .other(let s):
            "\(kind): \(s)"
        }
    }

    static func classify(_ error: Error, endpoint: HTTPEndpoint) -> DeliveryError {
        if let e = error as? DeliveryError { return e }
        let at = endpoint.authority
        if let e = error as? NIOConnectionError {
            if e.connectionErrors.isEmpty {
                return .dns("\(endpoint.host) does not resolve")
            }
            for failure in e.connectionErrors {
                let c = classify(failure.error, endpoint: endpoint)
                if case .other = c { continue }
                return c
            }
            return .other("cannot connect to \(at)")
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return .timeout("no connection to \(at) in time") }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return .refused("connection refused by \(at)")
            case ENETUNREACH, EHOSTUNREACH, ENETDOWN: return .unreachable("\(at) unreachable")
            case ECONNRESET, EPIPE: return .reset("connection to \(at) reset")
            case ETIMEDOUT: return .timeout("connection to \(at) timed out")
            default: return .other("\(at): \(e)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return .tls("\(at): \(error)") }
        if let e = error as? SocketAddressError { return .dns("\(endpoint.host): \(e)") }
        return .other("\(at): \(error)")
    }
}

/// A small HTTP/1.1 client for alarm delivery: one connection per request (`Connection:
/// close`), a deadline on the whole exchange, TLS through swift-nio-ssl. One request at a
/// time per sink, so no pool is needed; async-http-client would double the build for this.
public final class HTTPPoster: Sendable {
    let group: MultiThreadedEventLoopGroup

    public init(threads: Int = 1) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    }

    public func shutdown() {
        try? group.syncShutdownGracefully()
    }

    /// The TLS context for an endpoint: the system's roots, or only the CA in `caFile`.
    public static func tlsContext(caFile: String?) throws -> NIOSSLContext {
        var config = TLSConfiguration.makeClientConfiguration()
        if let caFile { config.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: config)
    }

    /// POSTs `body` with a timeout in seconds and, for https, trust in `caFile` (or the system's roots).
    public func post(_ endpoint: HTTPEndpoint, headers: [(String, String)], body: [UInt8], timeout: Double, caFile: String?) -> Result<HTTPReply, DeliveryError> {
        var tls: NIOSSLContext?
        if endpoint.secure {
            do { tls = try Self.tlsContext(caFile: caFile) } catch { return .failure(.tls("\(error)")) }
        }
        return post(endpoint, headers: headers, body: body, timeout: .milliseconds(Int64(timeout * 1000)), tls: tls)
    }

    /// POSTs `body`; fails with a `DeliveryError` when no answer arrives within `timeout`.
    /// Blocks the calling thread (a delivery worker's own; never the loop's).
    public func post(_ endpoint: HTTPEndpoint, headers: [(String, String)], body: [UInt8], timeout: TimeAmount,
                     tls: NIOSSLContext?) -> Result<HTTPReply, DeliveryError> {
        let loop = group.next()
        let promise = loop.makePromise(of: HTTPReply.self)
        let serverName = endpoint.host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : endpoint.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if endpoint.secure {
                        guard let tls else { throw DeliveryError.tls("no TLS context for \(endpoint.authority)") }
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector(promise: promise, endpoint: endpoint))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let deadline = loop.scheduleTask(in: timeout) {
            promise.fail(DeliveryError.timeout("no answer from \(endpoint.authority) within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        bootstrap.connect(host: endpoint.host, port: endpoint.port).whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(DeliveryError.classify(error, endpoint: endpoint))
            case .success(let channel):
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
                head.headers.add(name: "Host", value: endpoint.authority)
                head.headers.add(name: "User-Agent", value: "kizuna")
                head.headers.add(name: "Content-Type", value: "application/json")
                head.headers.add(name: "Content-Length", value: "\(body.count)")
                head.headers.add(name: "Connection", value: "close")
                for (name, value) in headers { head.headers.add(name: name, value: value) }
                var buffer = channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { error in
                    promise.fail(DeliveryError.classify(error, endpoint: endpoint))
                }
            }
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        do {
            return .success(try promise.futureResult.wait())
        } catch let e as DeliveryError {
            return .failure(e)
        } catch {
            return .failure(DeliveryError.classify(error, endpoint: endpoint))
        }
    }
}

/// Collects the status and (up to 64 KiB of) the body of the one response.
final class ReplyCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<HTTPReply>
    let endpoint: HTTPEndpoint
    var status: Int?
    var body: [UInt8] = []

    init(promise: EventLoopPromise<HTTPReply>, endpoint: HTTPEndpoint) {
        self.promise = promise
        self.endpoint = endpoint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            if body.count < 65_536, let bytes = buffer.readBytes(length: min(buffer.readableBytes, 65_536 - body.count)) {
                body += bytes
            }
        case .end:
            promise.succeed(HTTPReply(status: status ?? 0, body: String(decoding: body, as: UTF8.self)))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DeliveryError.reset("\(endpoint.authority) closed the connection before answering"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(DeliveryError.classify(error, endpoint: endpoint))
        context.close(promise: nil)
    }
}
