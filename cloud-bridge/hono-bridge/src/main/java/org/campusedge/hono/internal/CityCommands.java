package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.Broadcasts;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventBus;
import org.campusedge.api.Families;
import org.campusedge.api.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The city's commands to the school, as they arrive on the gateway's Hono command link:
 * {@code broadcast}, {@code rules} and {@code status} (cloud-bridge/CLOUD-MESSAGES.md). Each is
 * checked before anything is done — a command not signed by the bureau for this school, expired or
 * replayed ({@link CommandSignature}) is answered 401/403, a malformed or unknown one 400/404, and
 * nothing runs — carried out off the AMQP thread, answered with a status, and written to the store
 * as an {@code audit.city-command} event (a link of the tamper-evident trail). A command seen again with the same correlation
 * id within ten minutes is answered as before and not carried out twice. Broadcasts have their own
 * worker, so an emergency notice never waits behind a rule set being put in force; a command that
 * waited longer than the city waits for an answer ({@value #MAX_WAIT_S} s) is answered 504 and not
 * carried out — the city has given up on it and may send it again.
 */
final class CityCommands {

    /** What a command and its answer are stored as: an audit record, so a link of the tamper-evident trail. */
    static final String AUDIT_KIND = "audit.city-command";

    /** The answer to one command, and who at the bureau signed it (null when it was not taken as signed). */
    record Response(int status, Map<String, Object> body, String by) {
        Response(int status, Map<String, Object> body) {
            this(status, body, null);
        }
    }

    /** Where answers go: the command's reply-to, its correlation id, the status and the JSON body. */
    interface Responder {
        void respond(String replyTo, String correlationId, int status, byte[] body);
    }

    private static final Logger LOG = LoggerFactory.getLogger(CityCommands.class);
    private static final Duration REMEMBER = Duration.ofMinutes(10);
    private static final int MAX_BODY = 300 * 1024;
    private static final int MAX_TEXT = 2000;
    private static final int MAX_ZONES = 64;
    private static final int MAX_NAME = 100;
    static final long MAX_WAIT_S = 10;
    /** How long a broadcast waits for the PA controller's answer: within the city's own wait. */
    private static final long PA_ANSWER_S = 8;

    private final String gatewayId;
    private final DeviceRegistry registry;
    private final EventBus bus;
    private final Supplier<Broadcasts> broadcasts;
    private final RuleSetInstaller rules;
    private final Supplier<Map<String, Object>> status;
    private final ExecutorService worker;
    private final ExecutorService broadcastWorker;
    private final Map<String, Object[]> answered = new LinkedHashMap<>(); // correlation id -> {Response, Instant}
    /**
     * The city's broadcasts this school's PA took, by the city's broadcast id: the city tries a school again until it
     * confirms, and a try whose answer was lost (or late) must not play the notice a second time. The last 1,000.
     */
    private final Map<String, Response> played = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Response> eldest) {
            return size() > 1000;
        }
    };
    final AtomicLong received = new AtomicLong();
    volatile String last;
    private volatile Responder responder;
    private volatile Supplier<org.campusedge.api.Drills> drills = () -> null;
    private final CommandSignature signature;

    CityCommands(String gatewayId, DeviceRegistry registry, EventBus bus, Supplier<Broadcasts> broadcasts, RuleSetInstaller rules,
                 Supplier<Map<String, Object>> status, ExecutorService worker, ExecutorService broadcastWorker,
                 CommandSignature signature) {
        this.signature = signature;
        this.gatewayId = gatewayId;
        this.registry = registry;
        this.bus = bus;
        this.broadcasts = broadcasts;
        this.rules = rules;
        this.status = status;
        this.worker = worker;
        this.broadcastWorker = broadcastWorker;
    }

    void responder(Responder r) {
        this.responder = r;
    }

    /** Where a {@code drill} command starts or stops the school's drill. */
    void drills(Supplier<org.campusedge.api.Drills> d) {
        this.drills = d;
    }

    /** Called on the AMQP thread: hands the command to the worker and returns at once. */
    void onCommand(Message m) {
        received.incrementAndGet();
        String name = m.getSubject();
        Object corr = m.getCorrelationId() != null ? m.getCorrelationId() : m.getMessageId();
        String correlationId = corr == null ? null : corr.toString();
        String replyTo = m.getReplyTo();
        String target = property(m, "device_id");
        byte[] body = body(m);
        long arrived = System.nanoTime();
        ("broadcast".equals(name) ? broadcastWorker : worker).execute(() -> handle(name, correlationId, replyTo, target, body, arrived));
    }

    private void handle(String name, String correlationId, String replyTo, String target, byte[] body, long arrived) {
        Response r;
        boolean repeat = false;
        synchronized (answered) {
            Instant now = Instant.now();
            answered.values().removeIf(v -> ((Instant) v[1]).isBefore(now.minus(REMEMBER)));
            Object[] seen = correlationId == null ? null : answered.get(correlationId);
            r = seen == null ? null : (Response) seen[0];
            repeat = r != null;
        }
        if (r == null && System.nanoTime() - arrived > TimeUnit.SECONDS.toNanos(MAX_WAIT_S)) {
            r = error(504, "the command waited in the gateway longer than the city waits for an answer; not carried out");
        } else if (r == null) {
            r = execute(name, target, body);
            if (correlationId != null) {
                synchronized (answered) {
                    answered.put(correlationId, new Object[] {r, Instant.now()});
                }
            }
        }
        last = name + " " + r.status() + " " + Instant.now();
        audit(name, correlationId, r, repeat);
        LOG.info("City command {} ({}): {}{}", name, correlationId, r.status(), repeat ? " (a repeat, answered as before)" : "");
        Responder out = responder;
        if (replyTo != null && correlationId != null && out != null) {
            out.respond(replyTo, correlationId, r.status(), Json.write(r.body()));
        }
    }

    /** Checks and carries out one command. Never throws: a failure is a 500 answer. */
    Response execute(String name, String target, byte[] body) {
        try {
            if (name == null || name.isBlank()) {
                return error(400, "the command has no name (subject)");
            }
            if (target != null && !target.equals(gatewayId)) {
                return error(404, "commands go to the school gateway " + gatewayId + ", not " + target);
            }
            if (body.length > MAX_BODY) {
                return error(400, "the body is larger than " + MAX_BODY + " bytes");
            }
            if (!List.of("broadcast", "rules", "status", "drill").contains(name)) {
                return error(404, "unknown command '" + name + "' (known: broadcast, rules, status, drill)");
            }
            CommandSignature.Verified signed;
            try {
                signed = signature.verify(name, body);
            } catch (CommandSignature.Refused refused) {
                return error(refused.status, refused.getMessage());
            }
            Map<String, Object> req;
            try {
                req = Json.readObject(signed.body());
            } catch (IllegalArgumentException e) {
                return error(400, e.getMessage());
            }
            Response r = switch (name) {
                case "broadcast" -> broadcast(req, signed.user());
                case "rules" -> rules(req);
                case "drill" -> drill(req, signed.user());
                default -> new Response(200, status.get());
            };
            return new Response(r.status(), r.body(), signed.user());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(503, "the gateway is stopping");
        } catch (java.util.concurrent.TimeoutException e) {
            return error(504, "the school's device did not answer in time");
        } catch (Exception e) {
            LOG.warn("City command {} failed", name, e);
            return error(500, e.toString());
        }
    }

    private Response broadcast(Map<String, Object> req, String user) throws Exception {
        Object text = req.get("text");
        Object announcement = req.get("announcement");
        if ((text == null) == (announcement == null) || !(text == null || text instanceof String) || !(announcement == null
                || announcement instanceof String)) {
            return error(400, "give exactly one of text or announcement, as a string");
        }
        if (text != null && (((String) text).isBlank() || ((String) text).length() > MAX_TEXT)) {
            return error(400, "text must be 1-" + MAX_TEXT + " characters");
        }
        List<String> zones = new ArrayList<>();
        Object z = req.get("zones");
        if (z != null) {
            if (!(z instanceof List<?> l) || l.stream().anyMatch(o -> !(o instanceof String))) {
                return error(400, "zones must be a list of zone names");
            }
            if (l.size() > MAX_ZONES || l.stream().anyMatch(o -> ((String) o).isBlank() || ((String) o).length() > MAX_NAME)) {
                return error(400, "zones: at most " + MAX_ZONES + " names of 1-" + MAX_NAME + " characters");
            }
            for (Object o : l) {
                if (!"all".equals(o)) {
                    zones.add((String) o);
                }
            }
        }
        if (announcement != null && (((String) announcement).isBlank() || ((String) announcement).length() > MAX_NAME)) {
            return error(400, "announcement must be 1-" + MAX_NAME + " characters");
        }
        Object p = req.getOrDefault("priority", (long) BroadcastRequest.EMERGENCY);
        if (!(p instanceof Long pr) || pr < 0 || pr > 100) {
            return error(400, "priority must be a whole number 0-100");
        }
        Object id = req.get("batch");
        if (id != null && (!(id instanceof String) || ((String) id).isBlank() || ((String) id).length() > MAX_NAME)) {
            return error(400, "batch (the city's broadcast id) must be 1-" + MAX_NAME + " characters");
        }
        String batch = (String) id;
        if (batch != null) {
            synchronized (played) {
                Response before = played.get(batch);
                if (before != null) {
                    // a later try of a broadcast already playing here: answered as before, not played again
                    Map<String, Object> again = new LinkedHashMap<>(before.body());
                    again.put("repeat", true);
                    return new Response(before.status(), again);
                }
            }
        }
        Device controller = registry.devices().stream().filter(d -> d.family().equals(Families.BROADCAST))
                .min((a, b) -> a.id().compareTo(b.id())).orElse(null);
        if (controller == null) {
            return error(503, "this school has no broadcast controller in its inventory");
        }
        Broadcasts pa = broadcasts.get();
        if (pa == null) {
            return error(503, "the broadcast service is not running");
        }
        BroadcastRequest request = text != null
                ? BroadcastRequest.say(controller.id(), zones, (String) text, pr.intValue(), "city:" + user)
                : BroadcastRequest.play(controller.id(), zones, (String) announcement, pr.intValue(), "city:" + user);
        BroadcastResult result = pa.send(request).toCompletableFuture().get(PA_ANSWER_S, TimeUnit.SECONDS);
        int code = switch (result.outcome()) {
            case ACCEPTED, PARTIAL -> 200;
            case REFUSED -> 409;
            case UNREACHABLE -> 503;
        };
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("school", registry.schoolId());
        out.put("controller", controller.id());
        out.put("outcome", result.outcome().name());
        out.put("taskId", result.taskId());
        out.put("zones", new LinkedHashMap<>(result.zones()));
        out.put("message", result.message());
        Response r = new Response(code, out);
        if (batch != null && code == 200) {
            synchronized (played) {
                played.put(batch, r);
            }
        }
        return r;
    }

    /**
     * Starts a drill in this school ({@code {"minutes": 10, "name": "..."}}), the gateway choosing the
     * camera whose intrusion raises a CRITICAL alarm, or stops the running one ({@code {"stop": true}}).
     */
    private Response drill(Map<String, Object> req, String user) throws Exception {
        org.campusedge.api.Drills desk = drills.get();
        if (desk == null) {
            return error(503, "the rules service (which runs drills) is not running");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("school", registry.schoolId());
        if (Boolean.TRUE.equals(req.get("stop"))) {
            java.util.Optional<org.campusedge.api.Drill> stopped = desk.stop("city:" + user).toCompletableFuture()
                    .get(MAX_WAIT_S - 2, TimeUnit.SECONDS);
            if (stopped.isEmpty()) {
                return error(409, "no drill is running");
            }
            out.put("drill", stopped.get().id());
            out.put("stopped", true);
            return new Response(200, out);
        }
        Object minutes = req.getOrDefault("minutes", 10L);
        if (!(minutes instanceof Long m) || m < 1 || m > org.campusedge.api.Drill.LONGEST.toMinutes()) {
            return error(400, "minutes must be a whole number 1-" + org.campusedge.api.Drill.LONGEST.toMinutes());
        }
        Object name = req.getOrDefault("name", "district drill");
        if (!(name instanceof String n) || n.length() > MAX_NAME) {
            return error(400, "name must be a string of at most " + MAX_NAME + " characters");
        }
        try {
            org.campusedge.api.Drill d = desk.start(null, Families.CAMERA_INTRUSION, Duration.ofMinutes(m), n, "city:" + user)
                    .toCompletableFuture().get(MAX_WAIT_S - 2, TimeUnit.SECONDS);
            out.put("drill", d.id());
            out.put("device", d.deviceId());
            out.put("endsAt", d.endsAt().toString());
            return new Response(200, out);
        } catch (IllegalStateException e) {
            return error(409, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
    }

    private Response rules(Map<String, Object> req) throws Exception {
        if (!(req.get("name") instanceof String name) || !(req.get("yaml") instanceof String yaml)) {
            return error(400, "give name and yaml, as strings");
        }
        RuleSetInstaller.Outcome o = rules.install(name, yaml);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("school", registry.schoolId());
        out.put("name", name);
        if (o.status() == 200) {
            out.put("rules", (long) o.rules());
        } else {
            out.put("error", o.message());
        }
        return new Response(o.status(), out);
    }

    private Response error(int status, String reason) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("school", registry.schoolId());
        out.put("error", reason);
        return new Response(status, out);
    }

    private void audit(String name, String correlationId, Response r, boolean repeat) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("command", name == null ? "" : name);
        a.put("correlation", correlationId == null ? "" : correlationId);
        a.put("status", Integer.toString(r.status()));
        Object reason = r.body().get("error") != null ? r.body().get("error") : r.body().get("outcome");
        a.put("result", reason == null ? "" : reason.toString().length() > 300 ? reason.toString().substring(0, 300) : reason.toString());
        a.put("by", r.by() == null ? "city (not taken as signed)" : "city:" + r.by());
        if (repeat) {
            a.put("repeat", "true");
        }
        bus.publish(List.of(CampusEvent.builder().schoolId(registry.schoolId()).deviceId("gateway").profileId("gateway")
                .kind(AUDIT_KIND).severity(r.status() < 300 ? Severity.INFO : Severity.WARNING).attributes(a).build()))
                .exceptionally(t -> {
                    LOG.error("A city command could not be written to the audit log: {}", t.toString());
                    return null;
                });
    }

    private static String property(Message m, String key) {
        ApplicationProperties p = m.getApplicationProperties();
        Object v = p == null || p.getValue() == null ? null : p.getValue().get(key);
        return v == null ? null : v.toString();
    }

    private static byte[] body(Message m) {
        if (m.getBody() instanceof Data d && d.getValue() != null) {
            Binary b = d.getValue();
            byte[] out = new byte[b.getLength()];
            System.arraycopy(b.getArray(), b.getArrayOffset(), out, 0, b.getLength());
            return out;
        }
        if (m.getBody() instanceof AmqpValue v && v.getValue() instanceof String s) {
            return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new byte[0];
    }
}
