import CKizunaGPIO
import KizunaCore

#if canImport(Glibc)
import Glibc
#endif

/// The board's GPIO through libgpiod: PIRs, door contacts and the button as inputs with
/// edge events on both edges, the buzzer and the status LED as outputs.
///
/// - Edges carry the kernel's timestamps (CLOCK_MONOTONIC), moved onto the runtime's
///   boot-clock time base.
/// - Every input's descriptor sits in the loop's `poll()`; nothing polls by sleeping.
/// - The kernel queues at most 16 events per line; when a read comes back full the line's
///   value is read and, if the events missed a change, the level is resynchronised and
///   the overflow counted.
/// - A chip that goes away (unplugged, driver unbound) makes its sensors `offline` faults;
///   the others keep working, and the lines are requested again with backoff (1 s doubling
///   to 60 s) until they come back.
public final class LinuxGPIO: InputSource, OutputSink, @unchecked Sendable {
    struct Input {
        var wire: InputWire
        var address: LineAddress
        var handle: OpaquePointer?
        /// The raw level after the last edge reported.
        var level: Bool
        var retryAt = MonotonicInstant.never
        var backoff = Span.seconds(1)
    }

    struct Output {
        var wire: OutputWire
        var address: LineAddress
        var handle: OpaquePointer?
        var on = false
    }

    var inputs: [Input] = []
    var outputs: [Output] = []
    let consumer: String
    /// How many times a full kernel buffer lost a change (resynchronised from the value).
    public private(set) var overflows = 0
    public var log: (String) -> Void

    /// Requests every configured line. Throws, naming the config key, if a chip or line is
    /// missing or busy: the caller exits non-zero and systemd tries again later.
    public init(wiring: Wiring, consumer: String = "kizuna", log: @escaping (String) -> Void = { _ in }) throws(GPIOError) {
        self.consumer = consumer
        self.log = log
        do throws(GPIOError) {
            // Every line found first (a missing chip is named by its first key, inputs first);
            // then the outputs, driven low, before any input: a buzzer left sounding by a
            // killed run (a Pi keeps a released output at its last level) is silenced even
            // when an input then cannot be had and the service goes on restarting.
            let inputAddresses = try wiring.inputs.map { wire throws(GPIOError) in try Self.present(wire.line, key: wire.key) }
            let outputAddresses = try wiring.outputs.map { wire throws(GPIOError) in try Self.present(wire.line, key: wire.key) }
            if let shared = Self.firstSharedLine(zip(wiring.inputs.map(\.key) + wiring.outputs.map(\.key), inputAddresses + outputAddresses)) {
                throw GPIOError(kind: .sameLine(as: shared.first), key: shared.second, line: "line \(shared.address)")
            }
            for (wire, address) in zip(wiring.outputs, outputAddresses) {
                var handle: OpaquePointer?
                let r = kz_line_request_output(address.chipLabel, UInt32(address.offset), 0, consumer, &handle)
                if r < 0 { throw Self.error(r, address: address, key: wire.key) }
                outputs.append(Output(wire: wire, address: address, handle: handle))
            }
            for (wire, address) in zip(wiring.inputs, inputAddresses) {
                let handle = try Self.requestInput(address, bias: wire.bias, consumer: consumer, key: wire.key)
                let value = kz_line_get(handle)
                inputs.append(Input(wire: wire, address: address, handle: handle, level: value == 1))
            }
        } catch {
            releaseAll()
            throw error
        }
    }

    deinit { releaseAll() }

    func releaseAll() {
        for i in inputs.indices { kz_line_release(inputs[i].handle); inputs[i].handle = nil }
        for i in outputs.indices {
            if let h = outputs[i].handle { _ = kz_line_set(h, 0) }
            kz_line_release(outputs[i].handle)
            outputs[i].handle = nil
        }
    }

    /// Which libgpiod API this binary uses.
    public static var api: String { String(cString: kz_gpio_api()) }

    static func resolve(_ line: LineReference, key: String) throws(GPIOError) -> LineAddress {
        switch line {
        case .address(let a): return a
        case .named(let name):
            var label = [CChar](repeating: 0, count: 128)
            var offset: UInt32 = 0
            let r = kz_line_find(name, &label, label.count, &offset)
            if r < 0 { throw GPIOError(kind: .lineNotFound(name: name), key: key, line: "line \"\(name)\"") }
            return LineAddress(chipLabel: Self.string(label), offset: Int(offset))
        }
    }

    /// The first line two keys resolve to (a line named on the running system is known only
    /// here: the config could not compare it with the pins), in the order given.
    public static func firstSharedLine<S: Sequence>(_ lines: S) -> (first: String, second: String, address: LineAddress)?
        where S.Element == (String, LineAddress) {
        var seen: [LineAddress: String] = [:]
        for (key, address) in lines {
            if let other = seen[address] { return (other, key, address) }
            seen[address] = key
        }
        return nil
    }

    /// The line's address, once its chip is known to be there.
    static func present(_ line: LineReference, key: String) throws(GPIOError) -> LineAddress {
        let address = try resolve(line, key: key)
        var path = [CChar](repeating: 0, count: 128)
        let r = kz_chip_find(address.chipLabel, &path, path.count, nil)
        if r < 0 { throw error(r, address: address, key: key) }
        return address
    }

    static func requestInput(_ a: LineAddress, bias: LineBias, consumer: String, key: String) throws(GPIOError) -> OpaquePointer? {
        var handle: OpaquePointer?
        let b: Int32 = switch bias {
        case .asIs: Int32(KZ_BIAS_AS_IS)
        case .disabled: Int32(KZ_BIAS_DISABLED)
        case .pullUp: Int32(KZ_BIAS_PULL_UP)
        case .pullDown: Int32(KZ_BIAS_PULL_DOWN)
        }
        let r = kz_line_request_input(a.chipLabel, UInt32(a.offset), b, consumer, &handle)
        if r < 0 { throw error(r, address: a, key: key) }
        return handle
    }

    /// A NUL-terminated C buffer as a String.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func error(_ r: Int32, address: LineAddress, key: String) -> GPIOError {
        let kind: GPIOError.Kind
        switch -r {
        case ENOENT: kind = .chipNotFound(label: address.chipLabel)
        case EINVAL: kind = .offsetOutOfRange
        case EBUSY:
            var consumer = [CChar](repeating: 0, count: 64)
            var name = [CChar](repeating: 0, count: 64)
            _ = kz_line_info(address.chipLabel, UInt32(address.offset), &consumer, consumer.count, &name, name.count)
            kind = .busy(consumer: Self.string(consumer))
        default: kind = .system(errno: -r)
        }
        return GPIOError(kind: kind, key: key, line: "line \(address)")
    }

    // MARK: - InputSource

    public var pollDescriptors: [Int32] {
        inputs.compactMap { $0.handle.map { kz_line_fd($0) } }
    }

    public func nextDeadline() -> MonotonicInstant {
        inputs.reduce(MonotonicInstant.never) { min($0, $1.retryAt) }
    }

    public func initialLevels() -> [(SensorID, Bool)] {
        inputs.map { ($0.wire.sensor, $0.level) }
    }

    /// CLOCK_BOOTTIME − CLOCK_MONOTONIC now: what moves a kernel edge stamp onto our base.
    static func bootOffset() -> Int64 {
        var boot = timespec(), mono = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        return (Int64(boot.tv_sec) - Int64(mono.tv_sec)) * 1_000_000_000 + Int64(boot.tv_nsec) - Int64(mono.tv_nsec)
    }

    public func collect(upTo now: Timestamp, into observations: inout [Observation]) {
        let offset = Self.bootOffset()
        var edges = [kz_edge](repeating: kz_edge(), count: 16)
        for i in inputs.indices {
            let sensor = inputs[i].wire.sensor
            guard let handle = inputs[i].handle else {
                if inputs[i].retryAt <= now.monotonic { retry(i, now: now, into: &observations) }
                continue
            }
            while true {
                let n = kz_line_read_edges(handle, &edges, 16)
                if n < 0 {
                    goOffline(i, errno: -n, now: now, into: &observations)
                    break
                }
                for e in edges.prefix(Int(n)) {
                    let instant = MonotonicInstant(nanoseconds: e.timestamp_ns + offset)
                    let stamp = Timestamp(monotonic: instant, wall: now.wall + (instant - now.monotonic))
                    let rising = e.rising != 0
                    inputs[i].level = rising
                    observations.append(.level(sensor, high: rising, at: stamp))
                }
                guard n == 16 else { break }
                // The kernel's buffer was full: changes may have been dropped. Read on,
                // then check the line's value against what the events said.
                resynchronise(i, now: now, into: &observations)
            }
        }
    }

    func resynchronise(_ i: Int, now: Timestamp, into observations: inout [Observation]) {
        guard let handle = inputs[i].handle else { return }
        let v = kz_line_get(handle)
        guard v >= 0, (v == 1) != inputs[i].level else { return }
        overflows += 1
        inputs[i].level = v == 1
        log("warning: \(inputs[i].wire.key): kernel event buffer overflowed on line \(inputs[i].address); resynchronised from its value")
        observations.append(.level(inputs[i].wire.sensor, high: v == 1, at: now))
    }

    func goOffline(_ i: Int, errno e: Int32, now: Timestamp, into observations: inout [Observation]) {
        log("error: \(inputs[i].wire.key): line \(inputs[i].address) lost (\(String(cString: strerror(e)))); retrying in \(inputs[i].backoff)")
        kz_line_release(inputs[i].handle)
        inputs[i].handle = nil
        inputs[i].retryAt = now.monotonic + inputs[i].backoff
        observations.append(.fault(inputs[i].wire.sensor, .offline, at: now))
    }

    func retry(_ i: Int, now: Timestamp, into observations: inout [Observation]) {
        do {
            let handle = try Self.requestInput(inputs[i].address, bias: inputs[i].wire.bias, consumer: consumer, key: inputs[i].wire.key)
            inputs[i].handle = handle
            inputs[i].retryAt = .never
            inputs[i].backoff = .seconds(1)
            log("info: \(inputs[i].wire.key): line \(inputs[i].address) is back")
            observations.append(.recovered(inputs[i].wire.sensor, at: now))
            // The level as it is now, even if it is the one it had when the line was lost:
            // the engine ended a PIR's motion at the loss (a line back high is a rise).
            let v = kz_line_get(handle)
            if v >= 0 {
                inputs[i].level = v == 1
                observations.append(.level(inputs[i].wire.sensor, high: v == 1, at: now))
            }
        } catch {
            inputs[i].backoff = min(inputs[i].backoff * 2, .seconds(60))
            inputs[i].retryAt = now.monotonic + inputs[i].backoff
        }
        // Outputs on the same chip come back with it.
        for o in outputs.indices where outputs[o].handle == nil && outputs[o].address.chipLabel == inputs[i].address.chipLabel {
            reopenOutput(o)
        }
    }

    // MARK: - OutputSink

    public func set(_ role: OutputRole, on: Bool, at time: Timestamp) {
        for o in outputs.indices where outputs[o].wire.role == role {
            outputs[o].on = on
            if outputs[o].handle == nil { reopenOutput(o) }
            guard let h = outputs[o].handle else { continue }
            if kz_line_set(h, on ? 1 : 0) < 0 {
                log("error: \(outputs[o].wire.key): cannot drive line \(outputs[o].address); will request it again")
                kz_line_release(h)
                outputs[o].handle = nil
            }
        }
    }

    func reopenOutput(_ o: Int) {
        var handle: OpaquePointer?
        let a = outputs[o].address
        if kz_line_request_output(a.chipLabel, UInt32(a.offset), outputs[o].on ? 1 : 0, consumer, &handle) == 0 {
            outputs[o].handle = handle
        }
    }

    public func allOff() {
        for o in outputs.indices {
            outputs[o].on = false
            if let h = outputs[o].handle { _ = kz_line_set(h, 0) }
        }
    }
}
