// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "gongzhi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gongzhi", targets: ["gongzhi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.7.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Pure domain: cases, events, state machine, reference data. Foundation only, no I/O.
        .target(name: "GongzhiCore"),
        // Geometry: coordinates, datum conversion, polygons.
        .target(name: "GongzhiGeo", dependencies: ["GongzhiCore"]),
        // What intake, the server and the CLI may ask of storage: protocols, value types and the
        // bundled reference data. No SQL dialect.
        .target(name: "GongzhiStore", dependencies: ["GongzhiCore", "GongzhiGeo"],
                resources: [.copy("Resources/reference"), .copy("Resources/plan")]),
        // The stores written once in the SQL both backends speak, over a synchronous session.
        .target(name: "GongzhiSQL", dependencies: [
            "GongzhiCore", "GongzhiGeo", "GongzhiStore",
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The embedded default store: SQLite through GRDB, in WAL mode with synchronous=FULL.
        .target(name: "GongzhiSQLite", dependencies: [
            "GongzhiCore", "GongzhiStore", "GongzhiSQL",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The PostgreSQL store, for several server instances on one database: PostgresNIO's
        // client, the same shared stores, PostgreSQL's schema.
        .target(name: "GongzhiPostgres", dependencies: [
            "GongzhiCore", "GongzhiStore", "GongzhiSQL",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // Free text to categories: character n-gram naive Bayes trained at start from the
        // labelled hotline calls the project ships.
        // Optimised in debug builds too: training at start takes about a second optimised and a
        // minute without, which every test server and `swift run` would wait for.
        .target(name: "GongzhiClassifier", dependencies: ["GongzhiCore"], resources: [.copy("Resources/hotline")],
                swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The one intake every channel uses: normalise, validate, locate, classify, de-duplicate,
        // route, store (group commit). Knows the store's protocols, not HTTP and not SQL.
        .target(name: "GongzhiIntake", dependencies: [
            "GongzhiCore", "GongzhiGeo", "GongzhiStore", .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The Gongshu demo: cameras and merchants in real streets, realistic cases from every
        // channel through the one intake, walked through the loop.
        .target(name: "GongzhiDemo", dependencies: ["GongzhiCore", "GongzhiGeo", "GongzhiStore", "GongzhiIntake"]),
        // Delivery of the outbox: a worker that leases due messages and sends them through an
        // adapter (a signed webhook, or the log), with retries and back-off.
        .target(name: "GongzhiNotify", dependencies: [
            "GongzhiCore", "GongzhiStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // HTTP: JSON API v1, OpenAPI document.
        .target(name: "GongzhiServer", dependencies: [
            "GongzhiCore", "GongzhiGeo", "GongzhiStore", "GongzhiIntake", "GongzhiNotify",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.copy("Resources/openapi.json"), .copy("Resources/web")]),
        .executableTarget(name: "gongzhi", dependencies: [
            "GongzhiCore", "GongzhiGeo", "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiPostgres", "GongzhiIntake", "GongzhiNotify",
            "GongzhiServer", "GongzhiDemo", "GongzhiClassifier",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The readers of untrusted input under libFuzzer (scripts/fuzz); without FUZZING it replays inputs from files.
        .executableTarget(name: "gongzhi-fuzz", dependencies: ["GongzhiCore", "GongzhiGeo"]),
        // What the suites share: the backends a test runs on, each with a database of its own.
        .target(name: "GongzhiTestSupport", dependencies: [
            "GongzhiSQL", "GongzhiSQLite", "GongzhiPostgres",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Tests/GongzhiTestSupport"),
        .testTarget(name: "GongzhiCoreTests", dependencies: ["GongzhiCore"]),
        .testTarget(name: "GongzhiClassifierTests", dependencies: ["GongzhiClassifier", "GongzhiCore", "GongzhiStore"]),
        .testTarget(name: "GongzhiGeoTests", dependencies: ["GongzhiGeo", "GongzhiCore"]),
        .testTarget(name: "GongzhiStoreTests", dependencies: [
            "GongzhiTestSupport", "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiPostgres", "GongzhiDemo", "GongzhiIntake", "GongzhiCore",
            "GongzhiGeo",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "GongzhiIntakeTests", dependencies: [
            "GongzhiTestSupport", "GongzhiIntake", "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiCore", "GongzhiGeo",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "GongzhiNotifyTests", dependencies: [
            "GongzhiTestSupport", "GongzhiNotify", "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "GongzhiServerTests", dependencies: [
            "GongzhiTestSupport", "GongzhiServer", "GongzhiClassifier",
            "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiIntake", "GongzhiCore", "GongzhiGeo",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),
        .testTarget(name: "gongzhiTests", dependencies: [
            "GongzhiTestSupport", "gongzhi", "GongzhiStore", "GongzhiSQL", "GongzhiSQLite", "GongzhiIntake",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
