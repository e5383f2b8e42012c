import CoreMetrics
import Foundation
import Prometheus
import ShoalKit

/// `GET /metrics` (SPEC §12): the fleet's gauges, set through swift-metrics
/// on a Prometheus registry the server owns (not the global
/// `MetricsSystem`: an embedding app keeps its own backend, and tests run
/// several servers in one process), and written in the Prometheus text
/// format by swift-prometheus.
///
/// Gauges follow the newest snapshot: every series of the previous snapshot
/// that the new one lacks is destroyed (unregistered), so a database,
/// shard, revision or replica that left the fleet does not linger with an
/// old value. `shoal_targets` has every state for each database and shard,
/// 0 for the states no target is in, so that an alert on `failed > 0`
/// needs no `absent()`.
package final class FleetMetrics: @unchecked Sendable {
    /// The shard label of a database without shards: its own name, so that
    /// `{database, shard}` is never empty and each unsharded database is
    /// one server.
    package static func shard(of status: TargetStatus) -> String { status.shard ?? status.database }

    /// Every state of `status --json`, in the order it documents them.
    static let states = TargetStatus.State.allCases.map(\.rawValue)

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    /// The series set from the snapshot of ``generation``, by name and labels.
    private var series: [SeriesKey: CoreMetrics.Gauge] = [:]
    private var generation = -1
    private let readErrors: CoreMetrics.Counter
    /// The failed reads already added to `shoal_fleet_read_errors_total`.
    private var countedFailures = 0

    package init() {
        factory = PrometheusMetricsFactory(registry: registry)
        readErrors = CoreMetrics.Counter(label: "shoal_fleet_read_errors_total", factory: factory)
    }

    /// The text exposition of `state`, with `shoal_fleet_read_age_seconds`
    /// measured `now`.
    package func exposition(of state: FleetSnapshotCache.State, now: Date = Date()) -> String {
        lock.withLock {
            if state.generation > generation {
                update(from: state)
                generation = state.generation
            }
            if let snapshot = state.snapshot {
                gauge("shoal_fleet_read_age_seconds", []).record(max(0, now.timeIntervalSince(snapshot.readAt)))
            }
            return registry.emitToString()
        }
    }

    /// Sets every gauge from the state's snapshot, destroying the series it no longer has.
    private func update(from state: FleetSnapshotCache.State) {
        var values: [SeriesKey: Double] = [:]
        values[SeriesKey("shoal_fleet_read_ok", [])] = state.failure == nil && state.snapshot != nil ? 1 : 0
        if state.failedReads > countedFailures { readErrors.increment(by: Int64(state.failedReads - countedFailures)) }
        countedFailures = state.failedReads
        if let snapshot = state.snapshot {
            values[SeriesKey("shoal_fleet_read_duration_seconds", [])] = snapshot.duration.seconds
            values[SeriesKey("shoal_fleet_read_timestamp_seconds", [])] = snapshot.readAt.timeIntervalSince1970
            values[SeriesKey("shoal_fleet_read_age_seconds", [])] = 0
            for status in snapshot.document.targets {
                let shard = Self.shard(of: status)
                for candidate in Self.states {
                    values[SeriesKey("shoal_targets", [("database", status.database), ("shard", shard), ("state", candidate)]), default: 0]
                        += candidate == status.state.rawValue ? 1 : 0
                }
                values[SeriesKey("shoal_pending_migrations", [("database", status.database), ("shard", shard)]), default: 0]
                    += Double(status.pending)
                for revision in status.current {
                    values[SeriesKey("shoal_revision_targets", [("database", status.database), ("revision", revision)]), default: 0] += 1
                }
                for replica in status.replicas {
                    guard let lag = replica.lagBytes else { continue }
                    let key = SeriesKey("shoal_replica_lag_bytes", [("database", status.database), ("shard", shard), ("replica", replica.name)])
                    // Tenants of a shard share its replica: one value, the largest seen.
                    values[key] = max(values[key] ?? 0, Double(lag))
                }
            }
            for (run, date) in snapshot.lastRuns {
                values[SeriesKey("shoal_last_run_timestamp_seconds", [("command", run.command), ("outcome", run.outcome)])] =
                    date.timeIntervalSince1970
            }
        }
        for (key, gauge) in series where values[key] == nil {
            gauge.destroy()
            series[key] = nil
        }
        for (key, value) in values { gauge(key.name, key.pairs).record(value) }
    }

    /// The gauge of `name` and `labels`, made once.
    private func gauge(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Gauge {
        let key = SeriesKey(name, labels)
        if let gauge = series[key] { return gauge }
        let gauge = CoreMetrics.Gauge(label: name, dimensions: labels, factory: factory)
        series[key] = gauge
        return gauge
    }

    /// A series: a metric's name and its labels, in order.
    private struct SeriesKey: Hashable {
        var name: String
        var labels: [String]

        var pairs: [(String, String)] { stride(from: 0, to: labels.count, by: 2).map { (labels[$0], labels[$0 + 1]) } }

        init(_ name: String, _ labels: [(String, String)]) {
            self.name = name
            self.labels = labels.flatMap { [$0.0, $0.1] }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
