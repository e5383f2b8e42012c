import Testing
@testable import ShoalKit
