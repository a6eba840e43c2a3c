import Foundation
import GongzhiCore
import GongzhiSQL

/// The schema on PostgreSQL: the same tables and columns as on SQLite (so the shared statements
/// run on both), in PostgreSQL's types. Identifiers and codes are `code` (text compared
/// byte-wise, as SQLite compares), so ordering and prefix ranges agree with SQLite whatever the
/// database's locale. Migrations are applied in order, each once, in one transaction under an
/// advisory lock, so instances starting together do not race.
enum PostgresSchema {
    /// Ordered migrations. A migration, once released, is never edited: add a new one.
    static let migrations: [(id: String, statements: [String])] = [
        ("v1", v1),
        // The report's later fields (classification, attributes, Open311's personal ids), as JSON;
        // events by time, for the status-change feed.
        ("v2-report-extra", ["ALTER TABLE cases ADD COLUMN report_extra TEXT", "ALTER TABLE reports ADD COLUMN report_extra TEXT",
                             "CREATE INDEX case_events_by_time ON case_events(at)"]),
        // The holder's acceptance (签收); a unit's open cases by deadline, for its worklist.
        ("v3-accepted", ["ALTER TABLE cases ADD COLUMN accepted BOOLEAN NOT NULL DEFAULT FALSE",
                         "CREATE INDEX cases_by_unit_deadline ON cases(unit, status, due_at, id)"]),
        // The resident's verdict; each case's facts and their daily sums (see the SQLite schema's v8).
        ("v4-statistics", ["ALTER TABLE cases ADD COLUMN satisfaction code"] + FactRows.ddl(integer: "BIGINT", text: "code", withoutRowID: "")),
        // Work plans (see the SQLite schema's v9).
        ("v5-plans", SQLPlanStore.ddl(integer: "BIGINT", text: "code", real: "DOUBLE PRECISION") + appendOnly("plan_events")),
        // The status in the street's and the unit's index (see the SQLite schema's v10).
        ("v6-list-indexes", CaseListSQL.statusIndexes.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }),
        // The dispute and petition centre (see the SQLite schema's v11).
        ("v7-centre", SQLCentreStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY") + appendOnly("centre_events")),
        // The enterprise registry (see the SQLite schema's v12).
        ("v8-enterprises", SQLEnterpriseStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY")),
        // Support policies and the payment ledger (see the SQLite schema's v13).
        ("v9-policies", SQLPolicyStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY") + appendOnly("policy_steps")
            + appendOnly("policy_payments")),
        // The key-population list (see the SQLite schema's v14).
        ("v10-key-population", SQLKeyPopulationStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY")),
        // The parts of joint cases (see the SQLite schema's v15).
        ("v11-joint-tasks", SQLJointTaskStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY")),
        // Joint inspection rounds (see the SQLite schema's v16).
        ("v12-inspection-rounds", SQLInspectionStore.ddl(integer: "BIGINT", text: "code", serial: "BIGSERIAL PRIMARY KEY")),
    ]

    static func migrate(_ db: PostgresDatabase, schema: String?) async throws {
        try await db.write { s in
            try s.lock("gongzhi.migrations")
            // The name was checked to be a plain identifier (see `PostgresURL`).
            if let schema { try s.execute("CREATE SCHEMA IF NOT EXISTS \(schema)", []) }
            try s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)", [])
            let applied = Set(try s.query("SELECT id FROM schema_migrations", []).map { $0[0] as String })
            for m in migrations where !applied.contains(m.id) {
                for statement in m.statements { try s.execute(statement, []) }
                try s.execute("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", m.id, Timestamp.millis(Date()))
            }
        }
    }

    static let openStatuses = "('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified')"

    /// Rejects changes to an append-only table.
    static func appendOnly(_ table: String) -> [String] {
        [
            "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION gongzhi_append_only()",
        ]
    }

    static let v1: [String] = [
        // Text compared byte-wise, like SQLite's default.
        #"CREATE DOMAIN code AS TEXT COLLATE "C""#,
        """
        CREATE FUNCTION gongzhi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
        """,
        "CREATE TABLE meta (key code PRIMARY KEY, value TEXT NOT NULL)",
        """
        CREATE TABLE categories (
            code code NOT NULL, kind code NOT NULL, major_code code NOT NULL, major_name TEXT NOT NULL, name TEXT NOT NULL,
            local_deadline_hours DOUBLE PRECISION, local_department_type code, PRIMARY KEY (kind, code))
        """,
        """
        CREATE TABLE units (
            code code PRIMARY KEY, name TEXT NOT NULL, kind code NOT NULL, parent_code code REFERENCES units(code),
            department_type code, area_code code)
        """,
        """
        CREATE TABLE areas (
            code code PRIMARY KEY, name TEXT NOT NULL, level code NOT NULL, parent_code code REFERENCES areas(code),
            approximate BOOLEAN NOT NULL DEFAULT FALSE)
        """,
        """
        CREATE TABLE area_layers (
            version BIGSERIAL PRIMARY KEY, level code NOT NULL, source TEXT NOT NULL, imported_at BIGINT NOT NULL,
            feature_count BIGINT NOT NULL, approximate BOOLEAN NOT NULL DEFAULT FALSE)
        """,
        """
        CREATE TABLE area_shapes (
            version BIGINT NOT NULL REFERENCES area_layers(version), code code NOT NULL, name TEXT NOT NULL, parent_code code,
            geometry TEXT NOT NULL, PRIMARY KEY (version, code))
        """,
        // Case ids are handed out without gaps (a counter row, locked until commit, not a
        // sequence, which a rolled-back transaction skips): a missing id is a deleted case.
        "CREATE TABLE id_counters (name code PRIMARY KEY, last BIGINT NOT NULL)",
        "INSERT INTO id_counters (name, last) VALUES ('cases', 0)",
        """
        CREATE TABLE cases (
            id BIGINT PRIMARY KEY, tracking_code code NOT NULL UNIQUE, status code NOT NULL, source code NOT NULL, category code,
            description TEXT NOT NULL, lat DOUBLE PRECISION, lon DOUBLE PRECISION, address TEXT, reporter_name TEXT, reporter_phone TEXT,
            external_id code, media_urls TEXT NOT NULL DEFAULT '[]', unit code,
            district_code code, street_code code, community_code code, grid_code code, area_version BIGINT,
            due_at BIGINT, warn_at BIGINT, warned BOOLEAN NOT NULL DEFAULT FALSE, overdue_marked BOOLEAN NOT NULL DEFAULT FALSE,
            rule_id code, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, closed_at BIGINT,
            rework_count BIGINT NOT NULL DEFAULT 0, return_count BIGINT NOT NULL DEFAULT 0, escalation_count BIGINT NOT NULL DEFAULT 0,
            supervision_count BIGINT NOT NULL DEFAULT 0, reopen_count BIGINT NOT NULL DEFAULT 0,
            last_return_unit code, last_return_reason TEXT, event_count BIGINT NOT NULL, last_hash TEXT NOT NULL,
            disputed BOOLEAN NOT NULL DEFAULT FALSE,
            camera_id code, observed_at BIGINT, confidence DOUBLE PRECISION, scenario code, merchant_id code,
            merchant_confirmed BOOLEAN NOT NULL DEFAULT FALSE, self_corrected BOOLEAN NOT NULL DEFAULT FALSE, merged_into BIGINT,
            report_sources TEXT NOT NULL DEFAULT '{}', last_report_at BIGINT,
            pending_detections BIGINT NOT NULL DEFAULT 0, pending_first_at BIGINT, last_summary_at BIGINT)
        """,
        "CREATE UNIQUE INDEX cases_by_external_id ON cases(source, external_id) WHERE external_id IS NOT NULL",
        "CREATE INDEX cases_by_created ON cases(created_at, id)",
        "CREATE INDEX cases_by_status ON cases(status, created_at, id)",
        "CREATE INDEX cases_by_category ON cases(category, created_at, id)",
        "CREATE INDEX cases_by_unit ON cases(unit, created_at, id)",
        "CREATE INDEX cases_by_source ON cases(source, created_at, id)",
        "CREATE INDEX cases_by_street ON cases(street_code, created_at, id)",
        "CREATE INDEX cases_by_community ON cases(community_code, created_at, id)",
        "CREATE INDEX cases_by_grid ON cases(grid_code, created_at, id)",
        "CREATE INDEX cases_by_deadline ON cases(status, due_at, id)",
        "CREATE INDEX cases_warn_pending ON cases(warn_at) WHERE status = 'dispatched' AND NOT warned",
        "CREATE INDEX cases_overdue_pending ON cases(due_at) WHERE status = 'dispatched' AND NOT overdue_marked",
        "CREATE INDEX cases_self_correction_due ON cases(due_at) WHERE status = 'self_correcting'",
        "CREATE INDEX cases_disputed ON cases(created_at, id) WHERE disputed",
        "CREATE INDEX cases_open_by_camera ON cases(camera_id, category) WHERE camera_id IS NOT NULL AND status IN \(openStatuses)",
        "CREATE INDEX cases_open_by_place ON cases(category, lat) WHERE status IN \(openStatuses)",
        """
        CREATE TABLE case_events (
            case_id BIGINT NOT NULL REFERENCES cases(id), seq BIGINT NOT NULL, action code NOT NULL, actor TEXT NOT NULL,
            actor_unit code, at BIGINT NOT NULL, from_status code, to_status code NOT NULL, payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (case_id, seq))
        """,
        """
        CREATE TABLE users (
            username code PRIMARY KEY, display_name TEXT NOT NULL, role code NOT NULL, unit code NOT NULL REFERENCES units(code),
            password_hash TEXT NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE, failed_logins BIGINT NOT NULL DEFAULT 0,
            locked_until BIGINT, created_at BIGINT NOT NULL, password_changed_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE api_keys (
            id code PRIMARY KEY, name TEXT NOT NULL, role code NOT NULL, unit code NOT NULL REFERENCES units(code),
            secret_hash TEXT NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT, revoked_at BIGINT)
        """,
        """
        CREATE TABLE tokens (
            hash code PRIMARY KEY, username code NOT NULL REFERENCES users(username), kind code NOT NULL, csrf TEXT,
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
        """,
        "CREATE INDEX tokens_by_user ON tokens(username)",
        "CREATE TABLE login_attempts (address code NOT NULL, at BIGINT NOT NULL)",
        "CREATE INDEX login_attempts_by_address ON login_attempts(address, at)",
        """
        CREATE TABLE access_log (
            id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, case_id BIGINT NOT NULL, field code NOT NULL,
            reason TEXT NOT NULL)
        """,
        """
        CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action code NOT NULL, detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
        """,
        """
        CREATE TABLE reports (
            id BIGSERIAL PRIMARY KEY, case_id BIGINT REFERENCES cases(id), original_case_id BIGINT,
            source code NOT NULL, external_id code, camera_id code, category code, state code,
            outcome code NOT NULL, received_at BIGINT NOT NULL, observed_at BIGINT, confidence DOUBLE PRECISION,
            lat DOUBLE PRECISION, lon DOUBLE PRECISION, address TEXT, description TEXT NOT NULL,
            reporter_name TEXT, reporter_phone TEXT, media_urls TEXT NOT NULL DEFAULT '[]')
        """,
        "CREATE UNIQUE INDEX reports_by_external_id ON reports(source, external_id) WHERE external_id IS NOT NULL",
        "CREATE INDEX reports_by_case ON reports(case_id, id)",
        "CREATE INDEX reports_dropped ON reports(camera_id, category) WHERE outcome = 'dropped'",
        """
        CREATE TABLE cameras (
            id code PRIMARY KEY, name TEXT NOT NULL, lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL,
            district_code code, street_code code, community_code code, grid_code code, area_version BIGINT,
            categories TEXT NOT NULL, active BOOLEAN NOT NULL DEFAULT TRUE, updated_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE merchants (
            id code PRIMARY KEY, name TEXT NOT NULL, contact_name TEXT, contact_phone TEXT, address TEXT,
            lat DOUBLE PRECISION NOT NULL, lon DOUBLE PRECISION NOT NULL, street_code code, grid_code code, updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX merchants_by_place ON merchants(lat, lon)",
        """
        CREATE TABLE merchant_cameras (
            merchant_id code NOT NULL REFERENCES merchants(id), camera_id code NOT NULL, PRIMARY KEY (camera_id, merchant_id))
        """,
        """
        CREATE TABLE notices (
            token_hash code PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases(id), merchant_id code NOT NULL,
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, confirmed_at BIGINT)
        """,
        """
        CREATE TABLE outbox (
            id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL, event_seq BIGINT NOT NULL, kind code NOT NULL, recipient code NOT NULL,
            payload TEXT NOT NULL, created_at BIGINT NOT NULL, status code NOT NULL DEFAULT 'pending',
            attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL, last_error TEXT, sent_at BIGINT, lease_until BIGINT)
        """,
        "CREATE UNIQUE INDEX outbox_once ON outbox(case_id, event_seq, recipient)",
        "CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending'",
        """
        CREATE TABLE outbox_attempts (
            outbox_id BIGINT NOT NULL REFERENCES outbox(id), at BIGINT NOT NULL, ok BOOLEAN NOT NULL, status_code BIGINT, error TEXT)
        """,
    ] + appendOnly("case_events") + appendOnly("access_log") + appendOnly("audit_log")
}
