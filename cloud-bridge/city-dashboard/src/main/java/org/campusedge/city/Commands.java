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
    private final Duration retryEvery;

    Commands(Context context, ApplicationClient<? extends MessageContext> client, String tenant, CityDatabase db,
             Duration timeout, LongSupplier clock, CommandSigner signer, Duration retryEvery) {
        this.signer = signer;
        this.retryEvery = retryEvery;
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

    /**
     * Sends a broadcast to its schools (every known school when it names none) and keeps it until it expires: a school
     * that has not confirmed or refused it is tried again every {@code retryEvery} by {@link #retryDue} (on whichever
     * dashboard instance gets there first). Returns at once; the result's future completes with the first tries.
     */
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
        String batch = "b-" + UUID.randomUUID();
        body.put("batch", batch); // a school answers a later try of a broadcast its PA took as before, without playing it again
        String json = body.toString();
        long now = clock.getAsLong();
        long expiresAt = now + order.validFor().toMillis();
        // the first try of every school is this instance's: its next try is due one retry interval from now
        db.commands().issued(batch, "broadcast", json, issuedBy, now, expiresAt, now + retryEvery.toMillis(), schools);
        List<CompletableFuture<CommandRecord>> sends = new ArrayList<>();
        for (String school : schools) {
            sends.add(sendTry(new CommandRows.DueTarget(batch, school, now, "broadcast", json, issuedBy, expiresAt)));
        }
        CompletableFuture<List<CommandRecord>> all = CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                .thenApply(v -> sends.stream().map(CompletableFuture::join).toList());
        LOG.info("broadcast {} sent to {} schools, standing until {}", batch, schools.size(), java.time.Instant.ofEpochMilli(expiresAt));
        return new BroadcastResult(batch, schools, all);
    }

    /**
     * Sends the broadcast tries that are due: every pending school of an unexpired broadcast whose last try got no
     * answer within the retry interval. A try is claimed in the database first, so two instances never both send it.
     *
     * @return how many tries were sent
     */
    int retryDue() throws SQLException {
        int sent = 0;
        for (CommandRows.DueTarget t : db.commands().due(clock.getAsLong(), 200)) {
            long now = clock.getAsLong();
            if (now < t.expiresAtMs() && db.commands().claim(t.batch(), t.school(), t.dueAtMs(), now + retryEvery.toMillis())) {
                LOG.info("broadcast {}: trying {} again (no answer yet)", t.batch(), t.school());
                sendTry(t);
                sent++;
            }
        }
        return sent;
    }

    /** One try of a broadcast to one school, signed to expire with the broadcast; its answer is kept on the school's row. */
    private CompletableFuture<CommandRecord> sendTry(CommandRows.DueTarget t) throws SQLException {
        String payload = signer.sign(t.command(), t.school(), t.issuedBy(), t.body(), t.expiresAtMs());
        return sendPayload(t.batch(), t.school(), t.command(), t.body(), payload, t.issuedBy())
                .whenComplete((row, error) -> answered(t, row));
    }

    /** 2xx: confirmed; 4xx but for "not found", "timeout" and "too many": refused; anything else: tried again. */
    private void answered(CommandRows.DueTarget t, CommandRecord row) {
        if (row == null) {
            return; // the outcome could not be recorded: the school stays pending and is tried again
        }
        try {
            Integer code = row.code();
            boolean answer = "answered".equals(row.status()) && code != null;
            if (answer && code >= 200 && code < 300) {
                db.commands().answered(t.batch(), t.school(), "confirmed", code, row.response(), clock.getAsLong());
            } else if (answer && code >= 400 && code < 500 && code != 404 && code != 408 && code != 429) {
                db.commands().answered(t.batch(), t.school(), "refused", code, row.response(), clock.getAsLong());
            } else {
                db.commands().unanswered(t.batch(), t.school(), code,
                        row.status() + (row.response() == null ? "" : ": " + row.response()));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.error("cannot record the answer of {} to broadcast {}: {}", t.school(), t.batch(), e.toString());
        }
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
        db.commands().sent(id, batch, school, command, body, sentAt, issuedBy);
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
            db.commands().done(id, status, code, response, clock.getAsLong());
            done.complete(db.commands().byId(id).orElseThrow());
        } catch (SQLException | RuntimeException e) {
            LOG.error("cannot record the outcome of command {}: {}", id, e.toString());
            done.completeExceptionally(e);
        }
    }
}
