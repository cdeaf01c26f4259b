// Decides what `trajpred import PATH...` will store where: one item per file, with its dataset,
// split and scene, from the flags or from the ETH/UCY folder layout
// (`DATASET/{train,val,test}/FILE`, or a root holding several such datasets).
import Foundation

/// The split a scene belongs to.
public enum Split: String, CaseIterable, Sendable, Comparable {
    case train, val, test

    public static func < (a: Split, b: Split) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One file to import and where it goes.
public struct ImportItem: Equatable, Sendable {
    public var path: String
    public var dataset: String
    public var split: Split
    public var scene: String
    /// How the split was chosen, for the user ("from the folder", "from the file name", "given", …).
    public var splitSource: String

    public init(path: String, dataset: String, split: Split, scene: String, splitSource: String) {
        self.path = path
        self.dataset = dataset
        self.split = split
        self.scene = scene
        self.splitSource = splitSource
    }
}

public enum ImportPlan {
    /// File name endings taken from a folder; anything else (READMEs, pictures) is skipped.
    public static let extensions: Set<String> = ["txt", "csv", "tsv", "ndjson", "jsonl", "json"]

    /// The items for `paths`; `dataset`, `split` and `scene` are the flags (nil when not given).
    /// Files under the folders of `paths` (three levels deep, hidden ones aside) that a folder import
    /// passes over because their extension is not one of `extensions`, sorted.
    public static func ignoredFiles(in paths: [String]) -> [String] {
        var ignored: [String] = []
        func walk(_ folder: String, depth: Int) {
            guard depth <= 3, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
            for entry in entries where !entry.hasPrefix(".") {
                let path = join(folder, entry)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    walk(path, depth: depth + 1)
                } else if !(entry.lastIndex(of: ".").map { extensions.contains(entry[entry.index(after: $0)...].lowercased()) }
                            ?? false) {
                    ignored.append(path)
                }
            }
        }
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                walk(path, depth: 1)
            }
        }
        return ignored.sorted()
    }

    public static func plan(paths: [String], dataset: String?, split: Split?, scene: String?) throws(ImportError)
        -> [ImportItem]
    {
        if let dataset { try checkName(dataset, what: "dataset", file: paths.first ?? "") }
        if let scene { try checkName(scene, what: "scene", file: paths.first ?? "") }
        var items: [ImportItem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadable(file: path, reason: "no such file or folder")
            }
            if !isDirectory.boolValue {
                items.append(try fileItem(path, dataset: dataset, split: split, scene: scene))
                continue
            }
            let subfolders = try folders(in: path)
            let splitFolders = subfolders.filter { Split(rawValue: $0) != nil }
            if !splitFolders.isEmpty {
                try refuse(split, "--split", for: path)
                let name = dataset ?? basename(path)
                try checkName(name, what: "dataset", file: path)
                for folder in splitFolders.sorted(by: { Split(rawValue: $0)! < Split(rawValue: $1)! }) {
                    items += try files(in: join(path, folder)).map {
                        ImportItem(path: $0, dataset: name, split: Split(rawValue: folder)!, scene: sceneName($0),
                                   splitSource: "from the folder")
                    }
                }
            } else if subfolders.contains(where: { hasSplitFolders(join(path, $0)) }) {
                try refuse(dataset, "--dataset", for: path)
                try refuse(split, "--split", for: path)
                for folder in subfolders.sorted() where hasSplitFolders(join(path, folder)) {
                    items += try plan(paths: [join(path, folder)], dataset: nil, split: nil, scene: nil)
                }
            } else {
                for file in try files(in: path) {
                    items.append(try fileItem(file, dataset: dataset ?? basename(path), split: split, scene: nil))
                }
            }
        }
        if scene != nil, items.count != 1 {
            throw .invalidSetting(file: paths.joined(separator: " "),
                                  reason: "--scene names one scene, but \(items.count) files were given")
        }
        return items
    }

    static func fileItem(_ path: String, dataset: String?, split: Split?, scene: String?) throws(ImportError)
        -> ImportItem
    {
        let parent = basename(dirname(path))
        let treeDataset = Split(rawValue: parent) != nil ? basename(dirname(dirname(path))) : nil
        guard let name = dataset ?? treeDataset, !name.isEmpty, name != "." else {
            throw .invalidSetting(file: path, reason: "name the dataset it belongs to with --dataset NAME")
        }
        try checkName(name, what: "dataset", file: path)
        let (chosen, source): (Split, String)
        if let split {
            (chosen, source) = (split, "given")
        } else if let folder = Split(rawValue: parent) {
            (chosen, source) = (folder, "from the folder")
        } else if let suffix = splitSuffix(stem(path)) {
            (chosen, source) = (suffix, "from the file name")
        } else {
            (chosen, source) = (.train, "assumed: set --split")
        }
        return ImportItem(path: path, dataset: name, split: chosen, scene: scene ?? sceneName(path), splitSource: source)
    }

    /// The scene of a file: its name without extension and without a `_train`/`_val`/`_test` ending;
    /// for a Stanford Drone `annotations.txt`, its scene and video folders (`hyang_video12`); for an
    /// ETH `obsmat.txt`, its sequence's folder (`seq_hotel`), as every sequence's file has that name.
    public static func sceneName(_ path: String) -> String {
        let name = stem(path)
        if name == "annotations",
           let (scene, video) = SceneScales.sceneAndVideo(of: URL(fileURLWithPath: path).standardizedFileURL.path) {
            return scene + "_" + video
        }
        if name == "obsmat" {
            let folder = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().lastPathComponent
            if !folder.isEmpty, folder != "/" { return folder }
        }
        if let split = splitSuffix(name) { return String(name.dropLast(split.rawValue.count + 1)) }
        return name
    }

    static func splitSuffix(_ name: String) -> Split? {
        Split.allCases.first { name.hasSuffix("_" + $0.rawValue) && name.count > $0.rawValue.count + 1 }
    }

    static func hasSplitFolders(_ path: String) -> Bool {
        ((try? folders(in: path)) ?? []).contains { Split(rawValue: $0) != nil }
    }

    static func folders(in path: String) throws(ImportError) -> [String] {
        try entries(in: path).filter { entry in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: join(path, entry), isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
    }

    /// Trajectory files directly inside `path`, sorted by name.
    static func files(in path: String) throws(ImportError) -> [String] {
        try entries(in: path).sorted().compactMap { entry in
            let full = join(path, entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let dot = entry.lastIndex(of: "."), extensions.contains(entry[entry.index(after: dot)...].lowercased()),
                  !entry.lowercased().hasPrefix("readme")
            else { return nil }
            return full
        }
    }

    static func entries(in path: String) throws(ImportError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }
        } catch {
            throw .unreadable(file: path, reason: "cannot list the folder")
        }
    }

    static func refuse<T>(_ flag: T?, _ name: String, for path: String) throws(ImportError) {
        if flag != nil {
            throw .invalidSetting(file: path, reason: "\(name) cannot be used with a folder laid out in "
                + "train/val/test: the folders name the splits and datasets")
        }
    }

    static func checkName(_ name: String, what: String, file: String) throws(ImportError) {
        if name.allSatisfy(\.isWhitespace) || name.contains("/") || name != name.trimmingCharacters(in: .whitespacesAndNewlines) {
            throw .invalidSetting(file: file, reason: "a \(what) name must be non-empty, hold no '/' and not begin or end "
                + "with a space, got '\(name)'")
        }
    }

    static func join(_ a: String, _ b: String) -> String { a.hasSuffix("/") ? a + b : a + "/" + b }

    static func basename(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let url = URL(fileURLWithPath: trimmed).standardizedFileURL
        return url.lastPathComponent
    }

    static func dirname(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
    }

    static func stem(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}
