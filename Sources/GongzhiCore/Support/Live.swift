import Synchronization

/// A value that is replaced as a whole while others read it: the routing rules and area
/// data, which reload on SIGHUP without a restart. Readers get a consistent snapshot.
public final class Live<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ value: Value) { self.value = Mutex(value) }

    public var current: Value { value.withLock { $0 } }

    public func replace(_ newValue: Value) { value.withLock { $0 = newValue } }

    public func update(_ change: (inout Value) -> Void) { value.withLock { change(&$0) } }
}
