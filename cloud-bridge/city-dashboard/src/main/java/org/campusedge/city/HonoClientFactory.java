package org.campusedge.city;

import io.vertx.core.Vertx;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.MessageContext;
import org.eclipse.hono.application.client.amqp.ProtonBasedApplicationClient;
import org.eclipse.hono.client.amqp.config.ClientConfigProperties;
import org.eclipse.hono.client.amqp.connection.HonoConnection;

/**
 * The one place that knows Hono's AMQP northbound client. Everything else codes against
 * {@link ApplicationClient}, so a Kafka-based client ({@code KafkaApplicationClientImpl}) can replace this
 * factory without touching the rest of the dashboard.
 */
final class HonoClientFactory {

    private HonoClientFactory() {
    }

    /**
     * An AMQP application client for the configured northbound endpoint. The connection reconnects on its own,
     * forever, with back-off; {@code onReconnect} runs (on the connection's context) each time it is back, so the
     * consumers can be re-created at once.
     */
    static ApplicationClient<? extends MessageContext> create(Vertx vertx, CityConfig config, Runnable onReconnect) {
        ClientConfigProperties props = new ClientConfigProperties();
        props.setName("campus-edge-city-dashboard");
        props.setHost(config.honoHost());
        props.setPort(config.honoPort());
        if (config.honoUser() != null && !config.honoUser().isEmpty()) {
            props.setUsername(config.honoUser());
            props.setPassword(config.honoPassword() == null ? "" : config.honoPassword());
        }
        // TLS with the host name checked against the certificate; a certificate the trust store does not vouch for
        // ends the attempt before the password is sent
        props.setTlsEnabled(config.honoTls());
        props.setHostnameVerificationRequired(true);
        if (config.honoTls() && config.honoTrustStore() != null) {
            props.setTrustStorePath(config.honoTrustStore().toString());
        }
        props.setReconnectAttempts(-1);
        props.setReconnectMaxDelay(5_000);
        props.setLinkEstablishmentTimeout(5_000);
        props.setFlowLatency(1_000);
        props.setConnectTimeout(5_000);
        HonoConnection connection = HonoConnection.newConnection(vertx, props);
        connection.addReconnectListener(con -> onReconnect.run());
        return new ProtonBasedApplicationClient(connection);
    }
}
