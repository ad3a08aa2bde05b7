import KizunaCore
import KizunaHardware

/// The five chips of the loop-jitter benchmark, each with its device model on the bus.
enum LoopJitterChips {
    static func make(bus: SimulatedI2CBus, id: (String) -> SensorID) -> [EnvironmentChannel] {
        let bme = BME280Model(calibration: DatasheetBME280.calibration)
        bme.adcTemperature = 519_888
        bme.adcPressure = 415_148
        bme.adcHumidity = 30_000
        bus.attach(bme, at: 0x76)
        let sht = SHT4xModel()
        bus.attach(sht, at: 0x44)
        let scd = SCD4xModel()
        bus.attach(scd, at: 0x62)
        bus.attach(SGP40Model(), at: 0x59)
        bus.attach(BH1750Model(), at: 0x23)
        return [
            EnvironmentChannel(driver: BME280(bus: bus), sensors: [.temperature: id("temperature.living"), .humidity: id("humidity.living"),
                                                                  .pressure: id("pressure.living")], interval: .seconds(2), location: "0x76"),
            EnvironmentChannel(driver: SHT4x(bus: bus), sensors: [.temperature: id("temperature.bedroom"), .humidity: id("humidity.bedroom")],
                               interval: .seconds(2), location: "0x44"),
            EnvironmentChannel(driver: SCD4x(bus: bus), sensors: [.co2: id("co2.living")], interval: .seconds(2), location: "0x62"),
            EnvironmentChannel(driver: SGP40(bus: bus), sensors: [.voc: id("voc.living")], interval: .seconds(2), location: "0x59"),
            EnvironmentChannel(driver: BH1750(bus: bus), sensors: [.light: id("light.living")], interval: .seconds(2), location: "0x23"),
        ]
    }
}
