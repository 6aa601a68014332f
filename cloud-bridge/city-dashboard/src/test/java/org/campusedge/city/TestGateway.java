package org.campusedge.city;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonClientOptions;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonHelper;
import io.vertx.proton.ProtonQoS;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.transport.DeliveryState;
import org.apache.qpid.proton.message.Message;

/**
 * A school gateway as the tests need it, on raw vert.x proton against the sandbox's device port (Hono's AMQP
 * adapter): SASL PLAIN {@code gw-<school>@<tenant>}, one anonymous sender for telemetry and events, and a
 * receiver on {@code command} that answers {@code broadcast} and {@code status} with status 200 and a JSON body,
 * {@code rules} with 400 and {@code {"error": ...}}, and does not answer at all while {@link #silent} is set.
 */
final class TestGateway implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final String school;
    private ProtonConnection connection;
    private ProtonSender sender;
    final List<Message> commands = new CopyOnWriteArrayList<>();
    volatile boolean silent;

    private TestGateway(String school) {
        this.school = school;
    }

    /** Connects and opens the sender and the command receiver. */
    /** @param trust the Hono certificate to trust (AMQPS, host name checked), or null for plain AMQP */
    static TestGateway connect(String host, int port, String tenant, String school, String password, java.nio.file.Path trust)
            throws Exception {
        TestGateway g = new TestGateway(school);
        Promise<Void> ready = Promise.promise();
        ProtonClientOptions options = new ProtonClientOptions().addEnabledSaslMechanism("PLAIN");
        if (trust != null) {
            options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                    .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(trust.toString()));
        }
        g.vertx.runOnContext(v -> ProtonClient.create(g.vertx).connect(options,
                host, port, "gw-" + school + "@" + tenant, password, ar -> {
                    if (ar.failed()) {
                        ready.fail(ar.cause());
                        return;
                    }
                    ProtonConnection con = ar.result();
                    g.connection = con;
                    con.openHandler(open -> {
                        if (open.failed()) {
                            ready.fail(open.cause());
                            return;
                        }
                        g.sender = con.createSender(null);
                        g.sender.setQoS(ProtonQoS.AT_LEAST_ONCE);
                        g.sender.openHandler(s -> {
                            ProtonReceiver r = con.createReceiver("command");
                            r.setQoS(ProtonQoS.AT_LEAST_ONCE);
                            r.handler((delivery, msg) -> g.onCommand(msg));
                            r.openHandler(ro -> {
                                if (ro.succeeded()) {
                                    ready.tryComplete();
                                } else {
                                    ready.tryFail(ro.cause());
                                }
                            });
                            r.open();
                        });
                        g.sender.open();
                    }).open();
                }));
        try {
            ready.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            g.close();
            throw e;
        }
        return g;
    }

    private void onCommand(Message command) {
        commands.add(command);
        if (silent) {
            return;
        }
        boolean bad = "rules".equals(command.getSubject());
        Object correlation = command.getCorrelationId() != null ? command.getCorrelationId() : command.getMessageId();
        String body = bad ? "{\"error\":\"invalid rule set\"}" : "{\"school\":\"" + school + "\",\"controller\":\"pa-1\",\"requestId\":\"r-" + commands.size()
                + "\",\"outcome\":\"accepted\",\"zones\":[\"all\"],\"command\":\"" + command.getSubject() + "\"}";
        Message response = ProtonHelper.message(command.getReplyTo(), null);
        response.setCorrelationId(correlation);
        response.setContentType("application/json");
        response.setApplicationProperties(new ApplicationProperties(Map.of("status", bad ? 400 : 200)));
        response.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
        sender.send(response);
    }

    /** Sends a CloudEvent to {@code to} (e.g. {@code telemetry} or {@code event//cam-1}); returns the outcome. */
    DeliveryState send(String to, String contentType, String body) throws Exception {
        Promise<DeliveryState> outcome = Promise.promise();
        vertx.runOnContext(v -> {
            Message m = ProtonHelper.message(to, null);
            m.setContentType(contentType);
            m.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
            sender.send(m, d -> outcome.tryComplete(d.getRemoteState()));
        });
        return outcome.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Sends and insists on {@code accepted}. */
    void sendAccepted(String to, String body) throws Exception {
        DeliveryState s = send(to, Events.CE, body);
        if (!(s instanceof Accepted)) {
            throw new AssertionError("not accepted: " + s);
        }
    }

    @Override
    public void close() throws Exception {
        Promise<Void> closed = Promise.promise();
        vertx.runOnContext(v -> {
            if (connection != null && !connection.isDisconnected()) {
                connection.closeHandler(c -> closed.tryComplete()).close();
                vertx.setTimer(2000, t -> closed.tryComplete());
            } else {
                closed.tryComplete();
            }
        });
        try {
            closed.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
    }
}
