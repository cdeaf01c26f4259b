// Model options as the command line gives them (`--hidden 64`, `--model-option name=value`):
// text by option name, read by each family's configuration, which refuses the ones it does not
// have. The CLI never needs to know which family has which option.

public struct ModelOptions: Sendable, Equatable {
    /// Option name (without dashes) → its text.
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Refuses any option outside `known`.
    public func check(family: String, known: [String]) throws(ModelError) {
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unsupportedOption(name: unknown, family: family, supported: known)
        }
    }

    public func int(_ name: String, default value: Int) throws(ModelError) -> Int {
        guard let text = values[name] else { return value }
        guard let parsed = Int(text) else { throw .invalidOption(name: name, value: text, expected: "a whole number") }
        return parsed
    }

    public func float(_ name: String, default value: Float) throws(ModelError) -> Float {
        guard let text = values[name] else { return value }
        guard let parsed = Float(text), parsed.isFinite else {
            throw .invalidOption(name: name, value: text, expected: "a finite number")
        }
        return parsed
    }

    public func choice<T: RawRepresentable>(_ name: String, default value: T) throws(ModelError) -> T
        where T.RawValue == String, T: CaseIterable
    {
        guard let text = values[name] else { return value }
        guard let parsed = T(rawValue: text) else {
            throw .invalidOption(name: name, value: text,
                                 expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return parsed
    }
}
