import Testing
@testable import ShoalKit

/// WAL positions as the server prints them, and the server key that lets
/// the targets of one replica server share a wait.
@Suite struct WALPositionTests {
    @Test func parsesTheServersTextFormAndPrintsItBack() throws {
        let position = try #require(WALPosition("16/B374D848"))
        #expect(position.offset == 0x16_B374_D848)
        #expect(position.description == "16/B374D848")
        #expect(WALPosition("0/0")?.offset == 0)
        #expect(WALPosition("FFFFFFFF/FFFFFFFF")?.offset == .max)
    }

    @Test(arguments: [nil, "", "0", "/1", "1/", "1/2/3", "g/1", "123456789/0", "0/-1", " 0/1"])
    func rejectsAnythingElse(text: String?) {
        #expect(WALPosition(text) == nil)
    }

    @Test func comparesAsByteOffsetsAcrossTheHighHalf() throws {
        let low = try #require(WALPosition("0/FFFFFFF0"))
        let high = try #require(WALPosition("1/10"))
        #expect(low < high)
        #expect(WALPosition.bytes(from: low, to: high) == 0x20)
        #expect(WALPosition.bytes(from: high, to: low) == 0, "a replica past the position is not behind")
        #expect(WALPosition.bytes(from: high, to: high) == 0)
    }

    @Test func serverKeyIgnoresOnlyTheDatabaseName() {
        let a = PostgresURL.serverKey(of: "postgres://app:pw@replica1:5433/tenant_acme")
        let b = PostgresURL.serverKey(of: "host=replica1 port=5433 user=app password=pw dbname=tenant_globex")
        #expect(a == b)
        #expect(a != PostgresURL.serverKey(of: "postgres://app:pw@replica1:5434/tenant_acme"))
        #expect(a != PostgresURL.serverKey(of: "postgres://other:pw@replica1:5433/tenant_acme"))
        #expect(!a.contains("tenant_"))
    }
}
