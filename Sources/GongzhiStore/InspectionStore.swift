import Foundation
import GongzhiCore

/// Joint inspection rounds (拉网式排查) and their sweeps.
public protocol InspectionStore: Sendable {
    func plan(_ round: InspectionRound) async throws -> InspectionRound
    func round(_ id: Int64) async throws -> InspectionRound?
    func rounds(limit: Int) async throws -> [InspectionRound]
    func record(_ sweep: InspectionSweep) async throws -> InspectionSweep
    func sweeps(of round: Int64) async throws -> [InspectionSweep]
}
