import ShoalKit

/// The text form of replicas, one indented line each under a target's line.
enum ReplicaText {
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

}
