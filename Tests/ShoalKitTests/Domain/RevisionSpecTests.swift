import Testing
@testable import ShoalKit

struct RevisionSpecTests {
    @Test(arguments: [
        ("head", RevisionSpec.head),
        ("heads", .heads),
        ("base", .base),
        ("+1", .relative(1)),
        ("+12", .relative(12)),
        ("-1", .relative(-1)),
        ("-3", .relative(-3)),
        ("5c1e", .revision("5c1e")),
        ("5c1e9a0b7f3d", .revision("5c1e9a0b7f3d")),
        ("add_users", .revision("add_users")),
        ("HEAD", .revision("HEAD")),
        ("0001", .revision("0001")),
    ])
    func parses(_ text: String, _ expected: RevisionSpec) throws {
        #expect(try RevisionSpec(parsing: text) == expected)
    }

    @Test(arguments: ["", "+0", "-0", "+x", "-", "+", "+-1", "+1.5", "+ 1", "abc-def", "a b", "5c1e:", "héad",
                      "+99999999999999999999999", String(repeating: "a", count: 65)])
    func rejects(_ text: String) {
        #expect(throws: ShoalError.self) { try RevisionSpec(parsing: text) }
        do {
            _ = try RevisionSpec(parsing: text)
        } catch let error as ShoalError {
            #expect(error.kind == .revision)
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: ["head", "heads", "base", "+2", "-2", "abcd1234"])
    func descriptionRoundTrips(_ text: String) throws {
        #expect(try RevisionSpec(parsing: text).description == text)
    }
}
