import Dispatch
import Foundation
import Testing
@testable import ShoalKit

/// The gate every libpq call passes, which lets the CLI exit only once no
/// thread is inside libpq. Each test has a gate of its own: closing the
/// shared one would hold every later PostgreSQL test.
@Suite struct LibPQActivityTests {
    @Test func aCallIsCountedWhileItRuns() {
        let gate = LibPQActivity()
        let during = gate.tracking { gate.callsInProgress }
        #expect(during == 1)
        #expect(gate.callsInProgress == 0)
        #expect(throws: ShoalError.self) { try gate.tracking { throw ShoalError(.database, "x") } }
        #expect(gate.callsInProgress == 0, "a call that throws has left too")
    }

    @Test func quiesceWaitsForTheCallsInsideAndSaysWhenOneDidNotReturn() async {
        let gate = LibPQActivity()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let left = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            gate.tracking {
                entered.signal()
                release.wait()
            }
            left.signal()
        }
        entered.wait()
        #expect(!gate.quiesce(waitingAtMost: .milliseconds(50)), "a call is still inside")
        release.signal()
        #expect(gate.quiesce(waitingAtMost: .seconds(60)), "returns once the call has left")
        left.wait()
        #expect(gate.callsInProgress == 0)
    }

    @Test func noCallStartsOnceTheGateIsClosed() async throws {
        let gate = LibPQActivity()
        #expect(gate.quiesce(waitingAtMost: .seconds(1)))
        let ran = Flag()
        // This thread stays held until the test process exits, as a
        // session's thread does while the CLI exits.
        Thread.detachNewThread {
            gate.tracking { ran.set() }
        }
        var held = 0
        for _ in 0..<6000 where held == 0 {
            held = gate.callsHeld
            if held == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(held == 1)
        #expect(!ran.isSet)
        #expect(gate.callsInProgress == 0)
        #expect(gate.quiesce(waitingAtMost: .milliseconds(1)), "a held call is not inside")
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}
