import KizunaCore

/// A GPIO chip in memory: inputs are driven by the simulation, outputs are recorded.
/// Edges are queued with their timestamps, as the kernel queues line events.
public final class SimulatedGPIOChip: @unchecked Sendable {
    public let label: String
    public private(set) var levels: [Bool]
    /// Every output change, in order (for tests and the demo's buzzer display).
    public private(set) var outputLog: [(offset: Int, on: Bool, at: Timestamp)] = []
    var edges: [(offset: Int, high: Bool, at: Timestamp)] = []

    public init(label: String, lineCount: Int) {
        self.label = label
        self.levels = Array(repeating: false, count: lineCount)
    }

    /// The outside world sets an input line's level; a change makes an edge.
    public func drive(_ offset: Int, high: Bool, at time: Timestamp) {
        guard levels[offset] != high else { return }
        levels[offset] = high
        edges.append((offset, high, time))
    }

    /// The program sets an output line.
    public func setOutput(_ offset: Int, on: Bool, at time: Timestamp) {
        guard levels[offset] != on else { return }
        levels[offset] = on
        outputLog.append((offset, on, time))
    }

    /// Takes the queued edges.
    public func drainEdges() -> [(offset: Int, high: Bool, at: Timestamp)] {
        defer { edges.removeAll(keepingCapacity: true) }
        return edges
    }
}
