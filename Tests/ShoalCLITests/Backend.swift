import Testing

/// The driver an end-to-end scenario runs on. Scenarios that hold for every
/// driver take `@Test(arguments: Backend.allCases)` and build their fleet
/// with ``AppFleet/with(_:tenants:extraConfig:_:)``.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// One SQLite file per tenant: `tenants/app/{tenant}.sqlite`.
    case sqlite
    /// One schema per tenant (`tenant_{tenant}`) in a scratch database on the
    /// server of `SHOAL_TEST_PG_URL`.
    case postgres

    var testDescription: String { rawValue }
}
