extension Target {
    /// This target as its replica `name` holds it: the same schema and
    /// version table, at the replica's URL, with no replicas of its own; nil
    /// when the target has no replica of that name. `status --replica` and
    /// `history --replica` read through it.
    public func onReplica(named name: String) -> Target? {
        guard let replica = replicas.first(where: { $0.name == name }),
              case .postgres(_, let schema) = location else { return nil }
        var view = self
        view.location = .postgres(url: replica.url, schema: schema)
        view.replicas = []
        return view
    }

    /// The targets that have a replica named `name`, in order. A usage error
    /// naming the replicas there are (with a did-you-mean) when none has.
    public static func havingReplica(named name: String, in targets: [Target]) throws -> [Target] {
        let matching = targets.filter { $0.replicas.contains { $0.name == name } }
        guard matching.isEmpty else { return matching }
        var names: [String] = []
        for replica in targets.flatMap(\.replicas) where !names.contains(replica.name) { names.append(replica.name) }
        var message = "no selected target has a replica named `\(name)`"
        if let close = Suggestion.closest(to: name, in: names) {
            message += "; did you mean `\(close)`?"
        } else if names.isEmpty {
            message += " (the selected targets have no replicas)"
        } else {
            message += " (replicas: \(names.joined(separator: ", ")))"
        }
        throw ShoalError(.usage, message)
    }
}
