import Foundation

/// How shoal writes an instant: ISO 8601 in UTC with milliseconds,
/// `2026-11-26T17:47:55.123Z`. History's `applied_at`, dirty marks,
/// journals' `started_at` and `finished_at`, `shoal serve`'s
/// `Shoal-Read-At` and the page's read time all have it.
package enum Timestamp {
    package static let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `date` (by default now) as shoal writes it.
    package static func string(_ date: Date = Date()) -> String {
        date.formatted(format)
    }
}
