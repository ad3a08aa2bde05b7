import Foundation
import KizunaCore
import KizunaNet
import KizunaStore

/// What runs beside the loop on a device or in a demo with a store: the recorder, the
/// metrics, the published status, the store-fault watch, and the authority's API.
public final class RuntimeServices {
    let installation: Installation
    let loop: RuntimeLoop
    let store: FlatStore?
    let writer: StoreWriter?
    let metrics: KizunaMetrics
    let status: StatusBoard
    var server: Task<Void, Error>?

    public init(installation: Installation, loop: RuntimeLoop, store: FlatStore?, writer: StoreWriter?, metrics: KizunaMetrics, status: StatusBoard) {
        self.installation = installation
        self.loop = loop
        self.store = store
        self.writer = writer
        self.metrics = metrics
        self.status = status
    }

    /// Adds the observers that keep the record, the metrics and the status.
    public static func attach(to loop: RuntimeLoop, installation: Installation, writer: StoreWriter?, metrics: KizunaMetrics,
                              status: StatusBoard, bootID: String) {
        loop.add(status)
        loop.add(MetricsRecorder(metrics: metrics, sensors: installation.sensors, writer: writer))
        let histogram = metrics.loopIteration
        loop.onIteration = { histogram.record($0) }
        if let writer {
            loop.add(FlatRecorder(writer: writer, sensors: installation.sensors, bootID: bootID))
            loop.add(StoreFaultWatcher(writer: writer, commands: loop.commands))
        }
    }

    /// Serves the API in the background if the config asks for it (it needs the store).
    public func startAPI(port: PortBox, log: @escaping @Sendable (String) -> Void) {
        guard let api = installation.api else { return }
        guard let store, let writer else {
            log("warning: the API needs a store (store.path); not serving it")
            return
        }
        let commands = loop.commands
        let statusBoard = status
        let service = LogPullAPI(
            settings: api, store: store, metrics: metrics, offset: installation.settings.utcOffset,
            status: { statusBoard.status },
            audit: { actor, action, detail in
                let now = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
                writer.enqueue(audit: [AuditRecord(wall: now, actor: actor, action: action, detail: detail)])
            },
            acknowledge: { id, who in
                await commands.perform { engine, now, out in engine.acknowledge(alarmID: id, by: who, at: now, into: &out) }
            })
        server = Task.detached {
            do {
                try await service.serve { p in
                    port.set(p)
                    log("info: API listening on \(api.host):\(p)" + (api.certificate != nil ? " (TLS)" : ""))
                }
            } catch {
                log("error: API: \(error)")
                throw error
            }
        }
    }

    /// Stops the API and flushes the store.
    public func stop() {
        server?.cancel()
        writer?.stop()
    }
}
