import Foundation

/// Counters in `meta` that change with what every instance must reload (rules, area layers,
/// the camera registry): each instance watches them (see `Storage.reloadRevision`).
enum Revision {
    static func bump(_ key: String, _ db: any SQLSession) throws {
        try db.execute("""
            INSERT INTO meta (key, value) VALUES (?, '1')
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)
            """, key)
    }
}
