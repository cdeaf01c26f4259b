// A minimal SVG writer: shapes and text appended as elements, numbers written with two decimals,
// text escaped. Produces standalone files that browsers and rsvg-convert render alike.

import Foundation

/// An SVG drawing being built.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var elements: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Style attributes, e.g. `["fill": "#888", "opacity": "0.5"]`, written in sorted order.
    public typealias Style = [String: String]

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, style: Style) {
        elements.append("<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\"\(attributes(style))/>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, style: Style) {
        elements.append("<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\"\(attributes(style))/>")
    }

    /// A polyline through `points`; `fill` is "none" unless the style says otherwise.
    public mutating func polyline(_ points: [(Double, Double)], style: Style) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        var style = style
        if style["fill"] == nil { style["fill"] = "none" }
        elements.append("<polyline points=\"\(list)\"\(attributes(style))/>")
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, style: Style) {
        elements.append("<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\"\(attributes(style))/>")
    }

    /// A raster image embedded in the document (`data:` URL of its bytes), stretched to the rectangle.
    public mutating func image(_ bytes: [UInt8], mimeType: String, x: Double, y: Double, width: Double, height: Double) {
        let data = Data(bytes).base64EncodedString()
        elements.append("<image x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "preserveAspectRatio=\"none\" href=\"data:\(mimeType);base64,\(data)\"/>")
    }

    /// Text anchored at (x, y): `anchor` is start, middle or end.
    public mutating func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                              style: Style = [:]) {
        var style = style
        style["font-size"] = n(size)
        style["text-anchor"] = anchor
        elements.append("<text x=\"\(n(x))\" y=\"\(n(y))\"\(attributes(style))>\(escaped(content))</text>")
    }

    /// The complete document.
    public func render() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"\(n(width))\" height=\"\(n(height))\" "
        out += "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for element in elements { out += element + "\n" }
        return out + "</svg>\n"
    }

    private func attributes(_ style: Style) -> String {
        style.keys.sorted().map { " \($0)=\"\(escaped(style[$0]!))\"" }.joined()
    }
}

/// A coordinate with at most two decimals, no trailing zeros (`12`, `3.5`, `-0.25`).
func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    // Callers check their values; a non-finite or vast one still never traps here.
    guard rounded.isFinite, abs(rounded) < 1e15 else { return rounded.isFinite ? String(format: "%.6g", rounded) : "0" }
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    var text = String(rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}

/// `text` with &, <, >, " escaped for XML.
func escaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
