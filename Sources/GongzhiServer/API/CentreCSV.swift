import GongzhiCore

/// The centre's lists as spreadsheet rows (exported with a BOM, or in GB18030 on request);
/// parties stay masked, as in the lists.
enum CentreCSV {
    static func disputes(_ items: [CentreDTO.Dispute]) -> [[String]] {
        [["id", "type", "summary", "street", "community", "level", "unit", "status", "registered", "due", "clock", "result", "result_level"]]
            + items.map {
                [String($0.id), $0.type_name ?? $0.type, $0.summary, $0.street_name ?? $0.street ?? "", $0.community_name ?? "", $0.level,
                 $0.unit_name ?? $0.unit, $0.status, $0.registered, $0.clock?.due ?? "", $0.clock?.state ?? "", $0.outcome?.result ?? "",
                 $0.outcome?.level ?? ""]
            }
    }

    static func petitions(_ items: [CentreDTO.Petition]) -> [[String]] {
        [["id", "title", "form", "people", "collective", "street", "unit", "status", "registered", "accept_by", "due", "clock",
          "repeat_of", "repeats", "cleared"]]
            + items.map {
                [String($0.id), $0.title, $0.form, String($0.people), $0.collective ? "yes" : "no", $0.street_name ?? $0.street ?? "",
                 $0.unit_name ?? $0.unit, $0.status, $0.registered, $0.accept_by, $0.clock?.due ?? "", $0.clock?.state ?? "",
                 $0.repeat_of.map(String.init) ?? "", String($0.repeats.count), $0.cleared ? "yes" : "no"]
            }
    }

    static func campaign(_ c: CentreDTO.Campaign) -> [[String]] {
        [["petition", "title", "leader", "unit", "target", "status", "cleared", "late"]]
            + (c.items ?? []).map {
                [String($0.petition), $0.title ?? "", $0.leader, $0.unit_name ?? $0.unit, $0.target, $0.status ?? "", $0.cleared ? "yes" : "no",
                 $0.late ? "yes" : "no"]
            }
    }
}
