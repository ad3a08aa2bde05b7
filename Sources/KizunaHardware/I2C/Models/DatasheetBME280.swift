/// The trimming values of the Bosch BME280 datasheet's worked example (section 8.2): with
/// adc_T 519888 the chip reads 25.08 °C. The simulated board's BME280 and the benchmarks use them.
public enum DatasheetBME280 {
    public static let calibration = BME280<SimulatedI2CBus>.Calibration(
        t1: 27504, t2: 26435, t3: -1000, p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
        h1: 75, h2: 362, h3: 0, h4: 313, h5: -50, h6: 30)
}
