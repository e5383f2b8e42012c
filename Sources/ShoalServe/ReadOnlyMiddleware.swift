import Hummingbird

/// No request changes anything (SPEC §12): every method but GET and HEAD,
/// on any path, is answered 405 with `Allow: GET, HEAD`.
struct ReadOnlyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            return ServeResponse.error(.methodNotAllowed, "\(request.method) is not allowed: shoal serve is read-only",
                                       headers: [.allow: "GET, HEAD"])
        }
        return try await next(request, context)
    }
}
