extension Sequence<UInt8> {
    /// The bytes as lowercase hex, two digits each (checksums, fingerprints).
    package var lowercaseHex: String {
        map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
