import KizunaCore
import KizunaStore

/// Turns a failing store into a fault alarm step (and its recovery into a resolve): the
/// authority learns that the record is not being kept, while alarms go on firing.
///
/// What the engine holds is the truth, not what this watcher asked before: a store-fault
/// restored open after a restart (its resolve never reached the disk) is resolved once the
/// store is written again, and one failing store is never raised twice.
public final class StoreFaultWatcher: RuntimeObserver {
    let writer: StoreWriter
    let commands: CommandQueue
    /// What was last asked of the engine (failing or not), until the engine shows it: the
    /// loop may wake again before it runs the command.
    var asked: Bool?

    public init(writer: StoreWriter, commands: CommandQueue) {
        self.writer = writer
        self.commands = commands
    }

    public func apply(_ decisions: [Decision], engine: WatchEngine) {}

    public func wokeUp(at now: Timestamp, engine: WatchEngine) {
        let health = writer.currentHealth
        let failure = health.failure
        let failing = failure != nil
        let open = engine.ladder.isOpen(.storeFault)
        // Written again means a commit went through: after a restart nothing has been tried
        // yet, and a disk still full would be resolved, then raised again at the first commit.
        guard failing != open, failing || health.commits > 0 else {
            if failing == open { asked = nil }
            return
        }
        guard asked != failing else { return }
        asked = failing
        if let failure {
            commands.submit { engine, now, out in
                engine.systemFault(.storeFault, active: true, detail: "the store cannot be written: \(failure)", at: now, into: &out)
            }
        } else {
            commands.submit { engine, now, out in
                engine.systemFault(.storeFault, active: false, detail: "the store is written again", at: now, into: &out)
            }
        }
    }
}
