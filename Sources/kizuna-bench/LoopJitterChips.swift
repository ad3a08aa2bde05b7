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

/// The trimming values of the Bosch datasheet's worked example.
enum DatasheetBME280 {
    static let calibration = BME280<SimulatedI2CBus>.Calibration(
        t1: 27504, t2: 26435, t3: -1000, p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
        h1: 75, h2: 362, h3: 0, h4: 313, h5: -50, h6: 30)
}
