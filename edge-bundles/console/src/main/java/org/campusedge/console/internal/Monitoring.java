package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.campusedge.web.Http;
import org.campusedge.web.ScrapeToken;
import org.campusedge.web.WebExchange;

/**
 * {@code GET /metrics} (Prometheus or OpenMetrics text) and {@code GET /health} on the console's
 * port, for the school's monitoring: open to an admin's session, or to a scraper that sends {@code
 * Authorization: Bearer TOKEN} with the token from {@code data/metrics-token} (owner-only, made at
 * the first start; Prometheus reads it with {@code authorization: credentials_file}). Anyone else
 * gets 401 (403 for a person of another role) and neither figures nor the health of the gateway.
 */
final class Monitoring {

    private final GatewayMetrics metrics;
    private final GatewayHealth health;
    private final ScrapeToken token;

    Monitoring(GatewayMetrics metrics, GatewayHealth health, Path tokenFile) throws IOException {
        this.metrics = metrics;
        this.health = health;
        this.token = ScrapeToken.loadOrCreate(tokenFile);
    }

    /** True when the request carries the scrape token. */
    boolean bearer(WebExchange ex) {
        return token.presentedBy(ex);
    }

    /** Answers {@code /metrics} or {@code /health} for a caller already let in. */
    void serve(WebExchange ex, String path) throws IOException {
        if (path.equals("/metrics")) {
            GatewayMetrics.Scrape s = metrics.scrape(ex.header("Accept"));
            Http.send(ex, 200, s.type(), s.body());
            return;
        }
        StringWriter w = new StringWriter();
        GatewayHealth.Status status;
        try (JsonGenerator g = Http.JSON.createGenerator(w)) {
            status = health.write(g);
        }
        Http.json(ex, status == GatewayHealth.Status.DOWN ? 503 : 200, w.toString().getBytes(StandardCharsets.UTF_8));
    }
}
