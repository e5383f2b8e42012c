/// Orders databases so that each runs after the ones it names in `after`,
/// ties broken by name, so the run order is the same on every machine.
enum DependencyOrder {
    /// A cycle through `after`, as the names along it (first repeated last).
    struct Cycle: Error {
        var names: [String]
    }

    /// `dependencies` maps each name to the names it must follow (all known).
    static func sorted(_ dependencies: [String: [String]]) throws(Cycle) -> [String] {
        var remaining = dependencies.mapValues { Set($0) }
        var order: [String] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.value.isEmpty }.keys.sorted()
            guard let next = ready.first else { throw Cycle(names: findCycle(in: remaining)) }
            order.append(next)
            remaining[next] = nil
            for key in remaining.keys { remaining[key]?.remove(next) }
        }
        return order
    }

    /// A cycle among `graph` (in which every node has an outgoing edge),
    /// starting from its alphabetically first member.
    private static func findCycle(in graph: [String: Set<String>]) -> [String] {
        var path: [String] = []
        var current = graph.keys.sorted()[0]
        while !path.contains(current) {
            path.append(current)
            current = graph[current, default: []].sorted().first { graph[$0] != nil } ?? current
        }
        var cycle = Array(path[path.firstIndex(of: current)!...])
        let start = cycle.firstIndex(of: cycle.min()!)!
        cycle = Array(cycle[start...] + cycle[..<start])
        return cycle + [cycle[0]]
    }
}
