import Foundation

/// China's GCJ-02 datum ("Mars coordinates", used by Amap and Tencent maps) and WGS84.
///
/// The forward offset is the widely published formula; the inverse has no closed form, so it
/// is found by fixed-point iteration until the round trip is within about a millimetre.
/// Outside mainland China the two datums coincide.
public enum GCJ02 {
    private static let a = 6_378_245.0
    private static let ee = 0.006_693_421_622_965_943_23

    /// Coarse mainland China bounding box, as the published formula uses.
    public static func isOutsideChina(lat: Double, lon: Double) -> Bool {
        lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
    }

    public static func fromWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        if isOutsideChina(lat: lat, lon: lon) { return (lat, lon) }
        let (dLat, dLon) = offset(lat: lat, lon: lon)
        return (lat + dLat, lon + dLon)
    }

    public static func toWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        if isOutsideChina(lat: lat, lon: lon) { return (lat, lon) }
        var wLat = lat, wLon = lon
        for _ in 0..<30 {
            let g = fromWGS84(lat: wLat, lon: wLon)
            let eLat = g.lat - lat, eLon = g.lon - lon
            wLat -= eLat
            wLon -= eLon
            if abs(eLat) < 1e-9 && abs(eLon) < 1e-9 { break }
        }
        return (wLat, wLon)
    }

    private static func offset(lat: Double, lon: Double) -> (Double, Double) {
        let x = lon - 105.0, y = lat - 35.0
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
        dLat += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLat += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        dLat += (160.0 * sin(y / 12.0 * .pi) + 320 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
        dLon += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        dLon += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        dLon += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        let radLat = lat / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = sqrt(magic)
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * .pi)
        return (dLat, dLon)
    }
}
