import Testing
@testable import KizunaHardware

/// A pin and a line name the kernel gives the same GPIO: the config cannot compare them
/// (the name is looked up on the running system), so the runtime does before requesting any.
@Suite("GPIO: one line, two keys")
struct SharedLineTests {
    @Test("the second key on a line is named with the first; distinct lines pass")
    func sharedLine() {
        let a = LineAddress(chipLabel: "pinctrl-bcm2711", offset: 17)
        let b = LineAddress(chipLabel: "pinctrl-bcm2711", offset: 27)
        let lines = [("sensors.pir.living", a), ("sensors.door.entrance", b), ("sensors.pir.hall", a)]
        let shared = LinuxGPIO.firstSharedLine(lines)
        #expect(shared?.first == "sensors.pir.living")
        #expect(shared?.second == "sensors.pir.hall")
        #expect(shared?.address == a)
        #expect(LinuxGPIO.firstSharedLine(lines.prefix(2)) == nil)
        // The same offset on another chip is another line.
        #expect(LinuxGPIO.firstSharedLine([("x", a), ("y", LineAddress(chipLabel: "other", offset: 17))]) == nil)
        let error = GPIOError(kind: .sameLine(as: "sensors.pir.living"), key: "sensors.pir.hall", line: "line \(a)")
        #expect(error.description.hasPrefix("sensors.pir.hall: line pinctrl-bcm2711:17 is also sensors.pir.living's"))
    }
}
