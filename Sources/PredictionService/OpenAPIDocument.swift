// The OpenAPI 3.0 document of the service, served at /openapi.json. Its paths are exactly
// `PredictionServer.routes` and its schemas what the library decodes and encodes (a test checks
// both; `.ci/run` fuzzes a server from it with schemathesis). Edit it with the routes. What a
// schema cannot say (ids once per request, times increasing, a frame after the previous one) is a
// 400 naming the field.
import Foundation

enum OpenAPIDocument {
    /// The document for a model that makes at most `maximumK` futures (the schema K's maximum).
    static func json(maximumK: Int) -> Data {
        guard var document = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              var components = document["components"] as? [String: Any],
              var schemas = components["schemas"] as? [String: Any],
              var k = schemas["K"] as? [String: Any] else { preconditionFailure("the OpenAPI document is not valid JSON") }
        k["maximum"] = maximumK
        schemas["K"] = k
        components["schemas"] = schemas
        document["components"] = components
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
    }

    static let text = """
    {
      "openapi": "3.0.3",
      "info": {
        "title": "trajpred serve",
        "version": "1.0.0",
        "description": "Live pedestrian trajectory prediction: k futures per agent from its recent positions. Times in seconds, positions in meters."
      },
      "paths": {
        "/v1/predict": {
          "post": {
            "operationId": "predict",
            "summary": "k futures for each agent of a set of observed paths (stateless)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ObservedPaths"}}}},
            "responses": {
              "200": {"description": "futures, and the agents still waiting for history", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Forecast"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        },
        "/v1/sessions/{id}/frames": {
          "post": {
            "operationId": "sessionFrame",
            "summary": "one tracker frame into a session (made on first use); futures of its agents",
            "parameters": [{"$ref": "#/components/parameters/SessionID"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TrackerFrame"}}}},
            "responses": {
              "200": {"description": "futures, and the agents still waiting for history", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Forecast"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        },
        "/v1/sessions/{id}": {
          "delete": {
            "operationId": "deleteSession",
            "summary": "end a session",
            "parameters": [{"$ref": "#/components/parameters/SessionID"}],
            "responses": {
              "204": {"description": "ended"},
              "404": {"description": "no such session", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        },
        "/v1/model": {
          "get": {
            "operationId": "model",
            "summary": "the loaded model: run, family, steps, seconds per step, k range",
            "responses": {
              "200": {"description": "the model", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Model"}}}},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        },
        "/healthz": {
          "get": {
            "operationId": "health",
            "summary": "liveness",
            "responses": {
              "200": {"description": "serving", "content": {"application/json": {"schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}}}}},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "openAPI",
            "summary": "this document",
            "responses": {
              "200": {"description": "the OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}},
              "413": {"$ref": "#/components/responses/TooLarge"}
            }
          }
        }
      },
      "components": {
        "parameters": {
          "SessionID": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}
        },
        "responses": {
          "BadRequest": {"description": "a malformed body; `field` names the field at fault", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "the body is over the server's limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "K": {"type": "integer", "nullable": true, "minimum": 1, "maximum": 1000, "description": "futures per agent (default: the server's --k); the maximum is the model's (GET /v1/model)"},
          "Seed": {"type": "integer", "nullable": true, "minimum": 0, "description": "the seed of the samples (default: the server's --seed)"},
          "AgentID": {"description": "an agent's id; a number is taken as its text (7 and 7.0 are \\"7\\")", "oneOf": [{"type": "string"}, {"type": "number"}]},
          "TrackerFrame": {
            "type": "object",
            "required": ["time", "agents"],
            "properties": {
              "time": {"type": "number", "description": "seconds; after the session's previous frame"},
              "agents": {"type": "array", "items": {
                "type": "object", "required": ["id", "x", "y"],
                "properties": {"id": {"$ref": "#/components/schemas/AgentID"}, "x": {"type": "number"}, "y": {"type": "number"}}
              }},
              "k": {"$ref": "#/components/schemas/K"},
              "seed": {"$ref": "#/components/schemas/Seed"}
            }
          },
          "ObservedPaths": {
            "type": "object",
            "required": ["agents"],
            "properties": {
              "agents": {"type": "array", "items": {
                "type": "object", "required": ["id", "positions"],
                "properties": {
                  "id": {"$ref": "#/components/schemas/AgentID"},
                  "positions": {"type": "array", "minItems": 1, "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}},
                  "times": {"type": "array", "nullable": true, "items": {"type": "number"}, "description": "seconds of each position, increasing, one per position; without them the positions are on the model's step, the last at `time`"}
                }
              }},
              "time": {"type": "number", "nullable": true, "description": "seconds to predict from (default: the latest time given, else 0)"},
              "k": {"$ref": "#/components/schemas/K"},
              "seed": {"$ref": "#/components/schemas/Seed"}
            }
          },
          "Forecast": {
            "type": "object",
            "required": ["time", "predictions", "waiting"],
            "properties": {
              "time": {"type": "number"},
              "predictions": {"type": "array", "items": {
                "type": "object", "required": ["id", "futures", "times"],
                "properties": {
                  "id": {"type": "string"},
                  "futures": {"type": "array", "description": "(k, steps, 2) meters", "items": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number"}}}},
                  "times": {"type": "array", "items": {"type": "number"}, "description": "seconds of each future step"},
                  "probabilities": {"type": "array", "items": {"type": "number"}, "description": "each future's probability, most probable first; only for models that rank their futures"}
                }
              }},
              "waiting": {"type": "array", "items": {"type": "string"}, "description": "agents without the model's observed steps yet"}
            }
          },
          "Model": {
            "type": "object",
            "required": ["run", "run_id", "family", "summary", "checkpoint_epoch", "observed", "predicted", "dt", "max_gap", "forget", "k"],
            "properties": {
              "run": {"type": "string"}, "run_id": {"type": "integer"}, "family": {"type": "string"}, "summary": {"type": "string"},
              "checkpoint_epoch": {"type": "integer"}, "observed": {"type": "integer"}, "predicted": {"type": "integer"},
              "dt": {"type": "number"}, "max_gap": {"type": "number"}, "forget": {"type": "number"},
              "k": {"type": "object", "required": ["min", "max", "default"], "properties": {"min": {"type": "integer"}, "max": {"type": "integer"}, "default": {"type": "integer"}}}
            }
          },
          "Error": {
            "type": "object",
            "required": ["error", "field"],
            "properties": {"error": {"type": "string"}, "field": {"type": "string", "description": "the field at fault, e.g. agents[2].x; empty for the whole body"}}
          }
        }
      }
    }
    """
}
