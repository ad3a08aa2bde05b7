import KizunaCore
import KizunaStore

/// Turns a failing store into a fault alarm step (and its recovery into a resolve): the
/// authority learns that the record is not being kept, while alarms go on firing.
public final class StoreFaultWatcher: RuntimeObserver {
    let writer: StoreWriter
    let commands: CommandQueue
    var reported = false

    public init(writer: StoreWriter, commands: CommandQueue) {
        self.writer = writer
        self.commands = commands
    }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {}

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        let failure = writer.currentHealth.failure
        if let failure, !reported {
            reported = true
            commands.submit { engine, now, out in
                engine.systemFault(.storeFault, active: true, detail: "the store cannot be written: \(failure)", at: now, into: &out)
            }
        } else if failure == nil, reported {
            reported = false
            commands.submit { engine, now, out in
                engine.systemFault(.storeFault, active: false, detail: "the store is written again", at: now, into: &out)
            }
        }
    }
}
