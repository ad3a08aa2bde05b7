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
    /// Writes the count of refused requests not yet in the audit trail.
    var refusalsAtStop: (@Sendable () -> Void)?
    /// Alarm delivery, when the config has sinks.
    public private(set) var delivery: Delivery?

    /// The store writer for an installation: its outbox targets are set before it starts.
    public static func makeWriter(store: FlatStore, installation: Installation, commitEvery: Double) -> StoreWriter {
        let w = StoreWriter(store: store, commitEvery: commitEvery)
        if let st = installation.store {
            w.retentionEvents = st.keepEvents
            w.retentionHourly = st.keepHourly
        }
        w.deliveryTargets = installation.delivery?.targets ?? []
        w.deliveryDevice = installation.deviceID
        return w
    }

    public init(installation: Installation, loop: RuntimeLoop, store: FlatStore?, writer: StoreWriter?, metrics: KizunaMetrics, status: StatusBoard) {
        self.installation = installation
        self.loop = loop
        self.store = store
        self.writer = writer
        self.metrics = metrics
        self.status = status
    }

    /// At a start, before any new step is queued: alarms still out that a target of this
    /// config was not told of go to it (`Outbox.handOverOpenAlarms`), then steps left waiting
    /// for a target since renamed or moved (`Outbox.retarget`), then alarms raised while no
    /// target was configured (`Outbox.untold`).
    public static func handOverDelivery(store: FlatStore, installation: Installation, at now: WallTime,
                                        log: (String) -> Void) throws {
        let targets = installation.delivery?.targets ?? []
        let outbox = Outbox(store: store)
        // First the alarms still out, from their alarm step: a receiver that never had an
        // alarm may refuse its repeat; then what was left waiting for a gone target.
        let told = try outbox.handOverOpenAlarms(to: targets)
        if told > 0 {
            log("warning: \(told) alarm steps of alarms still out were queued for delivery targets that had not been told of them " +
                "(moved or added since)")
        }
        let n = try outbox.retarget(to: targets, at: now)
        if n > 0 {
            log("warning: \(n) alarm steps were waiting for delivery targets no longer configured: " +
                (targets.isEmpty ? "dropped (no delivery configured)" : "handed to \(targets.joined(separator: ", ")) unless they follow the alarm"))
        }
        // Alarms raised while no target was configured: no message was made for them then.
        // Made now, from the record: what the step said, and the flat's state as last saved
        // (what was seen at the step is not kept).
        guard !targets.isEmpty else { return }
        let untold = try outbox.untold()
        guard !untold.isEmpty else { return }
        let offset = installation.settings.utcOffset
        let occupancy = try store.snapshot()?.occupancy ?? "unknown"
        var queued = 0
        for (a, steps) in untold {
            for (id, s) in steps {
                let message = AlarmMessage(test: false, device: installation.deviceID, flat: installation.flatID, alarm: a.id,
                                           kind: a.kind, severity: a.severity, step: s.step,
                                           at: CivilTime.iso8601(s.wall, offset: offset, fractionDigits: 3),
                                           raised: CivilTime.iso8601(a.raised, offset: offset, fractionDigits: 3),
                                           reason: s.reason, actor: s.actor,
                                           evidence: .init(occupancy: occupancy, lastActivity: nil, lastActivityRoom: nil, readings: [:]))
                queued += try outbox.queue(message: message.json(), alarm: a.id, stepID: id, step: s.step, created: s.wall,
                                           device: installation.deviceID, targets: targets)
            }
        }
        log("warning: \(untold.count) alarms still out were raised while no delivery target was configured; " +
            "\(queued) of their steps were queued for \(targets.joined(separator: ", "))")
    }

    /// Adds the observers that keep the record, the metrics and the status.
    public static func attach(to loop: RuntimeLoop, installation: Installation, writer: StoreWriter?, metrics: KizunaMetrics,
                              status: StatusBoard, bootID: String) {
        loop.add(status)
        loop.add(MetricsRecorder(metrics: metrics, sensors: installation.sensors, writer: writer))
        let histogram = metrics.loopIteration
        loop.onIteration = { histogram.record($0) }
        if let writer {
            let recorder = FlatRecorder(writer: writer, sensors: installation.sensors, bootID: bootID)
            recorder.adopt(loop.engine.ladder.open)   // alarms restored from before a restart
            if installation.delivery != nil {
                recorder.identity = (installation.deviceID, installation.flatID, installation.settings.utcOffset)
            }
            loop.add(recorder)
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
        var service = LogPullAPI(
            settings: api, store: store, metrics: metrics, offset: installation.settings.utcOffset,
            status: { statusBoard.status },
            audit: { actor, action, detail in
                let now = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
                writer.enqueue(audit: [AuditRecord(wall: now, actor: actor, action: action, detail: detail)])
            },
            acknowledge: { id, who in
                await commands.change { engine, now, out in engine.acknowledge(alarmID: id, by: who, at: now, into: &out) }
            })
        let offset = installation.settings.utcOffset
        service.declareAbsence = { until, who in
            await commands.change { engine, now, out -> LogPullAPI.AbsenceAnswer in
                guard let until else { return engine.endDeclaredAbsence(at: now, into: &out) ? .withdrawn : .noneInForce }
                guard until > now.wall else {
                    return .refused("must be later than the device's clock (\(CivilTime.iso8601(now.wall, offset: offset)))")
                }
                guard until - now.wall <= .days(92) else { return .refused("at most 92 days ahead") }
                engine.declareAbsence(until: Timestamp(monotonic: now.monotonic + (until - now.wall), wall: until), by: who,
                                      at: now, into: &out)
                return .declared
            }
        }
        service.testAlarm = { who in
            await commands.change { engine, now, out in
                let id = engine.ladder.nextID
                engine.raiseTestAlarm(by: who, at: now, into: &out)
                return id
            }
        }
        refusalsAtStop = { [service] in service.recordUnrecordedRefusals() }
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

    /// What the heartbeat names as faulty: the sensors not answering or lying, and the store
    /// when it cannot save. Such a store holds back every alarm step (delivery reads them from
    /// its outbox, and so does the store-fault alarm itself); the heartbeat, sent apart, is
    /// then the authority's only word of it.
    static func heartbeatFaults(status: DeviceStatus?, store: StoreHealth) -> [String] {
        (status?.sensors.filter { $0.health != "ok" }.map(\.name) ?? []) + (store.failure != nil ? ["store"] : [])
    }

    /// Starts delivering alarm steps to the configured sinks (needs the store).
    public func startDelivery(log: @escaping @Sendable (String) -> Void) throws {
        guard let settings = installation.delivery, let store, let writer else { return }
        let statusBoard = status
        let installation = self.installation
        let version = KizunaVersion.current
        let started = WallTime(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9))
        let d = try Delivery(settings: settings, store: store, metrics: metrics, started: started) {
            let s = statusBoard.status
            return HeartbeatInfo(device: installation.deviceID, flat: installation.flatID, version: version,
                                 uptimeSeconds: s.map { Int(($0.now.monotonic - $0.startedMonotonic).nanoseconds / 1_000_000_000) } ?? 0,
                                 openAlarms: s?.openAlarms.count ?? 0,
                                 faults: Self.heartbeatFaults(status: s, store: writer.currentHealth) + installation.warnings.map(\.key),
                                 offset: installation.settings.utcOffset)
        }
        writer.onOutbox = { [weak d] in d?.wake() }
        d.start()
        delivery = d
        status.delivery = d
        log("info: delivering alarms to " + d.sinks.map { "\($0.target) (\($0.endpoint))" }.joined(separator: ", "))
    }

    /// Stops the API, commits what is queued, gives delivery its last chance
    /// (`drain_on_exit`), and stops it: what is left waits in the outbox for the next start.
    public func stop() {
        server?.cancel()
        refusalsAtStop?()
        writer?.flush()
        if let delivery {
            delivery.drain(timeout: installation.delivery?.drainOnExit ?? 0)
            delivery.stop()
        }
        writer?.stop()
    }
}
