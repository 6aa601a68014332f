package org.campusedge.city;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.eclipse.hono.application.client.ApplicationClient;
import org.eclipse.hono.application.client.DownstreamMessage;
import org.eclipse.hono.application.client.MessageContext;
import org.eclipse.hono.client.ServiceInvocationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends request/response commands to the schools' gateways ({@code gw-<school>}) through
 * {@link ApplicationClient#sendCommand}, all at once, and keeps each one and its outcome as a row in
 * {@code commands}: answered (with the gateway's status and body), timeout, or failed (Hono could not deliver it).
 */
final class Commands {

    static final String GATEWAY_PREFIX = "gw-";
    private static final Logger LOG = LoggerFactory.getLogger(Commands.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Context context;
    private final ApplicationClient<? extends MessageContext> client;
    private final String tenant;
    private final CityDatabase db;
    private final Duration timeout;
    private final LongSupplier clock;
    private final CommandSigner signer;

    Commands(Context context, ApplicationClient<? extends MessageContext> client, String tenant, CityDatabase db,
             Duration timeout, LongSupplier clock, CommandSigner signer) {
        this.signer = signer;
        this.context = context;
        this.client = client;
        this.tenant = tenant;
        this.db = db;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The Hono device id of a school's gateway. */
    static String gatewayOf(String school) {
        return GATEWAY_PREFIX + school;
    }

    /** The school of a gateway's device id, or null when the id is not a gateway's. */
    static String schoolOf(String device) {
        return device != null && device.startsWith(GATEWAY_PREFIX) && device.length() > GATEWAY_PREFIX.length()
                ? device.substring(GATEWAY_PREFIX.length()) : null;
    }

    private static void checkSchool(String school) {
        if (!validSchool(school)) {
            throw new IllegalArgumentException("not a school id: " + school);
        }
    }

    static boolean validSchool(String school) {
        return school != null && school.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
    }

    /** Sends a broadcast to its schools (every known school when it names none); returns at once. */
    BroadcastResult broadcast(BroadcastOrder order, String issuedBy) throws SQLException {
        List<String> schools = order.schools().isEmpty()
                ? db.query("SELECT id FROM schools ORDER BY id", rs -> rs.getString(1))
                : order.schools().stream().distinct().toList();
        if (order.schools().isEmpty()) {
            schools = schools.stream().filter(Commands::validSchool).toList(); // one odd row must not stop a city-wide notice
        }
        schools.forEach(Commands::checkSchool);
        ObjectNode body = MAPPER.createObjectNode();
        body.put("text", order.text());
        body.putPOJO("zones", order.zones());
        body.put("priority", order.priority());
        body.put("announcement", order.clip()); // a recording the schools' PA controllers have, by name
        String json = body.toString();
        String batch = "b-" + UUID.randomUUID();
        List<CompletableFuture<CommandRecord>> sends = new ArrayList<>();
        for (String school : schools) {
            sends.add(send(batch, school, "broadcast", json, issuedBy));
        }
        CompletableFuture<List<CommandRecord>> all = CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(v -> sends.stream().map(CompletableFuture::join).toList());
        LOG.info("broadcast {} sent to {} schools", batch, schools.size());
        return new BroadcastResult(batch, schools, all);
    }

    /**
     * Sends one command to one school's gateway.
     *
     * @param batch the broadcast it belongs to, or null
     * @param body  the request body, JSON
     * @return its row once it has an outcome
     */
    CompletableFuture<CommandRecord> send(String batch, String school, String command, String body, String issuedBy)
            throws SQLException {
        checkSchool(school);
        return sendPayload(batch, school, command, body, signer.sign(command, school, issuedBy, body), issuedBy);
    }

    /**
     * Sends a payload as given (a signed command, or anything else): the one way out to Hono.
     *
     * @param body what the command asks, recorded with it
     */
    CompletableFuture<CommandRecord> sendPayload(String batch, String school, String command, String body, String payload,
                                                 String issuedBy) throws SQLException {
        checkSchool(school);
        String id = "c-" + UUID.randomUUID();
        long sentAt = clock.getAsLong();
        db.commandSent(id, batch, school, command, body, sentAt, issuedBy);
        LOG.info("command {} to {} ({}) issued by {}", command, school, id, issuedBy == null ? "a program" : issuedBy);
        CompletableFuture<CommandRecord> done = new CompletableFuture<>();
        AtomicBoolean finished = new AtomicBoolean();
        context.runOnContext(v -> {
            client.sendCommand(tenant, gatewayOf(school), command, Buffer.buffer(payload), "application/jose", null, timeout, null)
                    .onComplete(ar -> finish(id, sentAt, ar, finished, done));
            // a guard, should the client never complete the request
            context.owner().setTimer(timeout.toMillis() + 5_000, t -> {
                if (finished.compareAndSet(false, true)) {
                    record(id, "timeout", null, "no outcome from the client", done);
                }
            });
        });
        return done;
    }

    private void finish(String id, long sentAt, AsyncResult<? extends DownstreamMessage<? extends MessageContext>> ar,
                        AtomicBoolean finished, CompletableFuture<CommandRecord> done) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (ar.succeeded()) {
            DownstreamMessage<? extends MessageContext> m = ar.result();
            Buffer p = m.getPayload();
            record(id, "answered", m.getStatus() == null ? 200 : m.getStatus(),
                    p == null ? null : p.toString(StandardCharsets.UTF_8), done);
            return;
        }
        Throwable t = ar.cause();
        int code = ServiceInvocationException.extractStatusCode(t);
        String detail = t.getMessage();
        boolean elapsed = clock.getAsLong() - sentAt >= timeout.toMillis() - 50;
        if (code == 503 && elapsed && (detail == null || !detail.startsWith("{"))) {
            record(id, "timeout", null, detail, done);
        } else if (t instanceof ServiceInvocationException && detail != null && detail.startsWith("{")) {
            // the gateway answered with an error status and a JSON body
            record(id, "answered", code, detail, done);
        } else {
            record(id, "failed", code, detail, done);
        }
    }

    private void record(String id, String status, Integer code, String response, CompletableFuture<CommandRecord> done) {
        try {
            db.commandDone(id, status, code, response, clock.getAsLong());
            done.complete(db.command(id).orElseThrow());
        } catch (SQLException | RuntimeException e) {
            LOG.error("cannot record the outcome of command {}: {}", id, e.toString());
            done.completeExceptionally(e);
        }
    }
}
