import Foundation
import Testing
@testable import ShoalKit

@Suite struct ShoalErrorTests {
    @Test func neverHoldsAPassword() {
        var error = ShoalError(.database, "cannot reach postgres://u:s3cret@db/app", detail: "conninfo host=db password=s3cret",
                               hint: "check postgres://u:s3cret@db/app")
        #expect(error.message == "cannot reach postgres://u:***@db/app")
        #expect(error.detail == "conninfo host=db password=***")
        #expect(error.hint == "check postgres://u:***@db/app")
        error.message += " (retried postgres://v:hunter22@db2/app)"
        error.detail = "password='a b'"
        #expect(!error.description.contains("hunter22"))
        #expect(!error.description.contains("a b"))
    }

    /// The file an error names may come from a variable too (a tenant
    /// registry at `${TENANTS}`); it is redacted like the message, since
    /// stderr prints it.
    @Test func theFileItNamesHoldsNoPasswordEither() {
        var error = ShoalError(.config, "cannot read the registry", file: "postgres://u:s3cret@db/app", line: 2)
        #expect(error.file == "postgres://u:***@db/app")
        error.file = "x password=s3cret"
        #expect(!error.description.contains("s3cret"))
    }

    /// A config value filled from a variable holding a URL, quoted back in an error.
    @Test func configErrorsDoNotShowAPasswordFromTheEnvironment() throws {
        let environment = ["DB_URL": "postgres://app:s3cret@db.internal/app"]
        for entry in [#"{"driver": "${DB_URL}", "path": "x.sqlite"}"#,
                      #"{"driver": "postgres", "url": "${DB_URL}", "layout": "${DB_URL}", "tenants": "t.json"}"#,
                      #"{"driver": "sqlite", "path": "x.sqlite", "version_table": "${DB_URL}"}"#] {
            let error = try configFailure(configWith(entry), environment: environment)
            #expect(error.message.contains("postgres://app:***@db.internal/app"), "\(error)")
            #expect(!error.description.contains("s3cret"))
        }
    }
}
