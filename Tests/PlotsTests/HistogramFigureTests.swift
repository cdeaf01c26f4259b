// The SVG writer and the notebook figure: well-formed XML, escaping, densities that integrate to 1,
// and one panel per model.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Plots

/// Parses `svg` and counts elements by name; nil when it is not well-formed XML.
func elementCounts(_ svg: String) -> [String: Int]? {
    final class Counter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
        }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let counter = Counter()
    parser.delegate = counter
    return parser.parse() ? counter.counts : nil
}

@Suite struct HistogramFigureTests {
    @Test func densitiesIntegrateToOne() {
        let samples: [Float] = (0..<1000).map { Float($0) / 1000 * 3.9 - 1.95 }
        let densities = HistogramFigure.densities(samples, range: -2...2, bins: 80)
        #expect(abs(densities.reduce(0, +) * 0.05 - 1) < 1e-9)
        // A point mass sits in one bin of density 1 / width.
        let spike = HistogramFigure.densities([Float](repeating: 1.01, count: 10), range: -2...2, bins: 80)
        #expect(spike.filter { $0 > 0 } == [20])
        #expect(spike.firstIndex(of: 20) == 60)
    }

    @Test func figureIsWellFormedWithOnePanelPerModel() throws {
        let panels = (0..<6).map { i in
            HistogramPanel(title: "model <\(i)> & co", subtitle: "mean \(i)", samples: [Float](repeating: Float(i) / 3 - 1, count: 50))
        }
        let svg = HistogramFigure.render(panels: panels, reference: [-1, 1, 1], referenceLabel: "targets",
                                         title: "A \"figure\"")
        let counts = try #require(elementCounts(svg))
        #expect(counts["svg"] == 1)
        // Title + 2 legend labels + per panel: title, subtitle, 5 x ticks, 3 y ticks, axis label.
        #expect(counts["text"] == 3 + 6 * 11)
        #expect(svg.contains("model &lt;3&gt; &amp; co"))
        #expect(svg.contains("A &quot;figure&quot;"))
    }

    @Test func numbersAreCompact() {
        #expect(n(12) == "12")
        #expect(n(3.5) == "3.5")
        #expect(n(-0.254) == "-0.25")
        #expect(n(1.999) == "2")
    }
}
