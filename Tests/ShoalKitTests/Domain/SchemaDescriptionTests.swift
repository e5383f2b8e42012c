import Testing
@testable import ShoalKit

@Suite("SchemaDescription: lines, fingerprint, diff")
struct SchemaDescriptionTests {
    @Test func linesAreSortedAndUniqueSoOrderDoesNotMatter() {
        let a = SchemaDescription(lines: ["table {schema}.b", "table {schema}.a", "table {schema}.a"])
        let b = SchemaDescription(lines: ["table {schema}.a", "table {schema}.b"])
        #expect(a.lines == ["table {schema}.a", "table {schema}.b"])
        #expect(a == b)
        #expect(a.fingerprint == b.fingerprint)
    }

    @Test func fingerprintIsTwelveHexDigitsOfTheLinesSHA256() {
        // printf 'table {schema}.a\n' | sha256sum
        #expect(SchemaDescription(lines: ["table {schema}.a"]).fingerprint == "8e91189ca958")
        #expect(SchemaDescription(lines: []).fingerprint == "e3b0c44298fc")
        #expect(SchemaDescription(lines: ["table {schema}.a"]).fingerprint
                != SchemaDescription(lines: ["table {schema}.b"]).fingerprint)
    }

    @Test func diffListsWhatIsHereWithPlusAndWhatIsMissingWithMinus() {
        let reference = SchemaDescription(lines: ["column {schema}.users.email text", "table {schema}.users"])
        let target = SchemaDescription(lines: ["column {schema}.users.email text not null", "index {schema}.x CREATE INDEX x",
                                               "table {schema}.users"])
        #expect(target.diff(against: reference) == [
            "- column {schema}.users.email text",
            "+ column {schema}.users.email text not null",
            "+ index {schema}.x CREATE INDEX x",
        ])
        #expect(reference.diff(against: reference).isEmpty)
        #expect(SchemaDescription(lines: []).diff(against: reference) == reference.lines.map { "- " + $0 })
    }

    @Test func whitespaceIsNormalised() {
        #expect(SchemaDescription.normalisedWhitespace("  SELECT id,\n\t  email\nFROM users ") == "SELECT id, email FROM users")
    }

    @Test(arguments: [
        ("tenant_a.", "index tenant_a.x ON tenant_a.users (id)", "index {schema}.x ON {schema}.users (id)"),
        ("a.", "REFERENCES data.users(id) ON a.users", "REFERENCES data.users(id) ON {schema}.users"),
        ("\"Tenant B\".", "nextval('\"Tenant B\".seq'::regclass)", "nextval('{schema}.seq'::regclass)"),
        ("t.", "t.users t.x", "{schema}.users {schema}.x"),
        ("t.", "no schema here", "no schema here"),
    ])
    func theOwnSchemaIsWrittenAsPlaceholderOnlyWhereANameStarts(qualifier: String, line: String, expected: String) {
        #expect(SchemaPlaceholder.writing(qualifier, as: "{schema}.", in: line) == expected)
    }
}
