import Foundation
import GongzhiCore

/// What every backend does the same way once it can open a write transaction: the intake's
/// group commit, a merchant's confirmation, the timer sweep and single commands.
extension Storage {
    /// Runs `body` in one write transaction with the reference context in force.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (CaseTransaction) throws -> T) async throws -> T {
        try await transaction(context: context.current, body)
    }

    public func create(_ report: Report, actor: Actor, at: Date) async throws -> (record: CaseRecord, created: Bool) {
        try await transaction { try $0.create(report, actor: actor, at: at) }
    }

    public func perform(_ command: CaseCommand, on id: Int64, actor: Actor, at: Date,
                        authorize: @escaping @Sendable (CaseRecord) throws -> Void = { _ in }) async throws -> CaseRecord {
        try await transaction { try $0.perform(command, on: id, actor: actor, at: at, authorize: authorize) }
    }

    /// One write transaction for the whole batch (group commit). Optimistically without
    /// savepoints and with the batch's reads and rows shared (`IntakeBatch`); if any report
    /// fails, that transaction is rolled back and the batch is done again one by one with a
    /// savepoint per report, so the one that fails rolls back alone.
    public func commit(_ batch: [IntakeSubmission], context: IntakeContext) async throws -> [Result<IntakeOutcome, IntakeFailure>] {
        if batch.count > 1, let all = try? await transaction(context: context.cases, { tx in
            let shared = try IntakeBatch(batch, sql: tx.sql)
            let outcomes = try batch.enumerated().map { try tx.intake($1, context, batch: shared, index: $0) }
            return try shared.finish(outcomes, sql: tx.sql).map { Result<IntakeOutcome, IntakeFailure>.success($0) }
        }) {
            return all
        }
        return try await transaction(context: context.cases) { $0.intakeEach(batch, context) }
    }

    public func confirm(noticeToken: String, mediaURLs: [String], note: String?, at: Date, context: CaseContext) async throws -> CaseRecord {
        try await transaction(context: context) { try $0.confirm(noticeToken: noticeToken, mediaURLs: mediaURLs, note: note, at: at) }
    }

    public func notice(token: String, at: Date, context: CaseContext) async throws -> (notice: StoredNotice, record: CaseRecord) {
        try await transaction(context: context) { try $0.notice(token: token, at: at) }
    }

    public func sweepTimers(now: Date, batch: Int) async throws -> TimerMarks.Tally {
        try await TimerSweep(store: self).run(now: now, batch: batch)
    }
}
