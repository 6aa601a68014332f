package org.campusedge.notify.internal;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.campusedge.api.Alarms;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.DutyRosters;
import org.campusedge.api.Severity;
import org.campusedge.api.StallWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns alarm transitions into deliveries and sends them. A raise queues one delivery per channel of
 * each escalation level that covers it, due at the raise plus the level's delay; an acknowledgement
 * or clearing cancels the escalations not yet sent and tells the channels already told (so the
 * guard's group knows it is handled). Sending is asynchronous, at most {@link #IN_FLIGHT} at once,
 * each bounded by {@link Channel#TIMEOUT}, so a channel that hangs delays no other. A failed
 * delivery is retried after 2, 4, 8 ... up to 300 s for an hour, then given up and recorded. Each
 * outcome is an audit event on the alarm's record ({@code audit.notification-sent}, {@code -failing},
 * {@code -failed}, with the alarm key, channel, level and attempts), and a channel that has kept
 * failing for {@link #CHANNEL_STALL} is a gateway alarm of its own.
 */
final class Notifier {

    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    static final int IN_FLIGHT = 16;
    static final Duration GIVE_UP_AFTER = Duration.ofHours(1);
    static final Duration CHANNEL_STALL = Duration.ofMinutes(5);

    private final DeliveryQueue queue;
    private final Supplier<Plan> plan;
    private final HttpClient http;
    private final Clock clock;
    private final Consumer<CampusEvent> record;
    private final Supplier<Alarms> alarms;
    private final Supplier<DutyRosters> rosters;
    private final String school;
    private final ZoneId zone;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, StallWatch> channelWatch = new ConcurrentHashMap<>();
    /** E-mail goes out on a pool of its own (SMTP is blocking): a slow mail server holds up no robot. */
    private final MailSender mail = new MailSender(java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "notify-mail");
        t.setDaemon(true);
        return t;
    }));

    Notifier(DeliveryQueue queue, Supplier<Plan> plan, HttpClient http, Clock clock, Consumer<CampusEvent> record,
             Supplier<Alarms> alarms, String school, ZoneId zone) {
        this(queue, plan, http, clock, record, alarms, () -> null, school, zone);
    }

    /** @param rosters who is on duty when (the school calendar's), for levels that name a duty roster */
    Notifier(DeliveryQueue queue, Supplier<Plan> plan, HttpClient http, Clock clock, Consumer<CampusEvent> record,
             Supplier<Alarms> alarms, Supplier<DutyRosters> rosters, String school, ZoneId zone) {
        this.rosters = rosters;
        this.queue = queue;
        this.plan = plan;
        this.http = http;
        this.clock = clock;
        this.record = record;
        this.alarms = alarms;
        this.school = school;
        this.zone = zone;
    }

    /** An alarm transition from the bus (other events are ignored). */
    void onEvent(CampusEvent e) {
        if (!e.kind().startsWith("alarm.")) {
            return;
        }
        Map<String, String> a = e.attributes();
        String alarm = a.get("alarm");
        if (alarm == null) {
            return;
        }
        Instant now = clock.instant();
        Plan p = plan.get();
        switch (e.kind()) {
            case "alarm.raised" -> {
                Severity severity = Severity.valueOf(a.getOrDefault("alarmSeverity", e.severity().name()));
                int level = 0;
                for (Plan.Level l : p.levels()) {
                    if (l.covers(severity, a.get("rule"))) {
                        Message m = Message.of(e, level, l.after(), school, zone);
                        for (String channel : recipients(l, level, alarm, e.id(), e.occurredAt().plus(l.after()), p, e.occurredAt())) {
                            queue.add(alarm, e.id(), "raised", level, channel, e.occurredAt().plus(l.after()), m.text(), m.json(), now,
                                    e.occurredAt());
                        }
                    }
                    level++;
                }
            }
            case "alarm.acknowledged", "alarm.cleared" -> {
                queue.cancelEscalations(alarm);
                // those told of this alarm's latest raise (an escalation on its way counts as told), not of earlier ones with its key
                String raise = null;
                Instant raisedAt = Instant.MIN;
                for (DeliveryQueue.Delivery d : queue.ofAlarm(alarm)) {
                    if (d.kind().equals("raised") && !d.eventAt().isBefore(raisedAt)) {
                        raise = d.transition();
                        raisedAt = d.eventAt();
                    }
                }
                Set<String> told = new LinkedHashSet<>();
                if (raise != null) {
                    for (DeliveryQueue.Delivery d : queue.ofTransition(raise)) {
                        // not the records of deliveries that could not be made (nobody on duty, no such channel)
                        if ((!d.state().equals(DeliveryQueue.CANCELLED) || inFlight.contains(d.key())) && p.channels().containsKey(d.channel())) {
                            told.add(d.channel());
                        }
                    }
                }
                Message m = Message.of(e, 0, Duration.ZERO, school, zone);
                String kind = e.kind().substring("alarm.".length());
                for (String channel : told) {
                    queue.add(alarm, e.id(), kind, 0, channel, now, m.text(), m.json(), now, e.occurredAt());
                }
            }
            default -> {
            }
        }
    }

    /**
     * The channels of a level: its own, and those of whoever is on its duty roster when it is due
     * (the roster is read at the raise: a calendar changed before a later level goes out does not
     * move it). Nobody on duty, or a roster naming a channel the plan lacks, is on the alarm's record.
     */
    private Set<String> recipients(Plan.Level l, int level, String alarm, String transition, Instant due, Plan p, Instant eventAt) {
        Set<String> to = new LinkedHashSet<>(l.channels());
        if (l.duty() == null) {
            return to;
        }
        DutyRosters book = rosters.get();
        List<DutyRosters.OnDuty> on = book == null ? List.of() : book.onDuty(l.duty(), due);
        if (on.isEmpty()) {
            String why = book == null ? "the school calendar's duty rosters are not available" : !book.rosters().contains(l.duty())
                    ? "the school calendar has no duty roster '" + l.duty() + "'"
                    : "nobody is on the '" + l.duty() + "' duty roster at " + due.atZone(zone).toLocalDateTime();
            undeliverable(alarm, transition, level, "duty:" + l.duty(), eventAt, why);
        }
        for (DutyRosters.OnDuty d : on) {
            for (String channel : d.channels()) {
                if (p.channels().containsKey(channel)) {
                    to.add(channel);
                } else {
                    undeliverable(alarm, transition, level, channel, eventAt, "the '" + l.duty() + "' duty roster names channel "
                            + channel + " for " + d.on() + ", and notifications.yaml has no such channel");
                }
            }
        }
        return to;
    }

    /** A delivery that cannot be made, on the alarm's record once (a replay after a restart does not record it again). */
    private void undeliverable(String alarm, String transition, int level, String channel, Instant eventAt, String why) {
        if (queue.addUndeliverable(alarm, transition, level, channel, clock.instant(), eventAt, why)) {
            LOG.warn("Notification of {} (level {}): {}", alarm, level, why);
            audit("audit.notification-failed", Severity.WARNING, alarm, transition, channel, level, 0, why);
        }
    }

    /** Sends what is due; called often by the component's timer. */
    void dispatch() {
        Instant now = clock.instant();
        Plan p = plan.get();
        for (DeliveryQueue.Delivery d : queue.due(now, IN_FLIGHT * 2)) {
            if (inFlight.size() >= IN_FLIGHT) {
                return;
            }
            if (!inFlight.add(d.key())) {
                continue; // still on its way
            }
            if (!queue.isPending(d.key())) { // settled between the read and now
                inFlight.remove(d.key());
                continue;
            }
            if (d.level() > 0 && !stillUnacknowledged(d.alarm())) {
                inFlight.remove(d.key());
                queue.cancelEscalations(d.alarm()); // acknowledged or cleared while this gateway did not hear of it
                continue;
            }
            Channel channel = p.channels().get(d.channel());
            if (channel == null) {
                inFlight.remove(d.key());
                queue.failed(d.key(), d.attempts(), "the channel is no longer configured");
                audit("audit.notification-failed", Severity.WARNING, d, d.attempts(), "the channel is no longer configured");
                continue;
            }
            int attempt = d.attempts() + 1;
            java.util.concurrent.CompletableFuture<String> refused;
            try {
                // the whole exchange is bounded (a receiver that drips its body holds no slot for ever), and so is the body kept
                refused = channel.type() == Channel.Type.EMAIL
                        ? mail.send(channel.mailRoute(), channel.secret(), channel.loopback(), subject(d.text()), d.text())
                                .orTimeout(Channel.TIMEOUT.toSeconds() * 3 + 5, java.util.concurrent.TimeUnit.SECONDS)
                        : http.sendAsync(channel.request(d.text(), d.json(), now), LimitedBody.HANDLER)
                                .orTimeout(Channel.TIMEOUT.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS)
                                .thenApply(r -> channel.refusal(r.statusCode(), r.body()));
            } catch (RuntimeException e) {
                inFlight.remove(d.key());
                String why = "the request could not be made (" + e.getClass().getSimpleName() + ")"; // its message may hold the URL
                queue.failed(d.key(), attempt, why);
                audit("audit.notification-failed", Severity.WARNING, d, attempt, why);
                continue;
            }
            refused.whenComplete((refusal, failure) -> {
                try {
                    settled(d, attempt, failure != null ? describe(failure) : refusal);
                } catch (RuntimeException ex) {
                    LOG.warn("Notification {}: {}", d.key(), ex.getClass().getSimpleName());
                } finally {
                    inFlight.remove(d.key());
                }
            });
        }
    }

    /** An e-mail's subject: the message's first line (what, how severe, drill or not). */
    static String subject(String text) {
        String first = text.lines().findFirst().orElse("");
        return first.length() > 120 ? first.substring(0, 120) : first;
    }

    /** An escalation goes out only while the alarm is raised and unacknowledged (when the alarm book can be asked). */
    private boolean stillUnacknowledged(String alarm) {
        Alarms book = alarms.get();
        return book == null || book.get(alarm).map(a -> a.state() == org.campusedge.api.Alarm.State.RAISED).orElse(false);
    }

    private void settled(DeliveryQueue.Delivery d, int attempt, String refusal) {
        Instant now = clock.instant();
        StallWatch watch = channelWatch.computeIfAbsent(d.channel(), c -> new StallWatch("gateway:notification-channel-failing:" + c,
                "notification-channel", Severity.WARNING, null, CHANNEL_STALL, clock, alarms));
        if (refusal == null) {
            queue.sent(d.key(), now, attempt);
            synchronized (watch) {
                watch.ok("notifications to " + d.channel() + " go out again");
            }
            audit("audit.notification-sent", Severity.INFO, d, attempt, null);
            LOG.info("Notification of {} ({} level {}) delivered to {} after {} ms", d.alarm(), d.transition(), d.level(), d.channel(),
                    Duration.between(d.eventAt(), now).toMillis());
            return;
        }
        synchronized (watch) {
            watch.failed("notifications to " + d.channel() + " keep failing: " + refusal);
        }
        if (now.isAfter(d.madeAt().plus(GIVE_UP_AFTER))) {
            queue.failed(d.key(), attempt, refusal);
            audit("audit.notification-failed", Severity.WARNING, d, attempt, refusal);
            LOG.error("Notification of {} to {} given up after {} attempts: {}", d.alarm(), d.channel(), attempt, refusal);
            return;
        }
        long pause = Math.min(300, 1L << Math.min(attempt, 9));
        queue.retry(d.key(), now.plusSeconds(pause), attempt, refusal);
        if (attempt == 1) {
            audit("audit.notification-failing", Severity.WARNING, d, attempt, refusal);
            LOG.warn("Notification of {} to {} failed ({}); retrying", d.alarm(), d.channel(), refusal);
        }
    }

    /** What went wrong, without the exception's message: the JDK's client may put the request's URI (the robot's key) in it. */
    private static String describe(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof java.util.concurrent.TimeoutException || c instanceof java.net.http.HttpTimeoutException
                ? "no answer within " + (Channel.TIMEOUT.toSeconds() + 5) + " s" : c.getClass().getSimpleName();
    }

    private void audit(String kind, Severity severity, DeliveryQueue.Delivery d, int attempts, String error) {
        audit(kind, severity, d.alarm(), d.transition(), d.channel(), d.level(), attempts, error);
    }

    private void audit(String kind, Severity severity, String alarm, String transition, String channel, int level, int attempts,
                       String error) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("alarm", alarm);
        attrs.put("transition", transition);
        attrs.put("channel", channel);
        attrs.put("level", Integer.toString(level));
        attrs.put("attempts", Integer.toString(attempts));
        if (error != null) {
            attrs.put("error", error.length() > 200 ? error.substring(0, 200) : error);
        }
        try {
            record.accept(CampusEvent.builder().schoolId(school).deviceId("gateway").profileId("gateway").kind(kind).severity(severity)
                    .attributes(attrs).build());
        } catch (RuntimeException e) {
            LOG.warn("The notification record could not be published: {}", e.toString());
        }
    }

    /** Deliveries of an alarm, for its record. */
    List<DeliveryQueue.Delivery> deliveries(String alarm) {
        return queue.ofAlarm(alarm);
    }
}
