import Foundation
import Testing
@testable import ShoalKit

/// Run ids (SPEC §11): `YYYYMMDDTHHMMSSZ-xxxx`, made at a run's start and
/// checked wherever a user types one.
@Suite struct RunIDTests {
    /// 2026-12-06 22:45:12.678 UTC.
    static let start = Date(timeIntervalSince1970: 1_796_597_112.678)

    @Test func anIdIsTheUTCStartSecondAndFourHexDigits() {
        #expect(RunID(startedAt: Self.start, suffix: 0x3f9a).description == "20261206T224512Z-3f9a")
        #expect(RunID(startedAt: Self.start, suffix: 0x000a).description == "20261206T224512Z-000a", "always four digits")
        #expect(RunID(startedAt: Self.start, suffix: 0xffff).description == "20261206T224512Z-ffff")
    }

    @Test func theStartReadsBackToTheSecond() throws {
        let id = try RunID(parsing: "20261206T224512Z-3f9a")
        #expect(id.startedAt == Date(timeIntervalSince1970: 1_796_597_112))
        #expect(RunID(startedAt: id.startedAt, suffix: 0x3f9a) == id)
    }

    @Test func newIdsDrawTheirDigits() {
        let ids = Set((0..<64).map { _ in RunID(startedAt: Self.start) })
        #expect(ids.count > 1, "64 ids of one second all the same: the suffix is not random")
        #expect(ids.allSatisfy { $0.description.hasPrefix("20261206T224512Z-") })
    }

    @Test func idsSortByStart() throws {
        let earlier = try RunID(parsing: "20261206T224512Z-ffff")
        let later = try RunID(parsing: "20261206T224513Z-0000")
        #expect(earlier < later)
        #expect([later, earlier].sorted() == [earlier, later])
    }

    @Test(arguments: ["", "latest", "20261206T224512Z", "20261206T224512Z-3F9A", "20261206T224512Z-3f9", "20261206T224512Z-3f9a0",
                      "20261206 224512Z-3f9a", "20261206T224512-3f9ab", "20261306T224512Z-3f9a", "20261206T254512Z-3f9a",
                      "2026-12-06T22:45:12Z-3f9a", "20261206T224512Z_3f9a", "20261206T224512Z-3f9g", "２0261206T224512Z-3f9a"])
    func anythingElseIsRefusedWithTheExpectedForm(_ text: String) {
        let error = #expect(throws: ShoalError.self) { try RunID(parsing: text) }
        #expect(error?.kind == .usage, "exit 2")
        #expect(error?.message.contains("`\(text)` is not a run id") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("YYYYMMDDTHHMMSSZ-xxxx") == true)
    }
}
