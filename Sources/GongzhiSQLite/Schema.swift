import GongzhiCore
import GRDB
import GongzhiStore
import GongzhiSQL

/// Ordered migrations. A migration, once released, is never edited: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-reference-and-cases") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

                CREATE TABLE categories (
                    code TEXT NOT NULL, kind TEXT NOT NULL, major_code TEXT NOT NULL, major_name TEXT NOT NULL,
                    name TEXT NOT NULL, local_deadline_hours REAL, local_department_type TEXT,
                    PRIMARY KEY (kind, code));

                CREATE TABLE units (
                    code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
                    parent_code TEXT REFERENCES units(code), department_type TEXT, area_code TEXT);

                -- The area hierarchy's codes and names. Geometry lives in versioned layers below.
                CREATE TABLE areas (
                    code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, level TEXT NOT NULL,
                    parent_code TEXT REFERENCES areas(code), approximate INTEGER NOT NULL DEFAULT 0);

                -- Each import of a level's polygons is a new layer version; the newest per level is
                -- in force. Old layers stay, so a case's recorded version can always be looked up.
                CREATE TABLE area_layers (
                    version INTEGER PRIMARY KEY AUTOINCREMENT, level TEXT NOT NULL, source TEXT NOT NULL,
                    imported_at INTEGER NOT NULL, feature_count INTEGER NOT NULL, approximate INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE area_shapes (
                    version INTEGER NOT NULL REFERENCES area_layers(version), code TEXT NOT NULL, name TEXT NOT NULL,
                    parent_code TEXT, geometry TEXT NOT NULL, PRIMARY KEY (version, code)) WITHOUT ROWID;

                CREATE TABLE cases (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tracking_code TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL,
                    source TEXT NOT NULL,
                    category TEXT,
                    description TEXT NOT NULL,
                    lat REAL, lon REAL, address TEXT,
                    reporter_name TEXT, reporter_phone TEXT,
                    external_id TEXT,
                    media_urls TEXT NOT NULL DEFAULT '[]',
                    unit TEXT,
                    district_code TEXT, street_code TEXT, community_code TEXT, grid_code TEXT, area_version INTEGER,
                    due_at INTEGER,
                    warn_at INTEGER,
                    warned INTEGER NOT NULL DEFAULT 0,
                    overdue_marked INTEGER NOT NULL DEFAULT 0,
                    rule_id TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    closed_at INTEGER,
                    rework_count INTEGER NOT NULL DEFAULT 0,
                    return_count INTEGER NOT NULL DEFAULT 0,
                    escalation_count INTEGER NOT NULL DEFAULT 0,
                    supervision_count INTEGER NOT NULL DEFAULT 0,
                    reopen_count INTEGER NOT NULL DEFAULT 0,
                    last_return_unit TEXT, last_return_reason TEXT,
                    event_count INTEGER NOT NULL,
                    last_hash TEXT NOT NULL);

                -- A retried submission from the same channel finds its case.
                CREATE UNIQUE INDEX cases_by_external_id ON cases(source, external_id) WHERE external_id IS NOT NULL;
                -- Each list filter has an index ending in the sort key, so a page is an index range scan.
                CREATE INDEX cases_by_created ON cases(created_at, id);
                CREATE INDEX cases_by_status ON cases(status, created_at, id);
                CREATE INDEX cases_by_category ON cases(category, created_at, id);
                CREATE INDEX cases_by_unit ON cases(unit, created_at, id);
                CREATE INDEX cases_by_source ON cases(source, created_at, id);
                CREATE INDEX cases_by_street ON cases(street_code, created_at, id);
                CREATE INDEX cases_by_community ON cases(community_code, created_at, id);
                CREATE INDEX cases_by_grid ON cases(grid_code, created_at, id);
                -- Time left (sort) and overdue (filter) over the cases whose unit's clock runs.
                CREATE INDEX cases_by_deadline ON cases(status, due_at, id);
                -- The scheduler's sweeps: only cases still to be marked are in these indexes.
                CREATE INDEX cases_warn_pending ON cases(warn_at) WHERE status = 'dispatched' AND warned = 0;
                CREATE INDEX cases_overdue_pending ON cases(due_at) WHERE status = 'dispatched' AND overdue_marked = 0;

                CREATE TABLE case_events (
                    case_id INTEGER NOT NULL REFERENCES cases(id),
                    seq INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    actor_unit TEXT,
                    at INTEGER NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    PRIMARY KEY (case_id, seq)) WITHOUT ROWID;

                -- The history is append-only. Someone with file access can drop these triggers;
                -- the hash chain (gongzhi verify) is what detects that.
                CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events
                BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
                CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events
                BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
                """)
        }
        m.registerMigration("v2-accounts-and-audit") { db in
            try db.execute(sql: """
                CREATE TABLE users (
                    username TEXT PRIMARY KEY NOT NULL, display_name TEXT NOT NULL, role TEXT NOT NULL,
                    unit TEXT NOT NULL REFERENCES units(code), password_hash TEXT NOT NULL,
                    disabled INTEGER NOT NULL DEFAULT 0, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until INTEGER,
                    created_at INTEGER NOT NULL, password_changed_at INTEGER NOT NULL);

                -- Keys and tokens are stored as SHA-256 of their secret: they are long random values,
                -- so a fast hash suffices, and a leaked database does not leak working credentials.
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
                    unit TEXT NOT NULL REFERENCES units(code), secret_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);

                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY NOT NULL, username TEXT NOT NULL REFERENCES users(username),
                    kind TEXT NOT NULL, csrf TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
                CREATE INDEX tokens_by_user ON tokens(username);

                -- Every unmasked read of a personal field.
                CREATE TABLE access_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,
                    case_id INTEGER NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL);

                -- Logins, failed logins, key use, account and role changes, exports: hash-chained.
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);

                CREATE TRIGGER access_log_append_only_update BEFORE UPDATE ON access_log
                BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
                CREATE TRIGGER access_log_append_only_delete BEFORE DELETE ON access_log
                BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        m.registerMigration("v3-disputed") { db in
            // Disputed ownership becomes a property of the case (it was only flagged on the event).
            try db.execute(sql: """
                ALTER TABLE cases ADD COLUMN disputed INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX cases_disputed ON cases(created_at, id) WHERE disputed = 1;
                """)
            // Existing cases get the value their history gives: a dispute needs two returns.
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM cases WHERE return_count >= 2")
            for id in ids {
                let rows = try SQLiteSession(db: db).query("SELECT * FROM case_events WHERE case_id = ? ORDER BY seq", [.int(id)])
                let events = try rows.map(CaseRows.event)
                if CaseMachine.replay(events)?.disputed == true {
                    try db.execute(sql: "UPDATE cases SET disputed = 1 WHERE id = ?", arguments: [id])
                }
            }
        }
        m.registerMigration("v4-intake") { db in
            try db.execute(sql: Self.v4)
        }
        m.registerMigration("v5-login-attempts") { db in
            // Login attempts per source address, in the database so every instance counts them.
            try db.execute(sql: """
                CREATE TABLE login_attempts (address TEXT NOT NULL, at INTEGER NOT NULL);
                CREATE INDEX login_attempts_by_address ON login_attempts(address, at);
                """)
        }
        m.registerMigration("v6-report-extra") { db in
            // The report's later fields (classification, attributes, Open311's personal ids), as JSON;
            // events by time, for the status-change feed.
            try db.execute(sql: """
                ALTER TABLE cases ADD COLUMN report_extra TEXT;
                ALTER TABLE reports ADD COLUMN report_extra TEXT;
                CREATE INDEX case_events_by_time ON case_events(at);
                """)
        }
        m.registerMigration("v7-accepted") { db in
            // The holder's acceptance (签收); a unit's open cases by deadline, for its worklist.
            try db.execute(sql: """
                ALTER TABLE cases ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX cases_by_unit_deadline ON cases(unit, status, due_at, id);
                """)
        }
        m.registerMigration("v8-statistics") { db in
            // The resident's verdict; each case's facts and their daily sums (filled by
            // `Statistics.rebuild` on first start, then kept in each event's transaction).
            try db.execute(sql: "ALTER TABLE cases ADD COLUMN satisfaction TEXT")
            for statement in FactRows.ddl(integer: "INTEGER", text: "TEXT", withoutRowID: " WITHOUT ROWID") { try db.execute(sql: statement) }
        }
        m.registerMigration("v9-plans") { db in
            // Work plans: each plan's file, the chain of its changes, and what they reported.
            for statement in SQLPlanStore.ddl(integer: "INTEGER", text: "TEXT", real: "REAL") { try db.execute(sql: statement) }
            try db.execute(sql: """
                CREATE TRIGGER plan_events_append_only_update BEFORE UPDATE ON plan_events
                BEGIN SELECT RAISE(ABORT, 'plan_events is append-only'); END;
                CREATE TRIGGER plan_events_append_only_delete BEFORE DELETE ON plan_events
                BEGIN SELECT RAISE(ABORT, 'plan_events is append-only'); END;
                """)
        }
        m.registerMigration("v10-list-indexes") { db in
            // The status in the street's and the unit's list indexes (see `CaseListSQL.statusIndexes`).
            try db.execute(sql: CaseListSQL.statusIndexes)
        }
        m.registerMigration("v11-centre") { db in
            // The dispute and petition centre: matters, their chains, campaigns, the risk list.
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLCentreStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
            try db.execute(sql: """
                CREATE TRIGGER centre_events_append_only_update BEFORE UPDATE ON centre_events
                BEGIN SELECT RAISE(ABORT, 'centre_events is append-only'); END;
                CREATE TRIGGER centre_events_append_only_delete BEFORE DELETE ON centre_events
                BEGIN SELECT RAISE(ABORT, 'centre_events is append-only'); END;
                """)
        }
        m.registerMigration("v12-enterprises") { db in
            // The enterprise registry (亲清在线): enterprises, their commissioners, the visit log.
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLEnterpriseStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
        }
        m.registerMigration("v13-policies") { db in
            // Support policies, their applications, review steps and the payment ledger (惠企政策兑现).
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLPolicyStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
            // The review's steps and the ledger are never rewritten: a correction is a new step.
            for table in ["policy_steps", "policy_payments"] {
                for verb in ["UPDATE", "DELETE"] {
                    try db.execute(sql: "CREATE TRIGGER \(table)_append_only_\(verb.lowercased()) BEFORE \(verb) ON \(table) "
                                   + "BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END")
                }
            }
        }
        m.registerMigration("v14-key-population") { db in
            // The key-population list (重点人群动态清单) and its daily follow-ups.
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLKeyPopulationStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
        }
        m.registerMigration("v15-joint-tasks") { db in
            // The parts of joint cases (联合执法), one per unit.
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLJointTaskStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
        }
        m.registerMigration("v16-inspection-rounds") { db in
            // Joint inspection rounds (拉网式排查) and their sweeps.
            let serial = "INTEGER PRIMARY KEY AUTOINCREMENT"
            for statement in SQLInspectionStore.ddl(integer: "INTEGER", text: "TEXT", serial: serial) { try db.execute(sql: statement) }
        }
        return m
    }

    /// Reports as rows of their own (a case gathers many), cameras, merchants, the
    /// co-governance branch's fields, merchant notices and the outbox.
    static let v4 = """
        ALTER TABLE cases ADD COLUMN camera_id TEXT;
        ALTER TABLE cases ADD COLUMN observed_at INTEGER;
        ALTER TABLE cases ADD COLUMN confidence REAL;
        ALTER TABLE cases ADD COLUMN scenario TEXT;
        ALTER TABLE cases ADD COLUMN merchant_id TEXT;
        ALTER TABLE cases ADD COLUMN merchant_confirmed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cases ADD COLUMN self_corrected INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cases ADD COLUMN merged_into INTEGER;
        -- Kept from the reports list, not from the events (verify checks it against the list).
        ALTER TABLE cases ADD COLUMN report_sources TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE cases ADD COLUMN last_report_at INTEGER;
        -- Detections since the last summary event, and when that was.
        ALTER TABLE cases ADD COLUMN pending_detections INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cases ADD COLUMN pending_first_at INTEGER;
        ALTER TABLE cases ADD COLUMN last_summary_at INTEGER;
        UPDATE cases SET report_sources = '{"' || source || '":1}', last_report_at = created_at;

        -- Every report, detection and dropped weak detection: what it was and what became of it.
        -- (source, external_id) makes a retry find what the first attempt did.
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id INTEGER REFERENCES cases(id),
            original_case_id INTEGER,
            source TEXT NOT NULL, external_id TEXT, camera_id TEXT, category TEXT, state TEXT,
            outcome TEXT NOT NULL, received_at INTEGER NOT NULL, observed_at INTEGER, confidence REAL,
            lat REAL, lon REAL, address TEXT, description TEXT NOT NULL,
            reporter_name TEXT, reporter_phone TEXT, media_urls TEXT NOT NULL DEFAULT '[]');
        CREATE UNIQUE INDEX reports_by_external_id ON reports(source, external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX reports_by_case ON reports(case_id, id);
        CREATE INDEX reports_dropped ON reports(camera_id, category) WHERE outcome = 'dropped';
        INSERT INTO reports (case_id, original_case_id, source, external_id, category, outcome, received_at, lat, lon, address,
                             description, reporter_name, reporter_phone, media_urls)
            SELECT id, id, source, external_id, category, 'opened', created_at, lat, lon, address, description, reporter_name,
                   reporter_phone, media_urls FROM cases ORDER BY id;

        -- De-duplication: the open case of a camera and category, and open cases of a category by place.
        CREATE INDEX cases_open_by_camera ON cases(camera_id, category)
            WHERE camera_id IS NOT NULL AND status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified');
        CREATE INDEX cases_open_by_place ON cases(category, lat)
            WHERE status IN ('reported', 'registered', 'dispatched', 'self_correcting', 'handled', 'verified');
        -- The scheduler: merchants' deadlines.
        CREATE INDEX cases_self_correction_due ON cases(due_at) WHERE status = 'self_correcting';

        CREATE TABLE cameras (
            id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
            district_code TEXT, street_code TEXT, community_code TEXT, grid_code TEXT, area_version INTEGER,
            categories TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, updated_at INTEGER NOT NULL);
        CREATE TABLE merchants (
            id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, contact_name TEXT, contact_phone TEXT, address TEXT,
            lat REAL NOT NULL, lon REAL NOT NULL, street_code TEXT, grid_code TEXT, updated_at INTEGER NOT NULL);
        CREATE INDEX merchants_by_place ON merchants(lat, lon);
        CREATE TABLE merchant_cameras (
            merchant_id TEXT NOT NULL REFERENCES merchants(id), camera_id TEXT NOT NULL,
            PRIMARY KEY (camera_id, merchant_id)) WITHOUT ROWID;

        -- A merchant's notice: the secret in its link, stored hashed.
        CREATE TABLE notices (
            token_hash TEXT PRIMARY KEY NOT NULL, case_id INTEGER NOT NULL REFERENCES cases(id), merchant_id TEXT NOT NULL,
            created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, confirmed_at INTEGER);

        -- Messages to send, written in the transaction of the event that causes them: one per
        -- (case, event, recipient), so none is lost by a crash and none is made twice.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER NOT NULL, event_seq INTEGER NOT NULL, kind TEXT NOT NULL,
            recipient TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
            last_error TEXT, sent_at INTEGER, lease_until INTEGER);
        CREATE UNIQUE INDEX outbox_once ON outbox(case_id, event_seq, recipient);
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'pending';
        CREATE TABLE outbox_attempts (
            outbox_id INTEGER NOT NULL REFERENCES outbox(id), at INTEGER NOT NULL, ok INTEGER NOT NULL,
            status_code INTEGER, error TEXT);
        """
}
