import ShoalKit

/// The text form of replicas, one indented line each under a target's line.
enum ReplicaText {
    /// A target whose primary committed while its replicas are still waited
    /// for: `core  base -> cccc00000003  3 applied  64 ms  committed, waiting for core-replica`.
    /// Its full line, with the replicas' outcome, follows when the wait settles.
    static func committed(_ report: TargetReport, waitingFor replicas: [String], width: Int) -> String {
        var parts = [ReportText.padded(report.target, to: width)]
        parts.append("\(ReportText.revisions(report.from)) -> \(ReportText.revisions(report.to))")
        parts.append("\(report.applied.count) applied")
        parts.append("\(report.durationMs) ms")
        let waiting = replicas.isEmpty ? "replicas" : replicas.joined(separator: ", ")
        parts.append(Console.paint("committed", .green) + ", waiting for \(waiting)")
        return parts.joined(separator: "  ")
    }

    /// After a fan-out: `replica core-replica: caught-up in 12 ms`.
    static func lines(_ replicas: [TargetReport.ReplicaReport]) -> String {
        replicas.map { replica in
            var line = "\n    replica \(replica.name): "
            switch replica.status {
            case .caughtUp:
                line += Console.paint("caught-up", .green) + " in \(replica.waitedMs ?? 0) ms"
            case .lagging:
                line += Console.paint("lagging", .red)
                if let lag = replica.lagBytes { line += " \(lag) bytes behind" }
                if let waited = replica.waitedMs { line += " after \(waited) ms" }
            case .unreachable:
                line += Console.paint("unreachable", .yellow)
            }
            // A lagging replica's message is the target's error, printed above.
            if replica.status == .unreachable, let message = replica.message { line += " (\(message))" }
            return line
        }.joined()
    }

    /// In `status`: `replica core-replica: f7910c43f290  caught-up  lag 0 bytes, 0.0 s`.
    static func lines(_ replicas: [ReplicaStatus]) -> String {
        replicas.map { replica in
            var line = "\n    replica \(replica.name): "
            if replica.status == .unreachable {
                line += Console.paint("unreachable", .red)
            } else {
                line += ReportText.revisions(replica.current) + "  "
                line += replica.status == .caughtUp ? Console.paint("caught-up", .green) : Console.paint("lagging", .yellow)
                if let bytes = replica.lagBytes {
                    line += "  lag \(bytes) bytes"
                    if let seconds = replica.lagSeconds { line += ", " + String(format: "%.1f s", seconds) }
                }
            }
            if let message = replica.message { line += " (\(message))" }
            return line
        }.joined()
    }
}
