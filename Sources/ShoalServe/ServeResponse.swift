import Foundation
import HTTPTypes
import Hummingbird
import ShoalKit

/// The responses `shoal serve` writes: JSON documents (`ShoalJSON`), its
/// own headers, and errors as `{"error": "..."}`.
enum ServeResponse {
    /// When the data served was read (ISO 8601 UTC, milliseconds).
    static let readAt = HTTPField.Name("Shoal-Read-At")!
    /// Why the newest read failed, when older data is served (one line, no password).
    static let readError = HTTPField.Name("Shoal-Read-Error")!

    /// `value` as a JSON document.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        json(try ShoalJSON.encode(value), status: status, headers: headers)
    }

    /// An encoded JSON document.
    static func json(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": message}` with `status`.
    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        let data = (try? ShoalJSON.encode(["error": message])) ?? Data(#"{"error": "unknown error"}"#.utf8)
        return json(data, status: status, headers: headers)
    }

    /// `Shoal-Read-At` and `Last-Modified` of the snapshot served,
    /// `Shoal-Read-Error` when the newest read failed, and `Cache-Control:
    /// no-cache`: with a `Last-Modified` alone a browser may reuse a response
    /// without asking, and the live page would show old data.
    static func readHeaders(_ state: FleetSnapshotCache.State) -> HTTPFields {
        var headers: HTTPFields = [.cacheControl: "no-cache"]
        if let snapshot = state.snapshot {
            headers[readAt] = Timestamp.string(snapshot.readAt)
            headers[.lastModified] = httpDate(snapshot.readAt)
        }
        if let failure = state.failure { headers[readError] = failure.message }
        return headers
    }

    /// `Mon, 07 Dec 2026 10:08:06 GMT` (RFC 9110's IMF-fixdate).
    static func httpDate(_ date: Date) -> String {
        date.formatted(Date.VerbatimFormatStyle(
            format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
            locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }
}
