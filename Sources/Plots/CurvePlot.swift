// Training curves: panels of named series against the epoch (loss and its parts; validation
// minADE/minFDE), each panel with its own y range, a shared x axis and a legend.
import Foundation

public struct CurveSeries: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]
    public var color: String

    public init(name: String, points: [(x: Double, y: Double)], color: String) {
        (self.name, self.points, self.color) = (name, points, color)
    }
}

public enum CurvePlot {
    /// One panel per entry of `panels` (title, series), stacked vertically.
    public static func render(panels: [(title: String, series: [CurveSeries])], xLabel: String, title: String) -> String {
        let width = 760.0, panelHeight = 240.0, top = 40.0
        var svg = SVGDocument(width: width, height: top + panelHeight * Double(panels.count) + 20)
        svg.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", style: ["font-weight": "bold"])
        let axis: SVGDocument.Style = ["stroke": "#333", "stroke-width": "1", "fill": "none"]
        for (index, panel) in panels.enumerated() {
            let y0 = top + Double(index) * panelHeight
            let left = 70.0, right = width - 170, plotTop = y0 + 28, bottom = y0 + panelHeight - 40
            let points = panel.series.flatMap { $0.points }.filter { $0.y.isFinite }
            guard let xMin = points.map(\.x).min(), let xMax = points.map(\.x).max(),
                  let yMinRaw = points.map(\.y).min(), let yMaxRaw = points.map(\.y).max() else { continue }
            let (yMin, yMax) = yMaxRaw > yMinRaw ? (yMinRaw, yMaxRaw) : (yMinRaw - 1, yMaxRaw + 1)
            func px(_ x: Double) -> Double { left + (x - xMin) / max(xMax - xMin, 1e-9) * (right - left) }
            func py(_ y: Double) -> Double { bottom - (y - yMin) / (yMax - yMin) * (bottom - plotTop) }
            svg.text(panel.title, x: (left + right) / 2, y: y0 + 18, size: 13, anchor: "middle", style: ["font-weight": "bold"])
            svg.rect(x: left, y: plotTop, width: right - left, height: bottom - plotTop, style: axis)
            for fraction in [0.0, 0.25, 0.5, 0.75, 1.0] {
                let y = yMin + fraction * (yMax - yMin)
                svg.line(x1: left - 4, y1: py(y), x2: left, y2: py(y), style: axis)
                svg.text(format3(y), x: left - 7, y: py(y) + 3, size: 9, anchor: "end")
                let x = xMin + fraction * (xMax - xMin)
                svg.line(x1: px(x), y1: bottom, x2: px(x), y2: bottom + 4, style: axis)
                svg.text(n(x), x: px(x), y: bottom + 16, size: 9, anchor: "middle")
            }
            svg.text(xLabel, x: (left + right) / 2, y: bottom + 32, size: 10, anchor: "middle")
            for (s, series) in panel.series.enumerated() {
                let finite = series.points.filter { $0.y.isFinite }
                svg.polyline(finite.map { (px($0.x), py($0.y)) }, style: ["stroke": series.color, "stroke-width": "2"])
                svg.line(x1: right + 14, y1: plotTop + 12 + Double(s) * 18, x2: right + 38, y2: plotTop + 12 + Double(s) * 18,
                         style: ["stroke": series.color, "stroke-width": "2"])
                svg.text(series.name, x: right + 44, y: plotTop + 16 + Double(s) * 18, size: 10)
            }
        }
        return svg.render()
    }

    /// Three significant digits, without trailing zeros.
    static func format3(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return "0" }
        let exponent = Int(log10(abs(value)).rounded(.down))
        var text = String(format: "%.*f", max(0, 2 - exponent), value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
