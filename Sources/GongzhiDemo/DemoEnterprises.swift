import Foundation
import GongzhiCore
import GongzhiStore

/// Loads the demo's enterprise registry once, through the registry's own store: six invented
/// enterprises of the district's streets (their credit codes carry valid check characters, and
/// none is a real company), served by two demo users as commissioners, with a visit or two each
/// and the difficulties raised on them.
public struct DemoEnterprises {
    struct Row {
        var code: String, name: String, address: String, street: String, industry: String, contact: String, phone: String
        var commissioner: String, visits: [(daysAgo: Double, note: String, difficulties: [String])]
    }

    static let rows: [Row] = [
        Row(code: "91330105MA27WLN3X6", name: "杭州拱墅示例精密机械有限公司", address: "小河路 88 号", street: "330105003", industry: "C",
            contact: "陈经理", phone: "13900000101", commissioner: "user:demo-xiaohe",
            visits: [(12, "复工后订单恢复，流动资金紧张，希望对接贷款贴息。", ["funding"]), (3, "已对接两家银行，另缺熟练工 20 人。", ["labour"])]),
        Row(code: "91330105MA2CD1JT49", name: "杭州运河示例物流有限公司", address: "祥园路 12 号", street: "330105003", industry: "G",
            contact: "李主管", phone: "13900000102", commissioner: "user:demo-xiaohe",
            visits: [(9, "城际干线运力不足，货物积压。", ["logistics"])]),
        Row(code: "91330105MA28P0K659", name: "杭州米市巷示例餐饮管理有限公司", address: "米市巷 5 号", street: "330105001", industry: "H",
            contact: "王店长", phone: "13900000103", commissioner: "user:demo-mishixiang",
            visits: [(7, "堂食恢复较慢，希望参加消费券活动。", ["markets"])]),
        Row(code: "91330105MA2H3QR2U5", name: "杭州示例生物科技有限公司", address: "湖墅南路 201 号", street: "330105001", industry: "M",
            contact: "赵总", phone: "13900000104", commissioner: "user:demo-mishixiang",
            visits: [(15, "口罩和消毒液储备不足两周。", ["epidemic_supplies"]), (2, "原料进口清关延误。", ["materials"])]),
        Row(code: "91330105MA2B0L7D8U", name: "杭州示例软件有限公司", address: "丽水路 66 号", street: "330105003", industry: "I",
            contact: "孙经理", phone: "13900000105", commissioner: "user:demo-mishixiang", visits: []),
        Row(code: "92330105MA2GX4Y15F", name: "拱墅区示例五金店", address: "小河路 301 号", street: "330105003", industry: "F",
            contact: "周老板", phone: "13900000106", commissioner: "user:demo-xiaohe",
            visits: [(5, "个体户房租减免政策咨询，已告知申请渠道。", [])]),
    ]

    let store: any EnterpriseStore

    public init(store: any EnterpriseStore) { self.store = store }

    /// Adds the demo unless the registry holds anything; returns the enterprises added.
    @discardableResult
    public func loadIfEmpty(now: Date) async throws -> Int {
        let desk = EnterpriseViewer(scope: .all, principal: "system:demo")
        var probe = EnterpriseQuery()
        probe.limit = 1
        guard try await store.enterprises(probe, for: desk).isEmpty else { return 0 }
        let day = 86_400.0
        for row in Self.rows {
            let registered = now.addingTimeInterval(-30 * day)
            _ = try await store.register(Enterprise(code: row.code, name: row.name, address: row.address, street: row.street, industry: row.industry,
                                                    contactName: row.contact, contactPhone: row.phone, commissioners: [],
                                                    registeredAt: registered, registeredBy: "system:demo"))
            _ = try await store.setCommissioners(of: row.code, to: [row.commissioner], by: "system:demo", at: registered, for: desk)
            let admin = Principal(kind: .user, id: "system:demo", role: .admin, unit: ReferenceData.districtCode)
            for v in row.visits {
                let at = now.addingTimeInterval(-v.daysAgo * day)
                let visit = EnterpriseVisit(id: 0, code: row.code, commissioner: row.commissioner, day: PlanDays.of(at), note: v.note,
                                            difficulties: v.difficulties, recordedAt: at)
                _ = try await store.addVisit(visit, by: admin, for: desk)
            }
        }
        return Self.rows.count
    }
}
