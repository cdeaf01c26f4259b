// The notebook's figure: for each model, the histogram of its predictions drawn over the true
// distribution of the targets, one panel per model, densities on a shared x axis.

/// One panel: a title, and samples whose histogram is drawn over the reference histogram.
public struct HistogramPanel: Sendable {
    public var title: String
    public var subtitle: String
    public var samples: [Float]

    public init(title: String, subtitle: String = "", samples: [Float]) {
        self.title = title
        self.subtitle = subtitle
        self.samples = samples
    }
}

public enum HistogramFigure {
    /// Densities of `samples` in `bins` equal bins over `range` (values outside are not drawn).
    public static func densities(_ samples: [Float], range: ClosedRange<Double>, bins: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: bins)
        let width = (range.upperBound - range.lowerBound) / Double(bins)
        for sample in samples {
            let value = Double(sample)
            guard value >= range.lowerBound, value <= range.upperBound else { continue }
            counts[min(bins - 1, Int((value - range.lowerBound) / width))] += 1
        }
        let total = Double(max(samples.count, 1))
        return counts.map { Double($0) / (total * width) }
    }

    /// An SVG with one panel per model in `columns` columns; `reference` is the target sample
    /// (drawn in grey behind each panel).
    public static func render(panels: [HistogramPanel], reference: [Float], referenceLabel: String,
                              range: ClosedRange<Double> = -2...2, bins: Int = 80, columns: Int = 3,
                              title: String) -> String {
        let panelWidth = 320.0, panelHeight = 220.0, top = 70.0
        let rows = (panels.count + columns - 1) / columns
        var svg = SVGDocument(width: panelWidth * Double(columns) + 20, height: top + panelHeight * Double(rows) + 10)
        svg.text(title, x: svg.width / 2, y: 24, size: 16, anchor: "middle", style: ["font-weight": "bold"])
        // Legend.
        svg.rect(x: 20, y: 38, width: 14, height: 10, style: ["fill": "#9e9e9e", "fill-opacity": "0.6"])
        svg.text(referenceLabel, x: 40, y: 47, size: 11)
        svg.rect(x: 260, y: 38, width: 14, height: 10, style: ["fill": "#1f77b4", "fill-opacity": "0.75"])
        svg.text("model predictions", x: 280, y: 47, size: 11)

        let referenceDensity = densities(reference, range: range, bins: bins)
        for (index, panel) in panels.enumerated() {
            let x0 = 10 + Double(index % columns) * panelWidth, y0 = top + Double(index / columns) * panelHeight
            let plotLeft = x0 + 44, plotRight = x0 + panelWidth - 16, plotTop = y0 + 30, plotBottom = y0 + panelHeight - 34
            let modelDensity = densities(panel.samples, range: range, bins: bins)
            let yMax = max(referenceDensity.max() ?? 1, modelDensity.max() ?? 1) * 1.08
            func px(_ value: Double) -> Double {
                plotLeft + (value - range.lowerBound) / (range.upperBound - range.lowerBound) * (plotRight - plotLeft)
            }
            func py(_ density: Double) -> Double { plotBottom - density / yMax * (plotBottom - plotTop) }
            svg.text(panel.title, x: (plotLeft + plotRight) / 2, y: y0 + 14, size: 13, anchor: "middle",
                     style: ["font-weight": "bold"])
            if !panel.subtitle.isEmpty {
                svg.text(panel.subtitle, x: (plotLeft + plotRight) / 2, y: y0 + 26, size: 10, anchor: "middle",
                         style: ["fill": "#444"])
            }
            let binWidth = (range.upperBound - range.lowerBound) / Double(bins)
            for (densityList, style) in [
                (referenceDensity, ["fill": "#9e9e9e", "fill-opacity": "0.6"]),
                (modelDensity, ["fill": "#1f77b4", "fill-opacity": "0.75"]),
            ] {
                for (bin, density) in densityList.enumerated() where density > 0 {
                    let left = px(range.lowerBound + Double(bin) * binWidth)
                    let right = px(range.lowerBound + Double(bin + 1) * binWidth)
                    svg.rect(x: left, y: py(density), width: max(right - left, 0.5), height: plotBottom - py(density),
                             style: style)
                }
            }
            // Axes with ticks at every integer and three density ticks.
            let axis: SVGDocument.Style = ["stroke": "#333", "stroke-width": "1"]
            svg.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, style: axis)
            svg.line(x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, style: axis)
            for tick in Int(range.lowerBound.rounded(.up))...Int(range.upperBound.rounded(.down)) {
                svg.line(x1: px(Double(tick)), y1: plotBottom, x2: px(Double(tick)), y2: plotBottom + 4, style: axis)
                svg.text(String(tick), x: px(Double(tick)), y: plotBottom + 16, size: 10, anchor: "middle")
            }
            for fraction in [0.0, 0.5, 1.0] {
                let density = yMax / 1.08 * fraction
                svg.line(x1: plotLeft - 4, y1: py(density), x2: plotLeft, y2: py(density), style: axis)
                svg.text(n(density), x: plotLeft - 6, y: py(density) + 3, size: 9, anchor: "end")
            }
            svg.text("prediction", x: (plotLeft + plotRight) / 2, y: plotBottom + 29, size: 10, anchor: "middle")
        }
        return svg.render()
    }
}
