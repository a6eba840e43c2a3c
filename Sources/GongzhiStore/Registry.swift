import Foundation
import GongzhiCore

/// An AI camera of 城市眼: where it is, what it watches and which categories it detects.
public struct Camera: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var location: GeoPoint
    /// Where it is in the area hierarchy (located when registered).
    public var area: AreaPath?
    public var categories: [String]
    public var active: Bool

    public init(id: String, name: String, location: GeoPoint, area: AreaPath? = nil, categories: [String], active: Bool = true) {
        self.id = id
        self.name = name
        self.location = location
        self.area = area
        self.categories = categories
        self.active = active
    }
}

/// A shop or property owner that can be told to correct a problem at its frontage (云共治).
/// The contact is personal data: masked on output like a reporter.
public struct Merchant: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var contactName: String?
    public var contactPhone: String?
    public var address: String?
    public var location: GeoPoint
    public var area: AreaPath?
    /// The cameras that see its frontage.
    public var cameras: [String]

    public init(id: String, name: String, contactName: String? = nil, contactPhone: String? = nil, address: String? = nil,
                location: GeoPoint, area: AreaPath? = nil, cameras: [String] = []) {
        self.id = id
        self.name = name
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.address = address
        self.location = location
        self.area = area
        self.cameras = cameras
    }
}

/// Cameras and merchants. Saving replaces a registered item with the same id.
public protocol RegistryStore: Sendable {
    func cameras() async throws -> [Camera]
    func saveCameras(_ cameras: [Camera], by actor: String, at: Date) async throws
    func merchants() async throws -> [Merchant]
    func saveMerchants(_ merchants: [Merchant], by actor: String, at: Date) async throws
    /// Weak detections dropped, per camera and category.
    func drops() async throws -> [CameraDrops]
}

public struct CameraDrops: Sendable, Hashable {
    public var cameraID: String
    public var category: String
    public var count: Int

    public init(cameraID: String, category: String, count: Int) {
        self.cameraID = cameraID
        self.category = category
        self.count = count
    }
}
