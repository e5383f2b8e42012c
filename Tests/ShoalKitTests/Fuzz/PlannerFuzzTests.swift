import Testing
@testable import ShoalKit

/// Revision arguments, resolution and planning over random graphs and random
/// version rows: a bad argument is an error quoting it, a plan is refused or
/// sound, step by step.
extension FuzzTests {
    @Suite struct PlannerFuzz {
        struct Case {
            var migrations: [Migration]
            var current: [String]
            var text: String
        }

        static func generate(_ random: inout SplitMix64) -> Case {
            let migrations = RandomGraph.migrations(using: &random, allowBroken: false)
            let ids = migrations.map(\.revision)
            var current: [String] = []
            switch random.int(0...5) {
            case 0: current = []
            case 1, 2, 3:
                // A state a real target can be in: the heads of an ancestor-closed set.
                if let graph = try? RevisionGraph(migrations: migrations, directory: "/fuzz/versions/app") {
                    let picked = ids.filter { _ in random.oneIn(2) }
                    current = graph.heads(of: graph.ancestors(of: picked, inclusive: true))
                }
            case 4: current = ids.filter { _ in random.oneIn(3) }
            default: current = ids.filter { _ in random.oneIn(3) } + [random.pick(["0bad0bad", "", "head"])]
            }
            var texts = ["head", "heads", "base", "+1", "+2", "+9", "-1", "-2", "-9", "+0", "-0", "+", "-", "", " head",
                         "HEAD", "+1x", "+-1", "--1", "+99999999999999999999", "-9223372036854775808", "１", "+١",
                         "aaaa", "aa", "cafe", "cafe000", "ffff0000", "0bad0bad", "d00d", "e1", "a b", "a\u{0}b",
                         String(repeating: "a", count: 65), "é", "../x", "a;DROP TABLE x"]
            for id in ids { texts.append(String(id.prefix(random.int(1...id.count)))) }
            return Case(migrations: migrations, current: current, text: random.pick(texts))
        }

        @Test func revisionArgumentsResolveAndPlanSoundly() async {
            await Fuzz.run("planner", cases: 3000, generate: Self.generate, describe: { c in
                "graph \(RandomGraph.describe(c.migrations)), current \(c.current), argument \(Fuzz.show(c.text))"
            }, check: { c in
                guard let graph = try? RevisionGraph(migrations: c.migrations, directory: "/fuzz/versions/app") else {
                    return "the generated graph is invalid"
                }
                if let problem = Self.checkResolve(c.text, graph: graph) { return problem }
                let spec: RevisionSpec
                do {
                    spec = try RevisionSpec(parsing: c.text)
                } catch let error as ShoalError {
                    if error.kind != .revision { return "spec error of kind \(error.kind): \(error)" }
                    let named = c.text.isEmpty ? error.message.contains("empty") : error.description.contains(c.text)
                    return named ? nil : "spec error does not quote the argument: \(error)"
                } catch {
                    return "threw \(type(of: error)): \(error)"
                }
                if let reparsed = try? RevisionSpec(parsing: spec.description), reparsed != spec {
                    return "\(spec) does not parse back from its description"
                }
                return Self.checkUpgrade(spec, graph: graph, current: c.current)
                    ?? Self.checkDowngrade(spec, graph: graph, current: c.current)
                    ?? Self.checkStamp(spec, graph: graph, current: c.current)
            })
        }

        static func checkResolve(_ text: String, graph: RevisionGraph) -> String? {
            // An empty argument never gets this far: RevisionSpec refuses it, naming it "an empty revision".
            guard !text.isEmpty else { return nil }
            do {
                let id = try graph.resolve(text)
                if graph.migration(id) == nil || !id.hasPrefix(text) { return "resolve(\(text)) gave \(id)" }
                return nil
            } catch let error as ShoalError {
                if error.kind != .revision { return "resolve error of kind \(error.kind): \(error)" }
                return error.description.contains(text) ? nil : "resolve error does not quote the argument: \(error)"
            } catch {
                return "threw \(type(of: error)): \(error)"
            }
        }

        /// nil when `body` planned, or failed with a revision error quoting the
        /// argument or a plan error; otherwise what was wrong.
        static func expectedError(_ error: any Error, spec: RevisionSpec) -> String? {
            guard let error = error as? ShoalError else { return "threw \(type(of: error)): \(error)" }
            switch error.kind {
            case .revision:
                return error.description.contains(spec.description) ? nil : "revision error does not quote \(spec): \(error)"
            case .plan:
                return nil
            default:
                return "error of kind \(error.kind): \(error)"
            }
        }

        static func checkUpgrade(_ spec: RevisionSpec, graph: RevisionGraph, current: [String]) -> String? {
            let plan: Plan
            do {
                plan = try Planner.upgrade(graph: graph, current: current, to: spec, database: "app")
            } catch {
                return expectedError(error, spec: spec)
            }
            var applied = graph.ancestors(of: current, inclusive: true)
            if let problem = replay(plan, graph: graph, applied: &applied, direction: .up) { return "upgrade \(spec): \(problem)" }
            switch spec {
            case .head, .heads:
                if spec == .heads, let missing = graph.heads.first(where: { !applied.contains($0) }) {
                    return "upgrade heads left head \(missing) unapplied"
                }
                if spec == .head, graph.heads.count == 1, !applied.contains(graph.heads[0]) {
                    return "upgrade head left the head unapplied"
                }
            case .revision(let text):
                if let id = try? graph.resolve(text), !applied.contains(id) { return "upgrade \(text) left \(id) unapplied" }
            case .relative(let steps):
                if plan.steps.count != steps { return "upgrade \(spec) planned \(plan.steps.count) steps" }
            case .base:
                if !plan.isEmpty { return "upgrade base planned steps" }
            }
            return nil
        }

        static func checkDowngrade(_ spec: RevisionSpec, graph: RevisionGraph, current: [String]) -> String? {
            let plan: Plan
            do {
                plan = try Planner.downgrade(graph: graph, current: current, to: spec, database: "app")
            } catch {
                return expectedError(error, spec: spec)
            }
            var applied = graph.ancestors(of: current, inclusive: true)
            if let problem = replay(plan, graph: graph, applied: &applied, direction: .down) { return "downgrade \(spec): \(problem)" }
            if let step = plan.steps.first(where: { $0.migration.down == nil && !SQLScript.isEmpty($0.migration.up) }) {
                return "downgrade \(spec) plans \(step.revision), which has no down section"
            }
            switch spec {
            case .base:
                if !applied.isEmpty { return "downgrade base left \(applied.sorted()) applied" }
            case .revision(let text):
                guard let id = try? graph.resolve(text) else { return "downgrade \(text) planned an unknown revision" }
                if !applied.contains(id) { return "downgrade \(text) unapplied \(id) itself" }
                if let below = graph.descendants(of: [id], inclusive: false).first(where: applied.contains) {
                    return "downgrade \(text) left its descendant \(below) applied"
                }
            case .relative(let steps):
                if plan.steps.count != -steps { return "downgrade \(spec) planned \(plan.steps.count) steps" }
            case .head, .heads:
                break
            }
            return nil
        }

        static func checkStamp(_ spec: RevisionSpec, graph: RevisionGraph, current: [String]) -> String? {
            let rows: [String]
            do {
                rows = try Planner.stamp(graph: graph, current: current, to: spec, database: "app")
            } catch {
                return expectedError(error, spec: spec)
            }
            if let unknown = rows.first(where: { graph.migration($0) == nil }) { return "stamp \(spec) writes unknown row \(unknown)" }
            if graph.heads(of: Set(rows)) != rows.sorted() || Set(rows).count != rows.count {
                return "stamp \(spec) writes rows \(rows), some of which descend from others"
            }
            if case .revision(let text) = spec, let id = try? graph.resolve(text), !rows.contains(id) {
                return "stamp \(text) does not record \(id): \(rows)"
            }
            return nil
        }

        /// Replays `plan` on `applied`, checking each step's version rows
        /// against the heads of what is applied at that point.
        static func replay(_ plan: Plan, graph: RevisionGraph, applied: inout Set<String>, direction: Direction) -> String? {
            var rows = graph.heads(of: applied)
            if plan.from != rows { return "plan starts from \(plan.from), the target is at \(rows)" }
            for step in plan.steps {
                if step.direction != direction { return "step \(step.revision) goes \(step.direction)" }
                if step.versionsBefore != rows { return "step \(step.revision) expects \(step.versionsBefore), rows are \(rows)" }
                switch direction {
                case .up:
                    if applied.contains(step.revision) { return "step \(step.revision) is applied twice" }
                    if let parent = step.migration.parents.first(where: { !applied.contains($0) }) {
                        return "step \(step.revision) runs before its parent \(parent)"
                    }
                    applied.insert(step.revision)
                case .down:
                    if !applied.contains(step.revision) { return "step \(step.revision) unapplies what is not applied" }
                    if let child = graph.children(of: step.revision).first(where: applied.contains) {
                        return "step \(step.revision) is unapplied before its child \(child)"
                    }
                    applied.remove(step.revision)
                }
                let after = graph.heads(of: applied)
                if step.versionsAfter != after { return "step \(step.revision) leaves \(step.versionsAfter), rows are \(after)" }
                if step.removeVersions != Set(rows).subtracting(after).sorted()
                    || step.addVersions != Set(after).subtracting(rows).sorted() {
                    return "step \(step.revision) removes \(step.removeVersions) and adds \(step.addVersions) going \(rows) -> \(after)"
                }
                rows = after
            }
            return plan.to == rows ? nil : "plan ends at \(plan.to), the steps end at \(rows)"
        }
    }
}
