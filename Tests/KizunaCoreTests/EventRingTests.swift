import Testing
@testable import KizunaCore

@Suite("EventRing")
struct EventRingTests {
    @Test("keeps everything below capacity, oldest first and newest first")
    func belowCapacity() {
        let ring = EventRing<Int>(capacity: 4)
        for i in 1...3 { ring.push(i) }
        #expect(ring.count == 3)
        #expect(ring.overwritten == 0)
        #expect(Array(ring.oldestFirst) == [1, 2, 3])
        #expect(Array(ring.newestFirst) == [3, 2, 1])
        #expect(ring.oldest == 1 && ring.newest == 3)
    }

    @Test("wraps around, overwriting the oldest and counting what it lost")
    func wrapAround() {
        let ring = EventRing<Int>(capacity: 4)
        for i in 1...10 { ring.push(i) }
        #expect(ring.count == 4)
        #expect(ring.overwritten == 6)
        #expect(ring.pushed == 10)
        #expect(Array(ring.oldestFirst) == [7, 8, 9, 10])
        #expect(Array(ring.newestFirst) == [10, 9, 8, 7])
        let snap = ring.snapshot()
        #expect(snap.elements == [7, 8, 9, 10])
        #expect(snap.overwritten == 6)
        #expect(snap.firstSequence == 6)
    }

    @Test("a snapshot is a copy: later pushes do not change it")
    func snapshotIsACopy() {
        let ring = EventRing<Int>(capacity: 3)
        for i in 1...3 { ring.push(i) }
        let snap = ring.snapshot()
        ring.push(4)
        #expect(snap.elements == [1, 2, 3])
        #expect(Array(ring.oldestFirst) == [2, 3, 4])
    }

    @Test("releases the elements it holds (reference types)")
    func releasesElements() {
        final class Box {}
        weak var weakBox: Box?
        do {
            let ring = EventRing<Box>(capacity: 2)
            let b = Box()
            weakBox = b
            ring.push(b)
            ring.push(Box())
            ring.push(Box())  // overwrites b
        }
        #expect(weakBox == nil)
    }

    @Test("removeAll forgets the contents but not the counters")
    func removeAll() {
        let ring = EventRing<Int>(capacity: 2)
        for i in 1...5 { ring.push(i) }
        ring.removeAll()
        #expect(ring.count == 0)
        #expect(ring.overwritten == 3)
        ring.push(9)
        #expect(Array(ring.oldestFirst) == [9])
    }
}
