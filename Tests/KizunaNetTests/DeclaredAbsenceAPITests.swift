import Foundation
import KizunaCore
import KizunaStore
import Testing
@testable import KizunaNet

@Suite("Declaring an absence over HTTP", .serialized)
struct DeclaredAbsenceAPITests {
    @Test("POST /v1/absence goes through the running loop: the flat reads away, the silence alarm resolves, the store keeps it; bad times are 400s naming until")
    func declare() throws {
        let token = "absence-test-token"
        let demo = try DemoWithAPI(token: token)
        let api = demo.api
        // The collapse of the demo's day: once its alarm is out, nobody moves any more.
        let raised = try #require(try demo.collapseAlarm()?["raised"] as? String)
        let at = try #require(CivilTime.parseISO8601(raised, defaultOffset: .utc))
        // Times in a query, "+" escaped.
        func text(_ w: WallTime) -> String { CivilTime.iso8601(w, offset: .utc).replacingOccurrences(of: "+", with: "%2B") }
        let untilText = text(at + .days(10))
        let until = try #require(CivilTime.parseISO8601(CivilTime.iso8601(at + .days(10), offset: .utc), defaultOffset: .utc))

        for (query, words) in [("", "required"), ("?until=soon", "ISO-8601"), ("?until=2000-01-01T00:00:00Z", "later than the device's clock"),
                               ("?until=" + text(at + .days(200)), "92 days"), ("?until=\(untilText)&by=me", "by")] {
            let bad = try curl(api + "/v1/absence" + query, token: token, method: "POST")
            #expect(bad.status == 400, "\(query)")
            let body = lines(bad.body).first
            #expect(body?["parameter"] as? String == (query.contains("by=") ? "by" : "until"), "\(query)")
            #expect((body?["error"] as? String)?.contains(words) == true, "\(query): \(bad.body)")
        }
        let ok = try curl(api + "/v1/absence?until=\(untilText)", token: token, method: "POST")
        #expect(ok.status == 200)
        #expect(lines(ok.body).first?["by"] as? String == "authority:ops")
        let status = lines(try curl(api + "/v1/status", token: token).body).first
        #expect(status?["occupancy"] as? String == "away")
        let declared = status?["declared_absence"] as? [String: Any]
        #expect(declared?["by"] as? String == "authority:ops")
        #expect(declared?["visit_since"] is NSNull)   // nobody home under it
        #expect((declared?["until"] as? String).flatMap { CivilTime.parseISO8601($0, defaultOffset: .utc) } == until)

        #expect(try curl(api + "/v1/absence", token: token, method: "DELETE").status == 200)
        let none = try curl(api + "/v1/absence", token: token, method: "DELETE")
        #expect(none.status == 404)
        #expect(try curl(api + "/v1/absence?until=\(untilText)", token: token, method: "POST").status == 200)
        #expect(try curl(api + "/v1/absence?until=\(untilText)", method: "POST").status == 401)   // no token

        let (exitStatus, records) = demo.finish()
        #expect(exitStatus == 0)
        #expect(records.contains { $0["kind"] as? String == "inactivity" && $0["type"] as? String == "resolve"
                                   && $0["reason"] as? String == "declared away by authority:ops" })
        #expect(records.contains { $0["type"] as? String == "state" && $0["to"] as? String == "away"
                                   && $0["reason"] as? String == "declared away by authority:ops" })
        // Kept with the occupancy it explains, for a restart.
        let snapshot = try #require(try FlatStore(path: demo.db).snapshot())
        #expect(snapshot.occupancy == "away")
        #expect(snapshot.declaredUntil == until && snapshot.declaredBy == "authority:ops")
    }
}
