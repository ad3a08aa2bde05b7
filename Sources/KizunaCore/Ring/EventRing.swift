/// A fixed-capacity ring of recent events.
///
/// Storage is allocated once, at start; `push` never allocates. When full, the oldest
/// element is overwritten and `overwritten` counts how many were lost, so a reader can say
/// "1,204 older events were dropped" instead of silently showing less. Readers get a
/// `snapshot()` (a copy, made off the hot path) or iterate in either direction.
public final class EventRing<Element>: @unchecked Sendable {
    @usableFromInline let storage: UnsafeMutablePointer<Element>
    public let capacity: Int
    /// Index of the oldest element.
    @usableFromInline var head = 0
    @usableFromInline var _count = 0
    @usableFromInline var _overwritten: UInt64 = 0
    @usableFromInline var _pushed: UInt64 = 0

    /// How many elements the ring holds now.
    @inlinable public var count: Int { _count }
    /// How many elements were overwritten since creation.
    @inlinable public var overwritten: UInt64 { _overwritten }
    /// How many elements were ever pushed (the sequence number of the next one).
    @inlinable public var pushed: UInt64 { _pushed }

    public init(capacity: Int) {
        precondition(capacity > 0, "ring capacity must be positive")
        self.capacity = capacity
        self.storage = .allocate(capacity: capacity)
    }

    deinit {
        // Deinitialise the live elements (trivial for events, correct for any Element).
        var i = 0
        while i < count {
            (storage + ((head + i) % capacity)).deinitialize(count: 1)
            i += 1
        }
        storage.deallocate()
    }

    /// Appends `element`, overwriting the oldest when full.
    @inlinable public func push(_ element: Element) {
        _pushed &+= 1
        if _count < capacity {
            var slot = head + _count
            if slot >= capacity { slot -= capacity }
            (storage + slot).initialize(to: element)
            _count += 1
        } else {
            storage[head] = element
            head += 1
            if head == capacity { head = 0 }
            _overwritten &+= 1
        }
    }

    /// The element `i` places after the oldest (0 = oldest).
    @inlinable public subscript(oldestFirst i: Int) -> Element {
        precondition(i >= 0 && i < count, "ring index out of range")
        var slot = head + i
        if slot >= capacity { slot -= capacity }
        return storage[slot]
    }

    /// The element `i` places before the newest (0 = newest).
    @inlinable public subscript(newestFirst i: Int) -> Element {
        self[oldestFirst: count - 1 - i]
    }

    public var oldest: Element? { count == 0 ? nil : self[oldestFirst: 0] }
    public var newest: Element? { count == 0 ? nil : self[newestFirst: 0] }

    /// Oldest to newest.
    public var oldestFirst: some Sequence<Element> { (0..<count).lazy.map { self[oldestFirst: $0] } }
    /// Newest to oldest.
    public var newestFirst: some Sequence<Element> { (0..<count).lazy.map { self[newestFirst: $0] } }

    /// A copy for readers (shell, API), oldest first, with the loss count at that moment.
    public func snapshot() -> RingSnapshot<Element> {
        RingSnapshot(elements: Array(oldestFirst), overwritten: overwritten, firstSequence: pushed - UInt64(count))
    }

    /// Forgets the contents (not the counters).
    public func removeAll() {
        while count > 0 {
            (storage + head).deinitialize(count: 1)
            head = head + 1 == capacity ? 0 : head + 1
            _count -= 1
        }
        head = 0
    }
}

/// An immutable copy of a ring's contents.
public struct RingSnapshot<Element> {
    public var elements: [Element]
    /// Elements lost to overwriting before this snapshot was taken.
    public var overwritten: UInt64
    /// Sequence number of `elements.first` (0 = the first element ever pushed).
    public var firstSequence: UInt64
}

extension RingSnapshot: Sendable where Element: Sendable {}
