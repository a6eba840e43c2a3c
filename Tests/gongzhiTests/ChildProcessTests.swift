import Foundation
@testable import gongzhi
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The spawner the CLI tests and `backup`/`restore` use instead of Foundation's `Process`.
@Suite struct ChildProcessTests {
    @Test func exitStatusAndBothStreams() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(child.waitUntilExit() == .init(reason: .exit, status: 3))
        #expect(child.printed == "out\n" && child.errorOutput == "err\n")
        #expect(!child.isRunning)
    }

    /// More than a pipe holds (64 KiB) on both streams at once: read while the child runs, all of it.
    @Test func outputLargerThanAPipeIsReadWhole() throws {
        let script = "head -c 3000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"
        let child = try ChildProcess("/bin/sh", ["-c", script])
        #expect(child.waitUntilExit().status == 0)
        #expect(child.printed.utf8.count == 3_000_000 && child.printed.allSatisfy { $0 == "a" })
        #expect(child.errorOutput.utf8.count == 2_000_000)
    }

    @Test func aMissingProgramIsAnErrorNotACrash() {
        #expect(throws: ChildProcess.SpawnFailure.self) { try ChildProcess("/nonexistent/gongzhi", []) }
    }

    /// SIGTERM reaches the child even when the thread that started it had SIGTERM blocked, and
    /// its end is reported as the signal.
    @Test func terminationBySignalWhateverTheSpawnersMask() async throws {
        var block = sigset_t(), old = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &block, &old)
        let child = try ChildProcess("/bin/sleep", ["30"])
        pthread_sigmask(SIG_SETMASK, &old, nil)
        #expect(child.isRunning)
        child.send(SIGTERM)
        let ended = try await child.ended(within: 10)
        #expect(ended == .init(reason: .uncaughtSignal, status: SIGTERM))
    }

    /// A descriptor the parent holds without close-on-exec (as a database socket may be) is
    /// not open in the child, or closing it in the parent would not end the connection.
    @Test func theParentsDescriptorsStayWithTheParent() throws {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        #expect(fd > 2 && fcntl(fd, F_GETFD) & FD_CLOEXEC == 0)
        let child = try ChildProcess("/bin/sh", ["-c", "if [ -e /proc/self/fd/\(fd) ]; then echo open; else echo closed; fi"])
        #expect(child.waitUntilExit().status == 0)
        #expect(child.printed == "closed\n", "\(child.errorOutput)")
    }

    @Test func theEnvironmentIsTheOneGiven() throws {
        let child = try ChildProcess("/bin/sh", ["-c", "echo \"$GONGZHI_X:${HOME:-none}\""], environment: ["GONGZHI_X": "东苑"])
        #expect(child.waitUntilExit().status == 0)
        #expect(child.printed == "东苑:none\n")
    }
}
