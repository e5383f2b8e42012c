import Foundation
import ShoalKit
import ShoalTestSupport
import Testing

/// The Kubernetes recipe, `deploy/kubernetes/migrate-job.yaml`, as a test
/// reads it: parsed by PyYAML (`python3`) into JSON, so that a file
/// Kubernetes would refuse as YAML fails here too.
struct KubernetesRecipe {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/kubernetes/migrate-job.yaml").path

    /// Every document of the file, in order.
    let documents: [[String: Any]]

    static func load() async throws -> KubernetesRecipe {
        let sandbox = try Sandbox()
        let process = Process()
        // Debian's python3, whose PyYAML scripts/test installs (python3-yaml),
        // rather than whichever python3 comes first on the PATH.
        let debian = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        process.executableURL = URL(fileURLWithPath: debian ? "/usr/bin/python3" : "/usr/bin/env")
        process.arguments = (debian ? [] : ["python3"]) + ["-c",
                             "import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)",
                             path]
        let result = try await sandbox.start(process).finish()
        try #require(result.status == 0, "python3 with PyYAML (apt-get install python3-yaml) could not read \(path): \(result.stderr)")
        let documents = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        return KubernetesRecipe(documents: documents)
    }

    func document(_ kind: String) throws -> [String: Any] {
        try #require(documents.first { $0["kind"] as? String == kind }, "no \(kind) in \(Self.path)")
    }

    var job: [String: Any] { get throws { try document("Job") } }
    var jobSpec: [String: Any] { get throws { try #require(try job["spec"] as? [String: Any]) } }
    var podSpec: [String: Any] {
        get throws { try #require((try jobSpec["template"] as? [String: Any])?["spec"] as? [String: Any]) }
    }
    var container: [String: Any] {
        get throws { try #require((try podSpec["containers"] as? [[String: Any]])?.first) }
    }

    /// The container's command line: `command` then `args`.
    var commandLine: [String] {
        get throws {
            let container = try container
            return (container["command"] as? [String] ?? []) + (container["args"] as? [String] ?? [])
        }
    }

    /// The container's variables with a literal value.
    var environment: [String: String] {
        get throws {
            let entries = try container["env"] as? [[String: Any]] ?? []
            return Dictionary(entries.compactMap { entry in
                (entry["name"] as? String).flatMap { name in (entry["value"] as? String).map { (name, $0) } }
            }, uniquingKeysWith: { _, last in last })
        }
    }
}

/// Issue 15, `--partition auto` (SPEC §14): the command line of the
/// Kubernetes recipe, run once per index as an Indexed Job runs it,
/// migrates every target of the fleet exactly once; bad variables exit 2
/// before anything is touched.
@Suite("--partition auto and the Kubernetes recipe")
struct PartitionAutoTests {
    /// Tenants in the SQLite fleets: enough that every one of 3 slices has several.
    static let tenants = 10

    @Test func theRecipeIsAnIndexedJobWhoseSliceCountAgrees() async throws {
        let recipe = try await KubernetesRecipe.load()
        #expect(recipe.documents.map { $0["kind"] as? String } == ["ConfigMap", "Job"])
        let spec = try recipe.jobSpec
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        #expect(spec["parallelism"] as? Int == completions, "more pods than slices would wait idle; fewer, run slices late")
        #expect(try recipe.environment["SHOAL_PARTITIONS"] == String(completions), "SHOAL_PARTITIONS must be the Job's completions")
        #expect(try recipe.commandLine == ["shoal", "upgrade", "--partition", "auto", "--json"])
        #expect(try recipe.podSpec["restartPolicy"] as? String == "Never")
        #expect((try recipe.podSpec["securityContext"] as? [String: Any])?["runAsNonRoot"] as? Bool == true)
        #expect(spec["ttlSecondsAfterFinished"] is Int)
        #expect(try recipe.container["resources"] is [String: Any])
        // The config the pods read is the ConfigMap's, as JSON; its journals go to a writable volume.
        let mounts = try recipe.container["volumeMounts"] as? [[String: Any]] ?? []
        let configPath = try #require(try recipe.environment["SHOAL_CONFIG"])
        let configMount = try #require(mounts.first { configPath.hasPrefix("\($0["mountPath"] as? String ?? "-")/") })
        #expect(configMount["readOnly"] as? Bool == true)
        let data = try #require(try recipe.document("ConfigMap")["data"] as? [String: String])
        let configText = try #require(data[URL(fileURLWithPath: configPath).lastPathComponent])
        let config = try #require(try JSONSerialization.jsonObject(with: Data(configText.utf8)) as? [String: Any])
        let journals = try #require(config["journal_dir"] as? String)
        #expect(mounts.contains { journals.hasPrefix($0["mountPath"] as? String ?? "-") && $0["readOnly"] as? Bool != true },
                "the journal folder \(journals) must be on a writable volume")
    }

    enum Schedule: String, CaseIterable, CustomTestStringConvertible {
        /// One pod after another (`parallelism: 1`).
        case oneAfterAnother
        /// Every pod at once (`parallelism` = `completions`).
        case allAtOnce
        var testDescription: String { rawValue }
    }

    @Test(arguments: [(Backend.sqlite, 1, Schedule.oneAfterAnother), (.sqlite, 3, .oneAfterAnother), (.sqlite, 3, .allAtOnce),
                      (.postgres, 3, .oneAfterAnother), (.postgres, 3, .allAtOnce)])
    func theJobsCommandLineMigratesEveryTargetExactlyOnce(_ backend: Backend, _ slices: Int, _ schedule: Schedule) async throws {
        if backend == .postgres {
            try await PostgresTestServer.withScratchDatabase { url in
                try await Self.runJob(FaultFleet(Sandbox(), backend: .postgres, tenants: 6, migrations: 3, url: url, slowness: 0),
                                      slices: slices, schedule: schedule)
            }
        } else {
            try await Self.runJob(FaultFleet(Sandbox(), backend: .sqlite, tenants: Self.tenants, migrations: 3, slowness: 0.01),
                                  slices: slices, schedule: schedule)
        }
    }

    /// Runs the recipe's command line once per index `0..<slices` and checks
    /// the fleet: every target migrated by exactly one pod, once.
    static func runJob(_ fleet: FaultFleet, slices: Int, schedule: Schedule) async throws {
        let recipe = try await KubernetesRecipe.load()
        let commandLine = try recipe.commandLine
        try #require(commandLine.first == "shoal")
        let arguments = Array(commandLine.dropFirst())
        // What the pod with `index` gets: the recipe's variables and the Job's
        // index, and this fleet's config where the pod has the ConfigMap's.
        func environment(_ index: Int) throws -> [String: String] {
            try recipe.environment.merging(fleet.environment) { _, fleet in fleet }.merging([
                "JOB_COMPLETION_INDEX": String(index), "SHOAL_PARTITIONS": String(slices),
                "SHOAL_CONFIG": fleet.sandbox.path("config.json"),
            ]) { _, job in job }
        }
        var results: [CLIResult] = []
        switch schedule {
        case .oneAfterAnother:
            for index in 0..<slices { results.append(try await fleet.sandbox.run(arguments, environment: environment(index))) }
        case .allAtOnce:
            let pods = try (0..<slices).map { try fleet.sandbox.launch(arguments, environment: environment($0)) }
            for pod in pods { results.append(try await pod.finish()) }
        }

        var owner: [String: Int] = [:]
        var applied: [String: Int] = [:]
        for (index, result) in results.enumerated() {
            #expect(result.status == 0, "index \(index): \(result.stdout)\n\(result.stderr)")
            for (id, target) in try result.targets() {
                #expect(owner[id] == nil, "\(id) is in the slices of index \(owner[id] ?? -1) and \(index)")
                owner[id] = index
                #expect(target["status"] as? String == "ok", "\(id): \(target)")
                for step in target["applied"] as? [[String: Any]] ?? [] {
                    applied["\(id) \(step["revision"] as? String ?? "?")", default: 0] += 1
                }
            }
            // The journal records the slice the index resolved to, and the command line as typed.
            let run = try #require(try result.json()["run"] as? String)
            let header = try JournalFile(fleet.sandbox.path(".shoal/runs/\(run).jsonl")).header
            #expect((header["selectors"] as? [String: Any])?["partition"] as? String == "\(index + 1)/\(slices)")
            #expect(header["arguments"] as? [String] == arguments)
        }
        #expect(Set(owner.keys) == Set(fleet.tenants.map(fleet.targetID)), "the slices together are the fleet")
        if slices > 1 {
            #expect(Set(owner.values).count == slices, "every index has targets: \(owner)")
        }
        #expect(applied.count == fleet.tenants.count * fleet.migrations && applied.values.allSatisfy { $0 == 1 }, "\(applied)")
        // Version tables at head, history: one upgrade row per migration per target.
        try await fleet.checkConsistent()
        #expect(try await fleet.contents().values.allSatisfy { $0.versions == [fleet.head] })

        // A pod retried with its index takes the same slice, and finds it done.
        let retried = try await fleet.sandbox.run(arguments, environment: environment(slices - 1))
        #expect(retried.status == 0, "\(retried.stderr)")
        let again = try retried.targets()
        #expect(Set(again.keys) == Set(owner.filter { $0.value == slices - 1 }.keys))
        #expect(again.values.allSatisfy { $0["status"] as? String == "up-to-date" }, "\(again)")
    }

    // MARK: bad input

    @Test func badVariablesExit2AndTouchNothing() async throws {
        let fleet = try FaultFleet(Sandbox(), backend: .sqlite, tenants: 3, migrations: 2, slowness: 0.01)
        let before = try fleet.sandbox.snapshot()
        for (environment, message) in BadJobEnvironments.cases {
            let result = try await fleet.sandbox.shoal("upgrade", "--partition", "auto", "--json", environment: environment)
            #expect(result.status == 2, "\(environment): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(environment): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(environment): \(result.stdout)")
        }
        #expect(try fleet.sandbox.snapshot() == before, "no tenant file, no version table")
        #expect(!fleet.sandbox.exists(".shoal"), "no journal")
    }

    /// Every command that selects targets takes `--partition auto` through
    /// the one shared option: each refuses an index out of range the same way.
    @Test func everyCommandThatSelectsTargetsResolvesAuto() async throws {
        let fleet = try FaultFleet(Sandbox(), backend: .sqlite, tenants: 3, migrations: 2, slowness: 0.01)
        let before = try fleet.sandbox.snapshot()
        let outOfRange = ["JOB_COMPLETION_INDEX": "2", "SHOAL_PARTITIONS": "2"]
        let commands: [[String]] = [["upgrade"], ["downgrade", "base"], ["stamp", "head"], ["status"], ["drift"],
                                    ["history"], ["verify"], ["serve", "--listen", "127.0.0.1:0"]]
        for command in commands {
            let result = try await fleet.sandbox.run(command + ["--partition", "auto"], environment: outOfRange)
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("JOB_COMPLETION_INDEX is `2` but SHOAL_PARTITIONS is `2`"), "\(command): \(result.stderr)")
        }
        #expect(try fleet.sandbox.snapshot() == before)
        #expect(!fleet.sandbox.exists(".shoal"))

        // With good variables, a read command shows the slice `auto` resolved to: 2/2 here.
        let good = ["JOB_COMPLETION_INDEX": "1", "SHOAL_PARTITIONS": "2"]
        let auto = try await fleet.sandbox.run(["status", "--partition", "auto", "--json"], environment: good)
        let typed = try await fleet.sandbox.shoal("status", "--partition", "2/2", "--json")
        #expect(auto.status == 0 && typed.status == 0, "\(auto.stderr)\n\(typed.stderr)")
        #expect(Set(try auto.targets().keys) == Set(try typed.targets().keys))

        let help = try await fleet.sandbox.shoal("upgrade", "--help")
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // however it wraps
        #expect(words.contains("auto: K from JOB_COMPLETION_INDEX + 1 and N from SHOAL_PARTITIONS"), "\(help.stdout)")
    }
}
