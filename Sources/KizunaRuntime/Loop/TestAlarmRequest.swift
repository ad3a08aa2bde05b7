import Foundation
import KizunaNet

/// `kizuna alarm test`: asks the running runtime, through its own API on this machine, for
/// a test alarm. The runtime raises it in its loop and delivers it to every sink, marked as
/// a test; the installer watches it arrive at the authority.
public enum TestAlarmRequest {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The local API address from the config (`0.0.0.0` and `::` mean this machine).
    public static func endpoint(for installation: Installation) throws(Failure) -> HTTPEndpoint {
        guard let api = installation.api else {
            throw Failure(description: "\(installation.configFile) has no api: section; the test alarm goes through the running runtime's API")
        }
        let host = (api.host == "0.0.0.0" || api.host.isEmpty) ? "127.0.0.1" : (api.host == "::" ? "::1" : api.host)
        let hostText = host.contains(":") ? "[\(host)]" : host
        do {
            return try HTTPEndpoint(parsing: "\(api.certificate != nil ? "https" : "http")://\(hostText):\(api.port)/v1/alarms/test")
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// Sends the request; returns the runtime's answer (JSON with the alarm id).
    public static func send(to endpoint: HTTPEndpoint, token: String, caFile: String?, timeout: Double = 10) throws(Failure) -> String {
        let poster = HTTPPoster()
        defer { poster.shutdown() }
        switch poster.post(endpoint, headers: [("Authorization", "Bearer \(token)")], body: [], timeout: timeout, caFile: caFile) {
        case .success(let reply) where reply.status == 200:
            return reply.body
        case .success(let reply):
            throw Failure(description: "the runtime answered HTTP \(reply.status): \(reply.body)")
        case .failure(let e):
            throw Failure(description: "cannot reach the runtime at \(endpoint): \(e) (is kizuna running with this config?)")
        }
    }
}
