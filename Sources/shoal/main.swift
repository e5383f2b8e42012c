import ShoalKit
print("shoal \(shoalVersion)")
