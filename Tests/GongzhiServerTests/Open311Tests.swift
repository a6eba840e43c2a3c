import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing

/// Open311 GeoReport v2: every endpoint in XML and JSON, every error, element names as the spec
/// has them, and what the public may see.
@Suite struct Open311Tests {
    static let base = "/open311/v2"
    static let requestFields = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                                "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
                                "address", "address_id", "zipcode", "lat", "long", "media_url"]
    static let serviceFields = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]

    func fixture(_ backend: Backend) async throws -> ServerFixture {
        let reference = try ReferenceData.bundled()
        return try await ServerFixture(backend, bundledRules: true, intakeRules: try ReferenceData.intakeRules(categories: reference.categories),
                                       classifier: TrainedClassifier.shared)
    }

    static func cover(key: String, _ extra: [(String, String)] = []) -> [(String, String)] {
        [("api_key", key), ("service_code", "01002"), ("lat", "30.3192"), ("long", "120.1414"),
         ("description", "湖墅南路下水道井盖没了"), ("attribute[cover_state]", "missing")] + extra
    }

    @Test func discoveryServicesAndDefinitionsInBothFormats() async throws {
        let f = try await fixture(.sqlite)
        try await f.test { client in
            let dx = try await client.open311(.get, "\(Self.base)/discovery.xml")
            #expect(dx.status == .ok && dx.contentType == "text/xml; charset=utf-8")
            let d = try #require(dx.xml)
            #expect(d.name == "discovery" && d.childNames == ["changeset", "contact", "key_service", "endpoints"])
            let endpoint = try #require(d.child("endpoints")?.child("endpoint"))
            #expect(endpoint.childNames == ["specification", "url", "changeset", "type", "formats"])
            #expect(endpoint.child("formats")?.all("format").map(\.text) == ["text/xml", "application/json"])
            #expect(endpoint.child("url")?.text.hasSuffix("/open311/v2") == true)
            let dj = try await client.open311(.get, "\(Self.base)/discovery.json")
            #expect(dj.contentType == "application/json; charset=utf-8")
            #expect((dj.object["endpoints"] as? [[String: Any]])?.first?["formats"] as? [String] == ["text/xml", "application/json"])

            let sj = try await client.open311(.get, "\(Self.base)/services.json")
            #expect(sj.status == .ok)
            let services = sj.list
            #expect(services.allSatisfy { Set($0.keys) == Set(Self.serviceFields) })
            let cover = try #require(services.first { $0["service_code"] as? String == "01002" })
            #expect(cover["metadata"] as? Bool == true && cover["type"] as? String == "realtime" && cover["group"] as? String == "市政公用设施类")
            #expect((cover["keywords"] as? String)?.contains(",") == true)
            #expect(services.first { $0["service_code"] as? String == "00000" }?["type"] as? String == "batch")
            #expect(!services.contains { ($0["service_code"] as? String)?.hasPrefix("9") == true }, "local extensions are not public services")
            let sx = try #require(try await client.open311(.get, "\(Self.base)/services.xml").xml)
            #expect(sx.name == "services" && sx.all("service").count == services.count)
            #expect(sx.all("service").allSatisfy { $0.childNames == Self.serviceFields })

            let defx = try #require(try await client.open311(.get, "\(Self.base)/services/01002.xml").xml)
            #expect(defx.name == "service_definition" && defx.childNames == ["service_code", "attributes"])
            let attribute = try #require(defx.child("attributes")?.child("attribute"))
            #expect(attribute.childNames == ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"])
            #expect(attribute.child("values")?.all("value").first?.childNames == ["key", "name"])
            let defj = try await client.open311(.get, "\(Self.base)/services/06028.json")
            #expect((defj.object["attributes"] as? [[String: Any]])?.map { $0["code"] as? String } == ["period", "source_kind", "since"])
            #expect((try await client.open311(.get, "\(Self.base)/services/06012.json").object["attributes"] as? [Any])?.isEmpty == true)

            for (uri, status) in [("services/91001.json", 404), ("services/nope.xml", 404), ("services.html", 404),
                                  ("nothing.json", 404), ("discovery.json?jurisdiction_id=330106", 404)] {
                let e = try await client.open311(.get, "\(Self.base)/\(uri)")
                #expect(e.status.code == status, "\(uri)")
                if uri.contains(".json") {
                    #expect(e.list.first?["code"] as? Int == status && e.list.first?["description"] is String, "\(uri)")
                } else {
                    #expect(e.xml?.name == "errors" && e.xml?.child("error")?.childNames == ["code", "description"], "\(uri)")
                }
            }
            #expect(try await client.open311(.get, "\(Self.base)/discovery.json?jurisdiction_id=330105").status == .ok)
        }
    }

    @Test(arguments: Backend.all) func badRequestsAreRefusedAndStoreNothing(backend: Backend) async throws {
        let f = try await fixture(backend)
        let machine = try await f.key(.machine, "330105"), merchant = try await f.key(.merchant, "330105")
        try await f.test { client in
            let url = "\(Self.base)/requests.json"
            func expect(_ form: [(String, String)], _ status: Int, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let r = try await client.open311(.post, url, form: form)
                #expect(r.status.code == status, "\(form)", sourceLocation: sourceLocation)
                let description = r.list.first?["description"] as? String ?? ""
                #expect(description.contains(words), "\(description)", sourceLocation: sourceLocation)
            }
            var noKey = Self.cover(key: machine)
            noKey.removeFirst()
            try await expect(noKey, 403, "api_key")
            try await expect(Self.cover(key: "gzk_wrong"), 403, "unknown")
            try await expect(Self.cover(key: merchant), 403, "may not")
            try await expect(Self.cover(key: machine).filter { $0.0 != "service_code" }, 400, "service_code")
            try await expect(Self.cover(key: machine) + [("jurisdiction_id", "110101")], 404, "jurisdiction")
            try await expect([("api_key", machine), ("service_code", "91001"), ("lat", "30.3"), ("long", "120.1")], 404, "no service")
            try await expect(Self.cover(key: machine).filter { $0.0 != "long" }, 400, "together")
            try await expect(Self.cover(key: machine).map { $0.0 == "lat" ? ("lat", "north") : $0 }, 400, "decimal")
            try await expect(Self.cover(key: machine).filter { $0.0 != "lat" && $0.0 != "long" }, 400, "location is required")
            try await expect(Self.cover(key: machine).filter { $0.0 != "lat" && $0.0 != "long" } + [("address_id", "123")], 400, "address_id")
            try await expect(Self.cover(key: machine).map { $0.0 == "lat" ? ("lat", "39.9") : $0 }, 400, "outside")
            try await expect(Self.cover(key: machine).map { $0.0 == "description" ? ("description", String(repeating: "井", count: 4_001)) : $0 },
                             400, "description")
            try await expect(Self.cover(key: machine).filter { $0.0 != "attribute[cover_state]" }, 400, "cover_state")
            try await expect(Self.cover(key: machine).map { $0.0 == "attribute[cover_state]" ? ($0.0, "gone") : $0 }, 400, "one of")
            try await expect(Self.cover(key: machine, [("attribute[colour]", "red")]), 400, "not an attribute")
            try await expect(Self.cover(key: machine, [("email", "nobody")]), 400, "email")
            try await expect(Self.cover(key: machine, [("media_url", "ftp://x")]), 400, "media_url")
            try await expect([("api_key", machine), ("service_code", "00000"), ("address_string", "大关路")], 400, "description is required")
            // The text rule: a control character in any text is refused, naming the field.
            try await expect(Self.cover(key: machine).map { $0.0 == "description" ? ("description", "井盖\u{0}没了") : $0 }, 400, "U+0000")
            try await expect(Self.cover(key: machine, [("first_name", "王\u{1B}")]), 400, "reporter.name")
            try await expect(Self.cover(key: machine, [("address_string", "大关路\n88号")]), 400, "address")
            try await expect(Self.cover(key: machine).map { $0.0 == "attribute[cover_state]" ? ($0.0, "missing\u{7}") : $0 }, 400, "cover_state")
            let empty = try await client.open311(.post, "\(Self.base)/requests.xml", form: nil)
            #expect(empty.status == .forbidden && empty.xml?.name == "errors")
            #expect(try await client.open311(.post, "\(Self.base)/services.json", form: Self.cover(key: machine)).status == .notFound)
            #expect(try await f.db.count("SELECT COUNT(*) FROM cases") == 0)
            #expect(try await f.db.count("SELECT COUNT(*) FROM reports") == 0)
        }
    }

    @Test(arguments: Backend.all) func fileFollowAndListRequests(backend: Backend) async throws {
        let f = try await fixture(backend)
        let machine = try await f.key(.machine, "330105")
        try await f.test { client in
            let personal = [("first_name", "三"), ("last_name", "张"), ("email", "zhang.san@example.cn"), ("phone", "13800135678"),
                            ("device_id", "ios-ABCDEF123"), ("account_id", "fms-7788"), ("media_url", "https://example.org/p/1.jpg")]
            let created = try await client.open311(.post, "\(Self.base)/requests.json", form: Self.cover(key: machine, personal))
            #expect(created.status == .created)
            let first = try #require(created.list.first)
            #expect(Set(first.keys) == ["service_request_id", "service_notice", "account_id"])
            let id = try #require(first["service_request_id"] as? Int)
            #expect((first["service_notice"] as? String)?.contains("查询码 GS-") == true)
            #expect(first["account_id"] as? String == "fms-7788")
            // Personal fields are stored and masked like the reporter's.
            let detail = try await client.get("/api/v1/cases/\(id)")
            let reporter = try #require(detail["reporter"] as? [String: Any])
            #expect(reporter["name"] as? String == "张*" && reporter["email"] as? String == "z***@example.cn")
            #expect(reporter["device_id"] as? String == "****F123" && reporter["account_id"] as? String == "****7788")
            // The same problem again, in XML: it joins the open case.
            let again = try #require(try await client.open311(.post, "\(Self.base)/requests.xml", form: Self.cover(key: machine)).xml)
            #expect(again.name == "service_requests" && again.child("request")?.child("service_request_id")?.text == "\(id)")
            #expect(again.child("request")?.child("service_notice")?.text.contains("并入") == true)

            // The public list: the request, without any text anyone typed or the exact point.
            let pub = try await client.open311(.get, "\(Self.base)/requests.json")
            let item = try #require(pub.list.first { $0["service_request_id"] as? Int == id })
            #expect(Set(item.keys) == Set(Self.requestFields))
            #expect(item["status"] as? String == "open" && item["service_code"] as? String == "01002")
            #expect(item["description"] is NSNull && item["lat"] is NSNull && item["media_url"] is NSNull)
            #expect((item["requested_datetime"] as? String)?.hasSuffix("+08:00") == true)
            #expect(!pub.body.contains("张") && !pub.body.contains("13800135678") && !pub.body.contains("zhang.san"))
            // A staff key sees the text and the point (never the personal fields).
            let staff = try await client.open311(.get, "\(Self.base)/requests.json?api_key=\(f.adminKey)")
            let full = try #require(staff.list.first { $0["service_request_id"] as? Int == id })
            #expect(full["description"] as? String == "湖墅南路下水道井盖没了" && full["lat"] as? Double == 30.3192)
            #expect(!staff.body.contains("13800135678") && !staff.body.contains("zhang.san"))
            #expect(try await client.open311(.get, "\(Self.base)/requests.json?api_key=gzk_nope").status == .forbidden)

            let onex = try #require(try await client.open311(.get, "\(Self.base)/requests/\(id).xml").xml)
            #expect(onex.name == "service_requests" && onex.all("request").count == 1)
            #expect(onex.child("request")?.childNames == Self.requestFields)
            #expect(onex.child("request")?.child("status_notes")?.text.isEmpty == false)
            #expect(try await client.open311(.get, "\(Self.base)/requests/\(id).json").list.count == 1)
            for missing in ["requests/999999.json", "requests/abc.xml", "tokens/GS-0000-0000-0000.json"] {
                #expect(try await client.open311(.get, "\(Self.base)/\(missing)").status == .notFound, "\(missing)")
            }

            // Filters.
            func count(_ query: String) async throws -> Int { try await client.open311(.get, "\(Self.base)/requests.json?\(query)").list.count }
            #expect(try await count("service_request_id=\(id),999999") == 1)
            #expect(try await count("status=open") == 1)
            #expect(try await count("status=closed") == 0)
            #expect(try await count("status=open,closed") == 1)
            #expect(try await count("service_code=01002") == 1)
            #expect(try await count("service_code=06012") == 0)
            #expect(try await count("start_date=2026-11-01T00:00:00%2B08:00&end_date=2026-11-22T00:00:00%2B08:00") == 0)
            #expect(try await count("start_date=2026-11-20&end_date=2026-11-24") == 1)
            #expect(try await count("page_size=1&page=2") == 0)
            #expect(try await count("page_size=1&page=1") == 1)
            for bad in ["status=pending", "start_date=2026-01-01&end_date=2026-11-24", "start_date=2026-11-24&end_date=2026-11-20",
                        "start_date=yesterday", "service_code=91001", "page_size=1001", "page=0", "service_request_id=1,x"] {
                let r = try await client.open311(.get, "\(Self.base)/requests.json?\(bad)")
                #expect(r.status == .badRequest && r.list.first?["code"] as? Int == 400, "\(bad)")
            }

            // The free-text service: classified by intake, answered with a token.
            let free = try await client.open311(.post, "\(Self.base)/requests.json", form: [
                ("api_key", machine), ("service_code", "00000"), ("address_string", "拱宸桥街道登云路"),
                ("description", "登云路上有一盏路灯晚上一直不亮，黑漆漆的，走路很怕"),
            ])
            #expect(free.status == .created)
            let token = try #require(free.list.first?["token"] as? String)
            #expect(free.list.first?["service_request_id"] == nil)
            let resolved = try await client.open311(.get, "\(Self.base)/tokens/\(token).json")
            let freeID = try #require(resolved.list.first?["service_request_id"] as? Int)
            #expect(resolved.list.first?["token"] as? String == token)
            let freeCase = try await client.get("/api/v1/cases/\(freeID)")
            #expect(((freeCase["classification"] as? [String: Any])?["suggestions"] as? [[String: Any]])?.first?["code"] as? String == "01037")
            let tokenx = try #require(try await client.open311(.get, "\(Self.base)/tokens/\(token).xml").xml)
            #expect(tokenx.child("request")?.childNames == ["service_request_id", "token"])

            // Status changes, as FixMyStreet follows them.
            _ = try await client.post("/api/v1/cases/\(id)/register")
            let updates = try await client.open311(.get, "\(Self.base)/servicerequestupdates.json")
            let mine = updates.list.filter { $0["service_request_id"] as? Int == id }
            #expect(mine.count >= 2)
            #expect(mine.allSatisfy { $0["status"] as? String == "open" && ($0["update_id"] as? String)?.hasPrefix("\(id)-") == true })
            let ux = try #require(try await client.open311(.get, "\(Self.base)/servicerequestupdates.xml").xml)
            #expect(ux.name == "service_request_updates")
            #expect(ux.child("request_update")?.childNames == ["update_id", "service_request_id", "status", "external_status_code",
                                                              "updated_datetime", "description", "media_url"])
        }
    }
}
