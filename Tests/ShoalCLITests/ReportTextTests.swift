import Foundation
import Testing

/// What the text and JSON reports say in the corners: a target whose
/// revision could not be read, one target or many, targets that never started.
@Suite("report text: unknown revisions, plurals, skipped targets")
struct ReportTextTests {
    @Test(arguments: Backend.allCases)
    func summariesSayOneTargetAndTwoTargets(_ backend: Backend) async throws {
        try await AppFleet.with(backend) { fleet async throws in
            let one = try await fleet.shoal("upgrade", "--tenant", "acme")
            #expect(one.stdout.contains("1 target: 1 ok, 0 failed, 0 skipped in "), "\(one.stdout)")
            let verifyOne = try await fleet.shoal("verify", "--tenant", "acme")
            #expect(verifyOne.status == 0, "\(verifyOne.stderr)")
            #expect(verifyOne.stdout.hasSuffix("1 target: 1 ok, 0 with problems\n"), "\(verifyOne.stdout)")
            let verifyAll = try await fleet.shoal("verify")
            #expect(verifyAll.stdout.hasSuffix("3 targets: 3 ok, 0 with problems\n"), "\(verifyAll.stdout)")
            let statusOne = try await fleet.shoal("status", "--tenant", "acme")
            #expect(statusOne.stdout.hasSuffix("1 target: 1 up-to-date\n"), "\(statusOne.stdout)")
            let statusAll = try await fleet.shoal("status")
            #expect(statusAll.stdout.hasSuffix("3 targets: 2 uninitialized, 1 up-to-date\n"), "\(statusAll.stdout)")
        }
    }
}
