import GongzhiCore
import GongzhiStore

/// The centre's figures for the cockpit and `GET /api/v1/centre/overview`.
enum CentreFigures {
    struct Shares: Encodable {
        var street: String
        var street_name: String?
        var month: String
        var concluded: Int
        var agreed_community: Int
        var agreed_street: Int
        var agreed_district: Int
        /// Agreed at community level / concluded: "小事不出社区".
        var community_share: Double?
        /// Agreed at community or street level / concluded: "大事不出街道".
        var within_street_share: Double?
    }

    struct Overview: Encodable {
        var from: String
        var to: String
        var open_disputes: Int
        var overdue_disputes: Int
        var open_petitions: Int
        var overdue_petitions: Int
        var undecided_overdue: Int
        var collective_open: Int
        var district: Shares
        var streets: [Shares]
    }

    static func rounded(_ x: Double?) -> Double? { x.map { ($0 * 10_000).rounded() / 10_000 } }

    static func shares(_ s: LevelShares, street: String, name: String?, month: String) -> Shares {
        Shares(street: street, street_name: name, month: month, concluded: s.concluded, agreed_community: s.agreed[.community] ?? 0,
               agreed_street: s.agreed[.street] ?? 0, agreed_district: s.agreed[.district] ?? 0,
               community_share: rounded(s.share(.community)), within_street_share: rounded(s.withinStreet))
    }

    static func overview(_ c: CentreCounts, _ byStreet: [String: [PlanDay: LevelShares]], from: PlanDay, to: PlanDay,
                         names: (String) -> String?) -> Overview {
        var total = LevelShares()
        var rows: [Shares] = []
        for (street, months) in byStreet.sorted(by: { $0.key < $1.key }) {
            for (month, s) in months.sorted(by: { $0.key < $1.key }) {
                total.add(s)
                rows.append(shares(s, street: street, name: names(street), month: String(PlanDays.text(month).prefix(7))))
            }
        }
        return Overview(from: PlanDays.text(from), to: PlanDays.text(to), open_disputes: c.openDisputes, overdue_disputes: c.overdueDisputes,
                        open_petitions: c.openPetitions, overdue_petitions: c.overduePetitions, undecided_overdue: c.undecidedOverdue,
                        collective_open: c.collectiveOpen, district: shares(total, street: "", name: nil, month: ""), streets: rows)
    }
}
