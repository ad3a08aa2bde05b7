import Testing
@testable import KizunaNet

@Suite("Refused requests in the audit trail")
struct RefusalAuditTests {
    @Test("one row a minute; the count of the rest is written when a minute has passed, or at shutdown")
    func counted() {
        let audit = RefusalAudit()
        #expect(audit.detail(for: "401 a", uptime: 0) == "401 a")
        #expect(audit.detail(for: "401 b", uptime: 10) == nil)
        #expect(audit.detail(for: "401 c", uptime: 20) == nil)
        #expect(audit.unrecordedSummary(uptime: 30) == nil)   // the minute is not over
        // The burst stopped: the next authenticated request (the staff pulling the trail) writes it.
        #expect(audit.unrecordedSummary(uptime: 61) == "401 2 more refused since the last one recorded")
        #expect(audit.unrecordedSummary(uptime: 200) == nil)   // written once
        #expect(audit.detail(for: "401 d", uptime: 70) == nil)
        #expect(audit.unrecordedSummary(uptime: 80, force: true) == "401 1 more refused since the last one recorded")
        #expect(audit.unrecordedSummary(uptime: 81, force: true) == nil)
        // Nothing held back: the next refusal a minute on is written whole, with no count.
        #expect(audit.detail(for: "401 e", uptime: 141) == "401 e")
    }
}
