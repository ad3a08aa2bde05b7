import Foundation
import KizunaCore
import KizunaNet

/// The config's `delivery:` section: where alarm steps go (webhooks, Alertmanager), the
/// heartbeat, and the retry timing. See boards/kizuna.example.yaml.
enum DeliveryConfig {
    static func parse(_ node: YAMLNode, configFile: String) throws(ConfigError) -> DeliverySettings {
        var settings = DeliverySettings()
        var names: Set<String> = []
        func unique(_ name: String, _ at: YAMLNode) throws(ConfigError) {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                throw at.error("a sink name is letters, digits, '-', '_' or '.', got \"\(name)\"")
            }
            guard names.insert(name).inserted else { throw at.error("two sinks are named '\(name)'") }
        }
        func endpoint(_ v: YAMLNode) throws(ConfigError) -> HTTPEndpoint {
            do { return try HTTPEndpoint(parsing: try v.string()) } catch let e as EndpointError { throw v.error(e.message) } catch let e as ConfigError { throw e } catch { throw v.error("\(error)") }
        }
        func path(_ v: YAMLNode) throws(ConfigError) -> String {
            let p = try v.string()
            let full = p.hasPrefix("/") ? p : URL(fileURLWithPath: configFile).deletingLastPathComponent().appendingPathComponent(p).path
            guard FileManager.default.isReadableFile(atPath: full) else { throw v.error("cannot read \(full)") }
            return full
        }
        for (k, v) in try node.mapping(allowed: ["webhooks", "alertmanagers", "heartbeat_every", "backoff", "timeout", "drain_on_exit"]) {
            switch k {
            case "heartbeat_every": settings.heartbeatEvery = try v.span(in: .seconds(1) ... .hours(24)).seconds
            case "timeout": settings.timeout = try v.span(in: .milliseconds(100) ... .minutes(2)).seconds
            case "drain_on_exit": settings.drainOnExit = try v.span(in: .zero ... .minutes(5)).seconds
            case "backoff":
                for (bk, bv) in try v.mapping(allowed: ["first", "max"]) {
                    if bk == "first" { settings.backoff.first = try bv.span(in: .milliseconds(10) ... .minutes(10)).seconds } else { settings.backoff.maximum = try bv.span(in: .seconds(1) ... .hours(1)).seconds }
                }
                guard settings.backoff.first <= settings.backoff.maximum else { throw v.error("backoff.first is longer than backoff.max") }
            case "webhooks":
                for w in try v.sequence() {
                    var name: String?, url: HTTPEndpoint?, secret: [UInt8]?, ca: String?
                    for (wk, wv) in try w.mapping(allowed: ["name", "url", "secret_file", "ca_file"]) {
                        switch wk {
                        case "name":
                            name = try wv.string()
                            try unique(name!, wv)
                        case "url": url = try endpoint(wv)
                        case "ca_file": ca = try path(wv)
                        default:
                            let file = try path(wv)
                            let text = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                            guard text.utf8.count >= 16 else { throw wv.error("the secret in \(file) is shorter than 16 bytes") }
                            secret = Array(text.utf8)
                        }
                    }
                    guard let name, let url, let secret else { throw w.error("a webhook needs name, url and secret_file") }
                    settings.webhooks.append(.init(name: name, endpoint: url, secret: secret, caFile: ca))
                }
            default:
                for a in try v.sequence() {
                    var name: String?, urls: [HTTPEndpoint] = [], ca: String?, resend = 60.0
                    for (ak, av) in try a.mapping(allowed: ["name", "urls", "ca_file", "resend_every"]) {
                        switch ak {
                        case "name":
                            name = try av.string()
                            try unique(name!, av)
                        case "urls": for u in try av.sequence() { urls.append(try endpoint(u)) }
                        case "ca_file": ca = try path(av)
                        default: resend = try av.span(in: .seconds(1) ... .minutes(30)).seconds
                        }
                    }
                    guard let name, !urls.isEmpty else { throw a.error("an alertmanager needs name and urls (every instance of the cluster)") }
                    settings.alertmanagers.append(.init(name: name, endpoints: urls, caFile: ca, resendEvery: resend))
                }
            }
        }
        return settings
    }
}
