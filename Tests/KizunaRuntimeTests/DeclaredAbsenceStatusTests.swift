import KizunaCore
import Testing
@testable import KizunaRuntime

@Suite("Declared absence in the shell's status")
struct DeclaredAbsenceStatusTests {
    @Test("the line gives the date as well as the time (a declaration spans days), who, and someone home under it")
    func line() {
        let until = CivilTime.parseISO8601("2026-12-03T18:00:00", defaultOffset: .japan)!
        let visit = CivilTime.parseISO8601("2026-11-30T15:20:00", defaultOffset: .japan)!
        #expect(ShellSession.declaredLine((until, "authority:ops", nil, nil), offset: .japan)
                == "declared away until 2026-12-03 18:00 by authority:ops")
        #expect(ShellSession.declaredLine((until, "authority:ops", visit, visit + .minutes(90)), offset: .japan)
                == "declared away until 2026-12-03 18:00 by authority:ops, someone home since 2026-11-30 15:20 (a visit; her return if still home at 2026-11-30 16:50)")
    }
}
