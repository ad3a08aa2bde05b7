import Foundation
import KizunaStore
import Testing
@testable import KizunaNet

@Suite("Acknowledging an alarm over HTTP", .serialized)
struct AcknowledgeTests {
    @Test("POST /v1/alarms/{id}/ack goes through the running loop: the repeats stop, and who acknowledged is kept")
    func acknowledge() throws {
        let token = "ack-test-token"
        let demo = try DemoWithAPI(token: token)

        // Wait for the network alarm of the collapse day, then acknowledge it.
        let alarm = try #require(try demo.collapseAlarm()?["id"] as? Int)
        let ack = try curl(demo.api + "/v1/alarms/\(alarm)/ack", token: token, method: "POST")
        #expect(ack.status == 200)
        #expect(lines(ack.body).first?["acknowledged_by"] as? String == "authority:ops")
        let again = try curl(demo.api + "/v1/alarms/\(alarm)/ack", token: token, method: "POST")
        #expect(again.status == 404)
        #expect(lines(again.body).first?["parameter"] as? String == "id")

        let (status, records) = demo.finish()
        #expect(status == 0)
        let steps = records.filter { $0["kind"] as? String == "inactivity" }
        let types = steps.map { $0["type"] as? String ?? "" }
        let ackIndex = try #require(types.firstIndex(of: "acknowledge"))
        #expect(steps[ackIndex]["reason"] as? String == "acknowledged by authority:ops")
        #expect(!types[ackIndex...].contains("repeat"), "no repeat after the acknowledgement")
        let stored = try FlatStore(path: demo.db).steps(ofAlarm: Int64(alarm))
        #expect(stored.contains { $0.step == "acknowledge" && $0.actor == "authority:ops" })
    }
}
