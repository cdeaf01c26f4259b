// A scene at one moment: each pedestrian's observed path, true future and k sampled futures
// (thin, translucent), optionally shaded by the density of the samples' positions. Axes in
// meters with equal aspect, a legend; or drawn over the scene's reference image, in its pixels.
#if canImport(Glibc)
import Glibc
#endif
import TrajectoryData

/// What to draw for one pedestrian, absolute coordinates in meters.
public struct PedestrianPaths: Sendable {
    public var name: String
    public var observed: [SIMD2<Double>]
    /// May be empty when the future is unknown.
    public var truth: [SIMD2<Double>]
    public var samples: [[SIMD2<Double>]]

    public init(name: String, observed: [SIMD2<Double>], truth: [SIMD2<Double>], samples: [[SIMD2<Double>]]) {
        (self.name, self.observed, self.truth, self.samples) = (name, observed, truth, samples)
    }
}

public enum ScenePlot {
    /// An SVG of `pedestrians`; with `density`, a grid of squares shaded by how many sampled positions fall in each.
    public static func render(_ pedestrians: [PedestrianPaths], title: String, density: Bool = false,
                              width: Double = 900) -> String {
        let all = pedestrians.flatMap { $0.observed + $0.truth + $0.samples.flatMap { $0 } }
        var low = all.reduce(SIMD2(Double.infinity, .infinity)) { pointwiseMin($0, $1) }
        var high = all.reduce(SIMD2(-Double.infinity, -.infinity)) { pointwiseMax($0, $1) }
        if all.isEmpty { (low, high) = (SIMD2(0, 0), SIMD2(1, 1)) }
        let pad = max(0.5, 0.05 * max(high.x - low.x, high.y - low.y))
        low -= SIMD2(pad, pad)
        high += SIMD2(pad, pad)
        let margin = (left: 60.0, right: 20.0, top: 60.0, bottom: 50.0)
        let scale = (width - margin.left - margin.right) / (high.x - low.x)   // pixels per meter, both axes
        let height = margin.top + margin.bottom + (high.y - low.y) * scale
        func px(_ p: SIMD2<Double>) -> (Double, Double) {
            (margin.left + (p.x - low.x) * scale, margin.top + (high.y - p.y) * scale)
        }
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: width / 2, y: 22, size: 15, anchor: "middle", style: ["font-weight": "bold"])
        drawLegend(&svg)
        if density {
            let cell = 0.25
            var counts: [SIMD2<Int>: Int] = [:]
            for p in pedestrians.flatMap({ $0.samples.flatMap { $0 } }) where abs(p.x) < 1e12 && abs(p.y) < 1e12 {
                counts[SIMD2(Int((p.x / cell).rounded(.down)), Int((p.y / cell).rounded(.down))), default: 0] += 1
            }
            let most = Double(counts.values.max() ?? 1)
            for (key, count) in counts.sorted(by: { ($0.key.x, $0.key.y) < ($1.key.x, $1.key.y) }) {
                let corner = px(SIMD2(Double(key.x) * cell, Double(key.y + 1) * cell))
                svg.rect(x: corner.0, y: corner.1, width: cell * scale, height: cell * scale,
                         style: ["fill": "#ff7f0e", "fill-opacity": n(0.05 + 0.45 * Double(count) / most)])
            }
        }
        // Axes: a frame with ticks every 1, 2 or 5 × 10^n m (at least 1 m).
        let axis: SVGDocument.Style = ["stroke": "#333", "stroke-width": "1", "fill": "none"]
        let (x0, y0) = px(low), (x1, y1) = px(high)
        svg.rect(x: x0, y: y1, width: x1 - x0, height: y0 - y1, style: axis)
        let span = max(high.x - low.x, high.y - low.y)
        for value in ticks(from: low.x, to: high.x, span: span) {
            let (x, _) = px(SIMD2(value, low.y))
            svg.line(x1: x, y1: y0, x2: x, y2: y0 + 5, style: axis)
            svg.text(n(value), x: x, y: y0 + 18, size: 10, anchor: "middle")
        }
        for value in ticks(from: low.y, to: high.y, span: span) {
            let (_, y) = px(SIMD2(low.x, value))
            svg.line(x1: x0 - 5, y1: y, x2: x0, y2: y, style: axis)
            svg.text(n(value), x: x0 - 8, y: y + 3, size: 10, anchor: "end")
        }
        svg.text("x (m)", x: (x0 + x1) / 2, y: y0 + 36, size: 11, anchor: "middle")
        svg.text("y (m)", x: 26, y: (y0 + y1) / 2, size: 11, anchor: "middle")
        drawPaths(pedestrians, on: &svg, at: px)
        return svg.render()
    }

    /// The tick values in [low, high]: multiples of 1, 2 or 5 × 10^n meters (at least 1 m), the
    /// smallest such step that leaves at most 12 steps in `span`, so at most 13 ticks whatever the
    /// extent (a tracker's glitch 10^9 m away included); distinct values only, where coordinates
    /// so large that a step is below their precision would repeat one.
    static func ticks(from low: Double, to high: Double, span: Double) -> [Double] {
        guard span > 0, span.isFinite, low.isFinite, high.isFinite else { return [] }
        let magnitude = pow(10, (log10(span / 12)).rounded(.down))
        let step = max(1, [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= 12 } ?? 10 * magnitude)
        let first = (low / step).rounded(.up)
        var values: [Double] = []
        for i in 0...12 {
            let value = (first + Double(i)) * step
            guard value <= high else { break }
            if values.last != value { values.append(value) }
        }
        return values
    }

    /// An SVG of `pedestrians` over `image`, the scene's reference picture: positions go to its
    /// pixels through `pixels` (meters → image), the picture is shown at most `width` wide.
    public static func render(_ pedestrians: [PedestrianPaths], title: String, over image: SceneImage,
                              pixels: PixelMapping, width: Double = 1000) -> String {
        let zoom = min(1, width / Double(image.width))
        let top = 60.0
        var svg = SVGDocument(width: Double(image.width) * zoom, height: top + Double(image.height) * zoom)
        svg.text(title, x: svg.width / 2, y: 22, size: 15, anchor: "middle", style: ["font-weight": "bold"])
        drawLegend(&svg)
        svg.image(image.data, mimeType: image.format == .png ? "image/png" : "image/jpeg", x: 0, y: top,
                  width: Double(image.width) * zoom, height: Double(image.height) * zoom)
        drawPaths(pedestrians, on: &svg) { p in
            let (u, v) = pixels.image(x: p.x, y: p.y)
            return (u * zoom, top + v * zoom)
        }
        return svg.render()
    }

    static func drawLegend(_ svg: inout SVGDocument) {
        let legend: [(String, SVGDocument.Style)] = [
            ("observed", ["stroke": "#1f4e99", "stroke-width": "2.5"]),
            ("true future", ["stroke": "#2ca02c", "stroke-width": "2.5", "stroke-dasharray": "6,4"]),
            ("sampled futures", ["stroke": "#ff7f0e", "stroke-width": "1.2", "stroke-opacity": "0.5"]),
        ]
        for (i, (label, style)) in legend.enumerated() {
            let x = 20 + Double(i) * 170
            svg.line(x1: x, y1: 42, x2: x + 30, y2: 42, style: style)
            svg.text(label, x: x + 36, y: 46, size: 11)
        }
    }

    /// Samples first, so observed paths and truths stay on top; `px` maps meters to the drawing.
    static func drawPaths(_ pedestrians: [PedestrianPaths], on svg: inout SVGDocument,
                          at px: (SIMD2<Double>) -> (Double, Double)) {
        for pedestrian in pedestrians {
            let start = pedestrian.observed.last
            for sample in pedestrian.samples {
                svg.polyline((start.map { [$0] } ?? []).map(px) + sample.map(px),
                             style: ["stroke": "#ff7f0e", "stroke-width": "1", "stroke-opacity": "0.35", "class": "sample"])
            }
        }
        for pedestrian in pedestrians {
            if !pedestrian.truth.isEmpty {
                svg.polyline((pedestrian.observed.suffix(1) + pedestrian.truth).map(px),
                             style: ["stroke": "#2ca02c", "stroke-width": "2", "stroke-dasharray": "6,4", "class": "truth"])
            }
            svg.polyline(pedestrian.observed.map(px), style: ["stroke": "#1f4e99", "stroke-width": "2.5", "class": "observed"])
            if let last = pedestrian.observed.last {
                let (x, y) = px(last)
                svg.circle(cx: x, cy: y, r: 3, style: ["fill": "#1f4e99"])
                svg.text(pedestrian.name, x: x + 5, y: y - 5, size: 10, style: ["fill": "#1f4e99"])
            }
        }
    }
}
