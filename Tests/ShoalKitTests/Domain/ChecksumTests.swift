import Testing
@testable import ShoalKit

struct ChecksumTests {
    // printf 'CREATE TABLE users (id integer primary key);\nINSERT INTO users VALUES (1);' | sha256sum
    static let knownSQL = "CREATE TABLE users (id integer primary key);\nINSERT INTO users VALUES (1);"
    static let knownDigest = "ac9a5c95c96d603f937fdb06071328844077560080bc522116c190662a3e0b92"

    @Test func matchesSha256sumOfTheNormalisedText() {
        #expect(Checksum.of(up: Self.knownSQL) == Self.knownDigest)
    }

    @Test func emptyUpIsTheDigestOfNothing() {
        // printf '' | sha256sum
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        #expect(Checksum.of(up: "") == empty)
        #expect(Checksum.of(up: "\n  \r\n\t\n") == empty)
    }

    @Test(arguments: [
        "CREATE TABLE users (id integer primary key);\r\nINSERT INTO users VALUES (1);",
        "CREATE TABLE users (id integer primary key);\rINSERT INTO users VALUES (1);\r",
        "CREATE TABLE users (id integer primary key);  \t\nINSERT INTO users VALUES (1); \n",
        "\n\n   \nCREATE TABLE users (id integer primary key);\nINSERT INTO users VALUES (1);\n\n\n",
        "\r\n\r\nCREATE TABLE users (id integer primary key);   \r\nINSERT INTO users VALUES (1);\t\r\n\r\n",
    ])
    func lineEndingsAndTrailingBlanksDoNotCount(_ variant: String) {
        #expect(Checksum.of(up: variant) == Self.knownDigest)
    }

    @Test(arguments: [
        "CREATE TABLE users (id bigint primary key);\nINSERT INTO users VALUES (1);",
        "CREATE TABLE users (id integer primary key);\n\nINSERT INTO users VALUES (1);",
        "  CREATE TABLE users (id integer primary key);\nINSERT INTO users VALUES (1);",
        "CREATE TABLE users (id integer primary key);\nINSERT INTO users VALUES (1); -- seed",
    ])
    func anyOtherChangeChangesTheChecksum(_ variant: String) {
        #expect(Checksum.of(up: variant) != Self.knownDigest)
    }

    @Test func isLowercaseHex() {
        let digest = Checksum.of(up: "SELECT 1;")
        #expect(digest.count == 64)
        #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
