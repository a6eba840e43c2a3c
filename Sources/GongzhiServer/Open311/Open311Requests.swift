import Foundation
import GongzhiCore
import GongzhiStore

/// How cases look through Open311: GeoReport v2 knows two statuses, the district seven steps.
enum Open311Cases {
    /// Closed for a resident: finished, refused, or merged into another case.
    static let closedStatuses: [CaseStatus] = CaseStatus.allCases.filter { !$0.isOpen }
    static let openStatuses: [CaseStatus] = CaseStatus.allCases.filter(\.isOpen)

    static func status(_ s: CaseStatus) -> String { s.isOpen ? "open" : "closed" }

    /// What a resident reads about a step, in the district's words.
    static func label(_ action: CaseAction, passed: Bool? = nil) -> String {
        switch action {
        case .report: "已受理"
        case .register: "已立案"
        case .reject: "不予立案"
        case .dispatch: "已派遣"
        case .accept: "处置单位已签收"
        case .return: "处置单位退回，重新派遣中"
        case .escalate: "已上报上级单位"
        case .redispatch: "已改派"
        case .handle: "处置单位已处置，等待核查"
        case .verify: passed == false ? "核查未通过，返工处置" : "核查通过"
        case .close: "已结案"
        case .reopen: "重新办理"
        case .comment: "备注"
        case .supervise: "已督办"
        case .postpone: "经批准缓办"
        case .evaluate: "市民已评价"
        case .warn: "即将到期"
        case .overdue: "已超期"
        case .notify: "已告知商户限期自行整改"
        case .confirm: "商户已确认整改"
        case .recheck: passed == true ? "复核通过，商户已自行整改" : "复核未通过，转执法处置"
        case .uncorrected: "商户逾期未整改，转执法处置"
        case .join: "同一问题的新反映已并入"
        case .detections: "摄像头持续发现"
        case .merge: "与其他案件合并办理"
        case .absorb: "已并入重复案件"
        case .unmerge: "撤销合并，单独办理"
        case .release: "撤销合并"
        }
    }

    /// A step's text: its label and the unit it went to; for staff (`full`) also the reason or
    /// note they wrote, which the public never sees (the tracking page's rule: no text).
    static func notes(_ e: CaseEvent, full: Bool, unitName: (String) -> String?) -> String {
        var text = label(e.action, passed: e.payload.passed)
        if let unit = e.payload.unit, [.dispatch, .redispatch, .escalate].contains(e.action) { text += "：\(unitName(unit) ?? unit)" }
        if let into = e.payload.mergedInto, e.action == .merge { text += "（并入案件 \(into)）" }
        if full, let why = e.payload.reason ?? e.payload.note { text += "。\(why)" }
        return text
    }

    /// What a reader sees of a case through Open311.
    struct View {
        /// Staff whose key may read the case: the description, the exact place, the photos and
        /// the staff's notes. Otherwise the public tracking page's rule: no text anyone typed,
        /// the street instead of the point. Personal fields are never shown here.
        var full: Bool
        var unitName: (String) -> String?
        var areaName: (String) -> String?
    }

    /// One `request` element. `history`, when read, gives `status_notes` its latest words.
    static func node(_ r: CaseRecord, categories: CategoryDirectory, config: Open311Config, view: View,
                     history: [CaseEvent]? = nil) -> Open311Node {
        let category = r.category.flatMap(categories.reportable)
        let unitName = view.unitName, full = view.full
        var notes: String? = nil
        if let history, let last = history.last(where: { $0.from != $0.to || $0.action == .report }) {
            notes = Self.notes(last, full: full, unitName: unitName)
        } else {
            notes = r.status == .merged ? "与案件 \(r.mergedInto.map(String.init) ?? "-") 合并办理" : nil
        }
        let street = r.area?.street.flatMap(view.areaName)
        return .object([
            ("service_request_id", .int(r.id)),
            ("status", .text(status(r.status))),
            ("status_notes", .text(notes)),
            ("service_name", .text(category?.name ?? config.freeTextService.name)),
            ("service_code", .text(r.category ?? config.freeTextService.code)),
            ("description", .text(full ? r.report.description : nil)),
            ("agency_responsible", .text(r.unit.map { unitName($0) ?? $0 })),
            ("service_notice", .text(nil)),
            ("requested_datetime", Open311Time.node(r.createdAt)),
            ("updated_datetime", Open311Time.node(r.updatedAt)),
            ("expected_datetime", Open311Time.node(r.status.isOpen ? r.dueAt : nil)),
            ("address", .text(full ? r.report.address ?? street : street)),
            ("address_id", .text(nil)),
            ("zipcode", .text(nil)),
            ("lat", full ? r.report.location.map { .double($0.lat) } ?? .text(nil) : .text(nil)),
            ("long", full ? r.report.location.map { .double($0.lon) } ?? .text(nil) : .text(nil)),
            ("media_url", .text(full ? r.report.mediaURLs.first : nil)),
        ])
    }
}
