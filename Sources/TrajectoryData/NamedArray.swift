// A named Float array with a shape: how tensors travel between the model and the store (which
// must not know each other). Stored as little-endian float32 BLOBs.

public struct NamedArray: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not hold \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// The values as little-endian float32 bytes.
    public var littleEndianBytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        return bytes
    }

    /// Values from little-endian float32 bytes; nil if the byte count is not 4 per value of `shape`.
    public init?(name: String, shape: [Int], littleEndianBytes bytes: [UInt8]) {
        let count = shape.reduce(1, *)
        guard bytes.count == count * 4 else { return nil }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let bits = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16
                | UInt32(bytes[4 * i + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        self.init(name: name, shape: shape, values: values)
    }
}
