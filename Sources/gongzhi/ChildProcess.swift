import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program started with `posix_spawn`, its output read by threads of its own, its end reaped
/// with `waitpid`. Foundation's `Process` is not used: on Linux (Swift 6.3.1) its `run()` lists
/// `/proc/self/fd` copying each entry's whole 256-byte name, which reads past the directory
/// buffer and now and then past a mapped page, killing the parent with signal 11
/// (swift-corelibs-foundation pull request 5472). The test process, which starts hundreds of
/// children beside open databases and sockets, died of it in CI; `backup` and `restore` use
/// this too, so the product has no such call left.
final class ChildProcess: Sendable {
    /// What becomes of a child's standard output or error.
    enum Stream: Sendable { case inherit, capture }

    /// How a child ended: its exit status, or the signal that killed it.
    struct Termination: Equatable, Sendable {
        enum Reason: Sendable { case exit, uncaughtSignal }
        var reason: Reason
        var status: Int32
    }

    struct SpawnFailure: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private struct State {
        var output = Data(), errors = Data()
        var ended: Termination?
    }
    private let state = Mutex(State())
    private let readers = DispatchGroup()

    /// Starts `executable` (an absolute path) with `arguments`, in `environment` (the parent's
    /// when nil), with default signal handling and no blocked signals whatever the spawning
    /// thread has, so SIGTERM reaches it.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
         output: Stream = .capture, errors: Stream = .capture) throws(SpawnFailure) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var reading: [(fd: Int32, isOutput: Bool)] = []
        var writeEnds: [Int32] = []
        for (stream, target) in [(output, STDOUT_FILENO), (errors, STDERR_FILENO)] where stream == .capture {
            var fds: [Int32] = [-1, -1]
            // Close-on-exec (Glibc's module has no pipe2), so other children do not hold a write end
            // open past the moment between these two calls.
            guard pipe(&fds) == 0, fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(fds[1], F_SETFD, FD_CLOEXEC) == 0 else {
                let failure = SpawnFailure(description: "cannot make a pipe for the child: \(String(cString: strerror(errno)))")
                for fd in reading.map(\.fd) + writeEnds + fds where fd >= 0 { close(fd) }
                throw failure
            }
            posix_spawn_file_actions_adddup2(&actions, fds[1], target)
            reading.append((fds[0], target == STDOUT_FILENO))
            writeEnds.append(fds[1])
        }
        Self.closeInherited(&actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            for p in argv { free(p) }
            for p in envp ?? [] { free(p) }
        }
        var child: pid_t = 0
        let result = envp.map { posix_spawn(&child, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        for fd in writeEnds { close(fd) }
        guard result == 0 else {
            for fd in reading.map(\.fd) { close(fd) }
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
        for (fd, isOutput) in reading { read(fd, isOutput: isOutput) }
    }

    /// Has the child close every descriptor above standard error, as `Process` did: a socket the
    /// parent holds without close-on-exec (a PostgreSQL connection, a listening port) would
    /// otherwise stay open in the child after the parent closed it. glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later) is declared only for GNU
    /// sources, which Swift's Glibc module does not see: looked up by name; where it is missing,
    /// each descriptor open now is closed one by one.
    private static func closeInherited(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np"),
           unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3) == 0 {
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > STDERR_FILENO {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// Reads `fd` to its end on a thread of its own (its reads block), keeping what arrives.
    private func read(_ fd: Int32, isOutput: Bool) {
        readers.enter()
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = Glibc.read(fd, &buffer, buffer.count)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                let chunk = Data(buffer[0..<n])
                state.withLock { if isOutput { $0.output.append(chunk) } else { $0.errors.append(chunk) } }
            }
            close(fd)
            readers.leave()
        }
    }

    /// What it has written to its standard output so far.
    var printed: String { state.withLock { String(decoding: $0.output, as: UTF8.self) } }
    /// What it has written to its standard error so far.
    var errorOutput: String { state.withLock { String(decoding: $0.errors, as: UTF8.self) } }

    /// How it ended, reaping it if it just did; nil while it runs.
    var termination: Termination? {
        state.withLock { s in
            if let ended = s.ended { return ended }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            // ECHILD: reaped by someone else, its status lost; it has ended all the same.
            if reaped == -1, errno == ECHILD { s.ended = Termination(reason: .exit, status: -1) }
            guard reaped == pid else { return s.ended }
            let signal = status & 0x7f
            s.ended = signal == 0 ? Termination(reason: .exit, status: (status >> 8) & 0xff)
                : Termination(reason: .uncaughtSignal, status: signal)
            return s.ended
        }
    }

    var isRunning: Bool { termination == nil }

    func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Blocks until it has ended and its output has been read to the end.
    func waitUntilExit() -> Termination {
        while true {
            if let ended = termination {
                readers.wait()
                return ended
            }
            usleep(5_000)
        }
    }

    /// The same without blocking a task's thread; nil if `seconds` pass first.
    func ended(within seconds: Double) async throws -> Termination? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let ended = termination {
                // The readers end at once unless a grandchild holds the pipes open.
                _ = readers.wait(timeout: .now() + 5)
                return ended
            }
            // Checked once more after the deadline: on a loaded machine one sleep may outlast it.
            guard Date() < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
