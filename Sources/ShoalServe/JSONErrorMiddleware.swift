import Hummingbird
import ShoalKit

/// Errors as `{"error": "..."}`: an unknown path (404), and 500 for a
/// journal that cannot be read (its `ShoalError`, passwords redacted), where
/// Hummingbird alone would answer an empty 500.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such path: \(request.uri.path)" : error.status.reasonPhrase)
            return ServeResponse.error(error.status, message, headers: error.headers)
        } catch let error as ShoalError {
            return ServeResponse.error(.internalServerError, error.description)
        }
    }
}
