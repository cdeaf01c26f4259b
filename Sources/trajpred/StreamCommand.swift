// `trajpred stream`: live prediction through a pipe. One tracker frame per line of JSON on stdin,
// one line of predictions per frame on stdout (flushed), a bad line reported on stderr with its
// number and skipped; EOF or Ctrl-C ends with a summary on stderr.
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Workflows

struct StreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Predict live: tracker frames as JSON lines on stdin, predictions as JSON lines on stdout.",
        discussion: """
            Each input line is one tracker frame, {"time": 12.4, "agents": [{"id": "7", "x": 1.0, "y": 2.0}, …]} \
            (seconds, meters, any rate). Each output line answers it: {"time": 12.4, "predictions": [{"id": "7", \
            "futures": [[[x, y], …], …], "times": [12.8, …], "probabilities": […]}], "waiting": […]}. Positions \
            are resampled onto the model's step; an agent is predicted once it has the model's observed steps \
            and forgotten after --forget seconds unseen. Every line uses --seed: the same history gives the same \
            futures.
            """
    )

    @OptionGroup var live: LiveOptions

    func run() throws {
        var stream = try LiveStream(predictor: try live.predictor(), k: live.k, seed: live.seed, forget: live.forget)
        var input = InputLines()
        var number = 0
        while let next = input.next() {
            number += 1
            guard case let .text(line) = next else {
                stream.skipUnread()
                printError("line \(number): longer than \(InputLines.longestLine >> 20) MiB; skipped")
                continue
            }
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            switch stream.process(line) {
            case let .success(output):
                // Standard output that cannot be written (a full disk): the stream cannot answer, so it ends.
                try FileHandle.standardOutput.writeChecked(output + Data("\n".utf8), name: "standard output")
            case let .failure(error):
                printError("line \(number): \(error); skipped")
            }
        }
        printError("stream ended: \(stream.summary.description)")
    }
}

/// The write end of the pipe a SIGINT or SIGTERM writes a byte into, ending `InputLines`.
nonisolated(unsafe) private var signalPipe: [Int32] = [-1, -1]

/// Lines of stdin (without their newline) until EOF, Ctrl-C or SIGTERM. Waiting for input and for
/// the signal in one poll(2) leaves no moment where a signal is missed (a flag checked before a
/// blocking read has one).
struct InputLines {
    /// Bytes read and not yet returned start at `start`; none of those before `scanned` is a newline.
    private var buffer: [UInt8] = []
    private var start = 0, scanned = 0
    private var ended = false
    /// Skipping the rest of a line longer than `longestLine`.
    private var skipping = false
    /// The longest line read (16 MiB): a longer one is skipped whole, without being kept.
    static let longestLine = 16 << 20

    enum Line {
        case text(Data)
        case tooLong
    }

    init() {
        pipe(&signalPipe)
        // A parent may have started us with both blocked (Foundation's Process does).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for signal in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                var byte: UInt8 = 1
                _ = write(signalPipe[1], &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    /// The next line, or nil at the end. Each byte is looked at once (a line read in many chunks is
    /// not searched again from its start), and the bytes before a returned line go when they are
    /// more than those left.
    mutating func next() -> Line? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 10) {
                let line = skipping ? Data() : Data(buffer[start..<newline])
                (start, scanned) = (newline + 1, newline + 1)
                if start > buffer.count / 2 {
                    buffer.removeSubrange(..<start)
                    (start, scanned) = (0, 0)
                }
                if skipping {
                    skipping = false
                    continue
                }
                return .text(line)
            }
            scanned = buffer.count
            if buffer.count - start > Self.longestLine {
                // Too long: dropped as it comes, and reported once.
                (buffer, start, scanned) = ([], 0, 0)
                if !skipping {
                    skipping = true
                    return .tooLong
                }
            }
            if ended {
                defer { (buffer, start, scanned) = ([], 0, 0) }
                return buffer.count == start || skipping ? nil : .text(Data(buffer[start...]))
            }
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signalPipe[0], events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, -1) > 0 else { continue }  // EINTR: the pipe says whether to stop
            if fds[1].revents != 0 { return nil }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = read(STDIN_FILENO, &chunk, chunk.count)
            if count > 0 { buffer += chunk[..<count] } else if count == 0 || errno != EINTR { ended = true }
        }
    }
}
