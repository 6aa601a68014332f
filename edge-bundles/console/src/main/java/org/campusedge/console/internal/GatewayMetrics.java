package org.campusedge.console.internal;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.campusedge.api.Alarm;
import org.campusedge.api.Alarms;
import org.campusedge.api.CloudLink;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCounters;
import org.campusedge.api.DeviceHealth;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.EventStore;
import org.campusedge.net.SourceGuard;

/**
 * What the gateway exposes to Prometheus (the Prometheus Java client, its classes copied into this
 * bundle): every figure is read from the gateway's own services when scraped, so nothing is counted
 * twice and nothing costs anything between scrapes. Per device and per family: messages accepted,
 * refused and deferred, presence; per connector: open and refused connections; the store's
 * commits, queue and write-ahead log; the bus's deliveries and sheddings per subscriber; the cloud
 * link and its outbox per lane; open alarms by severity and state; and the JVM's memory, threads
 * and collections.
 */
final class GatewayMetrics {

    /** What the figures are read from; the optional ones (the cloud link, the connectors) may come and go. */
    record Sources(DeviceCounters counters, DeviceRegistry registry, DeviceHealth health, EventStore store, EventBus bus,
                   Alarms alarms, Supplier<CloudLink> cloud, Supplier<List<SourceGuard>> connectors) {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();

    GatewayMetrics(Sources s) {
        CounterWithCallback.builder().name("campus_edge_device_messages").help("Messages from a device by what became of them")
                .labelNames("device", "family", "outcome").callback(cb -> {
                    for (DeviceCounters.Counts c : s.counters().all()) {
                        String family = family(s.registry(), c.deviceId());
                        cb.call(c.accepted(), c.deviceId(), family, "accepted");
                        cb.call(c.rejected(), c.deviceId(), family, "refused");
                        cb.call(c.deferred(), c.deviceId(), family, "deferred");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("campus_edge_family_messages").help("Messages from a device family by what became of them")
                .labelNames("family", "outcome").callback(cb -> {
                    Map<String, long[]> byFamily = new HashMap<>();
                    for (DeviceCounters.Counts c : s.counters().all()) {
                        long[] t = byFamily.computeIfAbsent(family(s.registry(), c.deviceId()), f -> new long[3]);
                        t[0] += c.accepted();
                        t[1] += c.rejected();
                        t[2] += c.deferred();
                    }
                    byFamily.forEach((f, t) -> {
                        cb.call(t[0], f, "accepted");
                        cb.call(t[1], f, "refused");
                        cb.call(t[2], f, "deferred");
                    });
                }).register(registry);
        GaugeWithCallback.builder().name("campus_edge_devices").help("Devices by family and presence")
                .labelNames("family", "presence").callback(cb -> {
                    Map<List<String>, Integer> n = new HashMap<>();
                    for (DeviceHealth.State d : s.health().devices()) {
                        n.merge(List.of(String.valueOf(d.family()), d.presence().name().toLowerCase(java.util.Locale.ROOT)), 1, Integer::sum);
                    }
                    n.forEach((k, v) -> cb.call(v, k.get(0), k.get(1)));
                }).register(registry);
        GaugeWithCallback.builder().name("campus_edge_connections_open").help("Open connections per device or console connector")
                .labelNames("connector").callback(cb -> s.connectors().get().forEach(g -> cb.call(g.openConnections(), g.connector())))
                .register(registry);
        CounterWithCallback.builder().name("campus_edge_connections_refused").help("Connections refused by the per-address and total limits")
                .labelNames("connector").callback(cb -> s.connectors().get().forEach(g -> cb.call(g.connectionsRefused(), g.connector())))
                .register(registry);
        storeMetrics(s.store());
        CounterWithCallback.builder().name("campus_edge_bus_delivered").help("Events the bus handed to a subscriber")
                .labelNames("subscriber").callback(cb -> s.bus().subscribers().forEach(b -> cb.call(b.delivered(), b.name()))).register(registry);
        CounterWithCallback.builder().name("campus_edge_bus_shed").help("Events a full subscriber queue shed (readings only)")
                .labelNames("subscriber").callback(cb -> s.bus().subscribers().forEach(b -> cb.call(b.shed(), b.name()))).register(registry);
        CounterWithCallback.builder().name("campus_edge_bus_failed").help("Events a subscriber failed on")
                .labelNames("subscriber").callback(cb -> s.bus().subscribers().forEach(b -> cb.call(b.failed(), b.name()))).register(registry);
        cloudMetrics(s.cloud());
        GaugeWithCallback.builder().name("campus_edge_alarms_open").help("Alarms not cleared, by severity and state")
                .labelNames("severity", "state").callback(cb -> {
                    Map<List<String>, Integer> n = new HashMap<>();
                    for (Alarm a : s.alarms().active()) {
                        n.merge(List.of(a.severity().name().toLowerCase(java.util.Locale.ROOT), a.state().name().toLowerCase(java.util.Locale.ROOT)),
                                1, Integer::sum);
                    }
                    n.forEach((k, v) -> cb.call(v, k.get(0), k.get(1)));
                }).register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
    }

    private void storeMetrics(EventStore store) {
        CounterWithCallback.builder().name("campus_edge_store_events_written").help("Events committed to the event store")
                .callback(cb -> cb.call(store.stats().eventsWritten())).register(registry);
        CounterWithCallback.builder().name("campus_edge_store_commits").help("Group commits (transactions) of the event store")
                .callback(cb -> cb.call(store.stats().commits())).register(registry);
        CounterWithCallback.builder().name("campus_edge_store_failed_appends").help("Events whose append failed")
                .callback(cb -> cb.call(store.stats().failedAppends())).register(registry);
        CounterWithCallback.builder().name("campus_edge_store_commit_seconds")
                .help("Time the commits took (rows and sync); over campus_edge_store_commits_total, the mean commit")
                .callback(cb -> cb.call(store.stats().commitNanos() / 1e9)).register(registry);
        GaugeWithCallback.builder().name("campus_edge_store_failing").help("1 while the store's newest commit failed (nothing is being stored)")
                .callback(cb -> cb.call(store.stats().failing() ? 1 : 0)).register(registry);
        GaugeWithCallback.builder().name("campus_edge_store_queued_events").help("Events waiting for the next commit")
                .callback(cb -> cb.call(store.stats().queued())).register(registry);
        GaugeWithCallback.builder().name("campus_edge_store_wal_bytes").help("Size of the store's write-ahead log")
                .callback(cb -> cb.call(store.stats().walBytes())).register(registry);
    }

    private void cloudMetrics(Supplier<CloudLink> cloud) {
        GaugeWithCallback.builder().name("campus_edge_cloud_connected").help("1 while the link to the city's Hono is up (absent: no city link configured)")
                .callback(cb -> {
                    CloudLink c = cloud.get();
                    if (c != null && c.status().endpoint() != null) {
                        cb.call(c.status().connected() ? 1 : 0);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("campus_edge_cloud_accepted").help("Messages Hono accepted")
                .callback(cb -> {
                    CloudLink c = cloud.get();
                    if (c != null) {
                        cb.call(c.status().accepted());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("campus_edge_outbox_messages").help("Messages waiting in the cloud outbox, per lane")
                .labelNames("lane").callback(cb -> {
                    CloudLink c = cloud.get();
                    if (c != null && c.status().outbox() != null) {
                        cb.call(c.status().outbox().critical(), "critical");
                        cb.call(c.status().outbox().telemetry(), "telemetry");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("campus_edge_outbox_shed").help("Summaries the outbox's disk budget shed (critical ones never are)")
                .callback(cb -> {
                    CloudLink c = cloud.get();
                    if (c != null && c.status().outbox() != null) {
                        cb.call(c.status().outbox().shedTelemetry());
                    }
                }).register(registry);
    }

    private static String family(DeviceRegistry registry, String deviceId) {
        return registry.device(deviceId).map(Device::family).orElse("unknown");
    }

    /** A scrape in the format the client asked for ({@code Accept}): OpenMetrics when it says so, else Prometheus text. */
    Scrape scrape(String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
        if (accept != null && openMetrics.accepts(accept)) {
            openMetrics.write(out, registry.scrape());
            return new Scrape(openMetrics.getContentType(), out.toByteArray());
        }
        PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
        text.write(out, registry.scrape());
        return new Scrape(text.getContentType(), out.toByteArray());
    }

    /** One scrape's body and its content type. */
    record Scrape(String type, byte[] body) {
    }
}
