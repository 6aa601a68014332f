package org.campusedge.city;

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
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.campusedge.web.Http;
import org.campusedge.web.ScrapeToken;
import org.campusedge.web.WebExchange;

/**
 * The dashboard watched from outside, as a school's gateway is: {@code GET /metrics} (Prometheus or
 * OpenMetrics text: the northbound messages by what became of them, the gateways' command links
 * opening and closing, whether Hono is connected, the JVM) and {@code GET /health} ({@code UP}, or
 * {@code DEGRADED} while the consumers are not connected to Hono), for an admin's session or a
 * scraper with the token in {@code city-metrics-token} beside the users file.
 */
final class CityMonitoring {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final BooleanSupplier connected;
    private final ScrapeToken token;

    CityMonitoring(Supplier<IngestStats> ingest, BooleanSupplier connected, Path tokenFile) throws IOException {
        this.connected = connected;
        this.token = ScrapeToken.loadOrCreate(tokenFile);
        CounterWithCallback.builder().name("campus_edge_city_messages").help("Northbound messages by what became of them")
                .labelNames("outcome").callback(cb -> {
                    IngestStats s = ingest.get();
                    cb.call(s.received(), "received");
                    cb.call(s.stored(), "stored");
                    cb.call(s.duplicates(), "duplicate");
                    cb.call(s.unsupported(), "unsupported");
                    cb.call(s.malformed(), "malformed");
                    cb.call(s.failures(), "failed");
                }).register(registry);
        CounterWithCallback.builder().name("campus_edge_city_command_links").help("Gateways' command links opened and closed (Hono's notifications)")
                .labelNames("event").callback(cb -> {
                    IngestStats s = ingest.get();
                    cb.call(s.connects(), "opened");
                    cb.call(s.disconnects(), "closed");
                }).register(registry);
        GaugeWithCallback.builder().name("campus_edge_city_hono_connected").help("1 while the northbound consumers are connected to Hono")
                .callback(cb -> cb.call(connected.getAsBoolean() ? 1 : 0)).register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
    }

    boolean bearer(WebExchange ex) {
        return token.presentedBy(ex);
    }

    /** Answers {@code /metrics} or {@code /health} for a caller already let in. */
    void serve(WebExchange ex, String path) throws IOException {
        if (path.equals("/health")) {
            boolean up = connected.getAsBoolean();
            Http.json(ex, 200, Json.MAPPER.writeValueAsBytes(Json.MAPPER.createObjectNode().put("status", up ? "UP" : "DEGRADED")
                    .put("honoConnected", up)));
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        String accept = ex.header("Accept");
        OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();
        if (accept != null && openMetrics.accepts(accept)) {
            openMetrics.write(out, registry.scrape());
            Http.send(ex, 200, openMetrics.getContentType(), out.toByteArray());
        } else {
            PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
            text.write(out, registry.scrape());
            Http.send(ex, 200, text.getContentType(), out.toByteArray());
        }
    }
}
