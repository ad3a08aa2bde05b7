/// Where and how alarm steps are delivered (the config's `delivery:` section).
public struct DeliverySettings: Sendable {
    public struct Webhook: Sendable {
        public var name: String
        public var endpoint: HTTPEndpoint
        /// The HMAC key (the contents of `secret_file`).
        public var secret: [UInt8]
        /// Trust only this CA for https (default: the system's roots).
        public var caFile: String?
        public init(name: String, endpoint: HTTPEndpoint, secret: [UInt8], caFile: String? = nil) {
            self.name = name
            self.endpoint = endpoint
            self.secret = secret
            self.caFile = caFile
        }
    }

    public struct Alertmanager: Sendable {
        public var name: String
        /// Every instance of the cluster; each is told everything (its HA model).
        public var endpoints: [HTTPEndpoint]
        public var caFile: String?
        /// How often firing alerts are sent again (Prometheus: 1 min).
        public var resendEvery: Double
        public init(name: String, endpoints: [HTTPEndpoint], caFile: String? = nil, resendEvery: Double = 60) {
            self.name = name
            self.endpoints = endpoints
            self.caFile = caFile
            self.resendEvery = resendEvery
        }
    }

    public var webhooks: [Webhook] = []
    public var alertmanagers: [Alertmanager] = []
    /// "I am alive" to every sink this often.
    public var heartbeatEvery: Double = 300
    public var backoff = Backoff()
    /// The whole exchange (connect, TLS, request, answer) must finish within this.
    public var timeout: Double = 10
    /// On shutdown, how long to keep delivering what is pending (the rest waits in the
    /// outbox for the next start).
    public var drainOnExit: Double = 5

    public init() {}

    public var isEmpty: Bool { webhooks.isEmpty && alertmanagers.isEmpty }

    /// The outbox target names, one per webhook and per Alertmanager instance.
    public var targets: [String] {
        webhooks.map(\.name) + alertmanagers.flatMap { am in am.endpoints.map { "\(am.name)@\($0.authority)" } }
    }
}
