// The model families trajpred knows, by the name runs store. A new family is one line here
// (and its own files); everything else reaches it through `ForecastModel`.
import Synchronization

public enum ModelRegistry {
    /// The families built in, the default first.
    static let builtIn: [any ForecastModel.Type] = [
        TrajectoryCVAE.self,
        AnchorsModel.self,
        WTAModel.self,
        CVAEDLowModel.self,
    ]

    private static let registered = Mutex<[any ForecastModel.Type]>(builtIn)

    /// Every family, the default first.
    public static var families: [any ForecastModel.Type] { registered.withLock { $0 } }

    public static var names: [String] { families.map { $0.family } }

    /// The family called `name`.
    public static func family(named name: String) throws(ModelError) -> any ForecastModel.Type {
        guard let found = families.first(where: { $0.family == name }) else {
            throw .unknownFamily(name: name, known: names)
        }
        return found
    }

    /// Adds a family defined outside the library (tests, extensions); a name already known is kept.
    public static func register(_ family: any ForecastModel.Type) {
        registered.withLock { list in
            if !list.contains(where: { $0.family == family.family }) { list.append(family) }
        }
    }
}
