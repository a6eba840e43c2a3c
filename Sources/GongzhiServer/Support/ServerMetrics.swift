import GongzhiCore
import Hummingbird
import Metrics
import NIOCore
import Prometheus

/// The process's metrics, in Prometheus's text format at `GET /metrics`: requests by route,
/// method and status with their durations (Hummingbird's `MetricsMiddleware`), reports by
/// channel and outcome, the group commit's batch sizes and queue depth (`GroupCommitter`),
/// the timer sweep and the outbox (`BackgroundServices`), the database's waits (`PoolWaits`).
///
/// swift-metrics takes one factory per process, and a metric made before it is set stays a
/// no-op: so the factory is set when the first `GongzhiServices` is made, before the intake's.
public enum ServerMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Request durations: 1 ms to 10 s, where a district's pages and API live.
        factory.defaultDurationHistogramBuckets = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                   .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                                   .seconds(1), .seconds(2.5), .seconds(10)]
        factory.valueHistogramBuckets["gongzhi_intake_batch_reports"] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Sets the factory (once; later calls do nothing).
    public static func bootstrap() { _ = registry }

    /// The exposition text.
    static func text() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return buffer
    }

    /// Auditors and admins may read the metrics (a key made for the scraper with role auditor).
    static func response(for p: Principal) throws -> Response {
        guard p.role == .auditor || p.role == .admin else {
            throw APIError(.forbidden, code: "forbidden", message: "metrics are for auditor and admin keys (make one for the scraper)")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: text())))
    }
}
