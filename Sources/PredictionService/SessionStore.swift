// The tracker sessions of the HTTP service: each session's `OnlineTracks` by id, behind one lock
// held only to take a frame and copy the tracks (predicting happens outside it, so sessions never
// wait for each other's predictions). At most `limit` sessions: a new one beyond replaces the
// least recently used.
import Synchronization
import Workflows

final class SessionStore: Sendable {
    private struct Session {
        var tracks: OnlineTracks
        var lastUsed: UInt64
    }

    private struct State {
        var sessions: [String: Session] = [:]
        var clock: UInt64 = 0
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        precondition(limit >= 1, "at least one session")
        self.limit = limit
    }

    /// Takes `frame` into session `id` (made with `makeTracks` if new) and returns a copy of its
    /// tracks; a refused frame leaves the session as it was.
    func observe(_ frame: TrackerFrame, session id: String, makeTracks: () -> OnlineTracks) throws(WorkflowError)
        -> OnlineTracks
    {
        try state.withLock { (state: inout State) throws(WorkflowError) -> OnlineTracks in
            state.clock += 1
            var session = state.sessions[id] ?? Session(tracks: makeTracks(), lastUsed: 0)
            try session.tracks.observe(frame)
            session.lastUsed = state.clock
            if state.sessions[id] == nil, state.sessions.count >= limit,
               let oldest = state.sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
                state.sessions[oldest] = nil
            }
            state.sessions[id] = session
            return session.tracks
        }
    }

    /// Ends session `id`; false when there is none.
    func remove(_ id: String) -> Bool {
        state.withLock { $0.sessions.removeValue(forKey: id) != nil }
    }

    var count: Int { state.withLock { $0.sessions.count } }
}
