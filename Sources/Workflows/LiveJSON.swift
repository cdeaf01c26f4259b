// JSON in and out of live prediction: decoding (`LiveJSONDecoder.swift`) that names the field at
// fault (`agents[2].x: missing`) instead of Foundation's coding paths, and the encoder of small answers (sorted keys, so
// an answer is the same bytes for the same content; futures have their own writer, LiveForecast.json).
// Shared by `trajpred stream` and the HTTP service.
import Foundation

public enum LiveJSON {
    /// Decodes `T` from `data`; what is wrong is a `WorkflowError.invalidInput` naming the field.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(WorkflowError) -> T {
        do {
            return try JSONValueDecoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw describe(error)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw .invalidInput(field: "", reason: "not JSON")
        }
    }

    /// One line of JSON for `value`, without the newline.
    public static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("null".utf8)
    }

    /// `agents[2].x` from a coding path.
    static func field(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text
    }

    static func describe(_ error: DecodingError) -> WorkflowError {
        switch error {
        case let .keyNotFound(key, context):
            return .invalidInput(field: field(context.codingPath + [key]), reason: "missing")
        case let .valueNotFound(type, context):
            return .invalidInput(field: field(context.codingPath), reason: "must be \(expected(type)), not null")
        case let .typeMismatch(type, context):
            return .invalidInput(field: field(context.codingPath), reason: "must be \(expected(type))")
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return .invalidInput(field: "", reason: "not JSON") }
            return .invalidInput(field: field(context.codingPath), reason: "is not a valid value")
        @unknown default:
            return .invalidInput(field: "", reason: "not JSON")
        }
    }

    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type: return "an integer"
        case is UInt64.Type: return "an integer from 0 to 2^64 - 1"
        case is String.Type: return "a string"
        case is [Any].Type: return "an array"
        default: return type is any Decodable.Type && "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
