// The agent-centric frame of a window, as the field's best methods use it: origin at the last
// observed position, rotated so that the heading p_T − p_{T−2} points along +x, and for a moving
// walker (speed |p_T − p_{T−2}| / 2 above 0.3 m per step) scaled by 1 / speed, so every moving
// walker has unit speed; slower windows are "static" and keep meters.
// Built from observed steps only. Models map their inputs into the frame and their outputs back.
import TrajectoryData

public struct AgentFrame: Equatable, Sendable {
    /// The speed (m per step) above which a window is moving, and scaled.
    public static let staticSpeed: Float = 0.3

    /// The heading's direction.
    public var cos: Float
    public var sin: Float
    /// 1 / speed for a moving window, 1 for a static one.
    public var scale: Float
    public var moving: Bool

    public init(cos: Float, sin: Float, scale: Float, moving: Bool) {
        (self.cos, self.sin, self.scale, self.moving) = (cos, sin, scale, moving)
    }

    /// The frame of a window whose last observed position is the origin, from its observed
    /// positions relative to that origin: `observed` (T, 2); `mirror` (±1) multiplies y first.
    public init(observed: UnsafePointer<Float>, steps: Int, mirror: Float = 1) {
        precondition(steps >= 3, "the heading needs three observed steps")
        let last = SIMD2(observed[2 * (steps - 1)], mirror * observed[2 * (steps - 1) + 1])
        let before = SIMD2(observed[2 * (steps - 3)], mirror * observed[2 * (steps - 3) + 1])
        let d = last - before
        let length = (d * d).sum().squareRoot()
        if length > 0 {
            (cos, sin) = (d.x / length, d.y / length)
        } else {
            (cos, sin) = (1, 0)
        }
        let speed = length / 2
        moving = speed > Self.staticSpeed
        scale = moving ? 1 / max(speed, 1e-6) : 1
    }

    /// A position relative to the origin (meters), into the frame.
    @inline(__always)
    public func normalise(_ p: SIMD2<Float>) -> SIMD2<Float> {
        SIMD2(cos * p.x + sin * p.y, -sin * p.x + cos * p.y) * scale
    }

    /// A position in the frame back to meters relative to the origin.
    @inline(__always)
    public func denormalise(_ q: SIMD2<Float>) -> SIMD2<Float> {
        let r = q / scale
        return SIMD2(cos * r.x - sin * r.y, sin * r.x + cos * r.y)
    }
}

extension AgentFrame {
    /// The frame of window n of `windows`, mirrored when `mirror` is −1.
    public static func of(_ windows: WindowSet, _ n: Int, mirror: Float = 1) -> AgentFrame {
        windows.withRelativePositions(n) { AgentFrame(observed: $0, steps: windows.observed, mirror: mirror) }
    }
}
