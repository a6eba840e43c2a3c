import Foundation
import GongzhiCore
import GongzhiStore
import Synchronization

/// The case list's items as JSON text, kept between requests. A page of 50 cases cost about
/// 3 ms of CPU (BENCHMARKS.md, issue 11): decoding 50 columns a row, building the DTOs with
/// their names and masks, escaping the text. A case's text changes only when the case does, so
/// the cache keeps it by the case's revision (`CaseRevision`) and the version of the area
/// layers whose names it shows. The list then reads only ids and revisions, fetches the rows it
/// lacks, and writes for each request only what depends on the caller and the time: the
/// actions the caller may take and whether the case is overdue now.
///
/// Two generations stand in for least-recently-used: hits and new items go to the young one;
/// when it is full, it becomes the old one and the old one is dropped.
final class CaseItemCache: Sendable {
    /// A class, not a struct: a page passes 50 of them around, and each copy of a struct this
    /// size retained every string and array in it.
    final class Item: Sendable {
        let revision: CaseRevision
        let atlasVersion: Int64
        /// The case, for its allowed actions and whether it is overdue.
        let record: CaseRecord
        /// The text before `allowed_actions`, between it and `overdue`, and after `overdue`.
        let head: [UInt8], middle: [UInt8], tail: [UInt8]

        init(revision: CaseRevision, atlasVersion: Int64, record: CaseRecord, head: [UInt8], middle: [UInt8], tail: [UInt8]) {
            self.revision = revision
            self.atlasVersion = atlasVersion
            self.record = record
            self.head = head
            self.middle = middle
            self.tail = tail
        }
    }

    private struct Generations: Sendable {
        var young: [Int64: Item] = [:]
        var old: [Int64: Item] = [:]
    }

    private let generations = Mutex(Generations())
    /// Items per generation: at most twice as many are held, about 2 KB each.
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// The items held for these cases at these revisions, under the area layers in force.
    func items(_ wanted: [(id: Int64, revision: CaseRevision)], atlasVersion: Int64) -> [Int64: Item] {
        generations.withLock { g in
            var found: [Int64: Item] = [:]
            found.reserveCapacity(wanted.count)
            for (id, revision) in wanted {
                if let item = g.young[id], item.revision == revision, item.atlasVersion == atlasVersion {
                    found[id] = item
                } else if let item = g.old[id], item.revision == revision, item.atlasVersion == atlasVersion {
                    found[id] = item
                    Self.insert(item, into: &g, capacity: capacity)
                }
            }
            return found
        }
    }

    func store(_ items: [Item]) {
        generations.withLock { g in
            for item in items { Self.insert(item, into: &g, capacity: capacity) }
        }
    }

    /// How many items are held (for tests).
    var count: Int { generations.withLock { g in g.young.count + g.old.filter { g.young[$0.key] == nil }.count } }

    private static func insert(_ item: Item, into g: inout Generations, capacity: Int) {
        g.young[item.record.id] = item
        if g.young.count >= capacity {
            g.old = g.young
            g.young = [:]
        }
    }

    /// A case's text, but for what depends on the caller and the time.
    static func item(_ record: CaseRecord, revision: CaseRevision, services: GongzhiServices) -> Item {
        let dto = CaseDTO(record, services: services, now: .distantPast, allowed: [])
        var head = JSONWriter(capacity: 256)
        head.openObject()
        dto.writeHead(&head)
        var middle = JSONWriter.continuing()
        dto.writeMiddle(&middle)
        var tail = JSONWriter.continuing(capacity: 512)
        dto.writeTail(&tail)
        tail.closeObject()
        return Item(revision: revision, atlasVersion: services.atlas.current.version, record: record, head: head.bytes, middle: middle.bytes,
                    tail: tail.bytes)
    }
}

/// A cached case written for a caller at a time: the text `CaseDTO` writes for it.
struct CachedCaseJSON: JSONWritable {
    let item: CaseItemCache.Item
    let allowed: [CaseAction]
    let now: Date

    func write(json: inout JSONWriter) {
        json.raw(bytes: item.head)
        json.field("allowed_actions", allowed)
        json.raw(bytes: item.middle)
        json.field("overdue", CaseDTO.isOverdue(item.record, at: now))
        json.raw(bytes: item.tail)
    }
}

extension CaseAction: JSONWritable {
    func write(json: inout JSONWriter) { json.string(rawValue) }
}
