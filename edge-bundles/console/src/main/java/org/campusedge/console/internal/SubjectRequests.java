package org.campusedge.console.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.CardSubjects;
import org.campusedge.api.EventStore;
import org.campusedge.api.Severity;
import org.campusedge.api.json.EventCodec;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;
import org.campusedge.web.Sessions;

/**
 * The data-protection officer's requests about one child's card (PIPL arts. 45 and 47), on the
 * admin page: a subject-access export of every card event the store holds for it, and its erasure.
 * The officer types the number printed on the card; the gateway turns it into the pseudonyms it had
 * in each rotation period (it never stores the number) and finds the events by them. Both are
 * audited (in the tamper-evident trail) with who asked, the officer's reference and how many
 * events, never the card number. An erasure does not reach backups taken before it: they age out
 * ({@code store.backupKeep}).
 */
final class SubjectRequests {

    /** How far back pseudonyms are looked for: any card retention a school may set. */
    static final Duration LOOK_BACK = Duration.ofDays(3660);
    static final int MAX_REFERENCE = 100;

    private final EventStore store;
    private final Supplier<CardSubjects> subjects;
    private final AuditLog audit;

    SubjectRequests(EventStore store, Supplier<CardSubjects> subjects, AuditLog audit) {
        this.store = store;
        this.subjects = subjects;
        this.audit = audit;
    }

    /** {@code card}, {@code reference}: answers the card's events as a JSON download. */
    void export(WebExchange ex, Sessions.Session<Users.User> s) throws IOException {
        Request r = request(ex);
        if (r == null) {
            return;
        }
        List<CampusEvent> events = store.cardEvents(r.pseudonyms());
        audit.record("audit.subject-export", Severity.NOTICE, Map.of("by", s.user().name(), "reference", r.reference(),
                "events", Integer.toString(events.size())));
        ex.responseHeaders().put("Content-Disposition", "attachment; filename=\"card-export-" + Instant.now().toString().substring(0, 10) + ".json\"");
        Http.json(ex, 200, g -> {
            g.writeStartObject();
            g.writeStringField("exportedAt", Instant.now().toString());
            g.writeStringField("reference", r.reference());
            g.writeStringField("about", "every card event this gateway holds for the card, under each pseudonym it had; the number itself is never stored");
            g.writeNumberField("events", events.size());
            g.writeArrayFieldStart("cardEvents");
            for (CampusEvent e : events) {
                g.writeRawValue(EventCodec.toJson(e));
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code card}, {@code reference}, {@code confirm=ERASE}: deletes the card's events; answers how many. */
    void erase(WebExchange ex, Sessions.Session<Users.User> s) throws IOException {
        Request r = request(ex);
        if (r == null) {
            return;
        }
        if (!"ERASE".equals(r.form().get("confirm"))) {
            Http.text(ex, 400, "an erasure cannot be undone: send confirm=ERASE");
            return;
        }
        // audited when it is done, even if that is after this request gave up waiting
        java.util.concurrent.CompletableFuture<Integer> done = store.eraseCardEvents(r.pseudonyms()).toCompletableFuture()
                .whenComplete((n, failure) -> audit.record("audit.subject-erasure", Severity.WARNING, Map.of("by", s.user().name(),
                        "reference", r.reference(), "events", n == null ? "failed: " + failure : Integer.toString(n))));
        int erased;
        try {
            erased = done.get(ConsoleServer.STORE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            Http.text(ex, 503, "the erasure is not finished (it is audited when it is): " + e.getMessage());
            return;
        }
        Http.json(ex, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("erased", erased);
            g.writeStringField("note", "backups taken before keep these events until they age out");
            g.writeEndObject();
        });
    }

    private record Request(Map<String, String> form, List<String> pseudonyms, String reference) {
    }

    /** The request's card turned into pseudonyms, or null when it was answered with why not. */
    private Request request(WebExchange ex) throws IOException {
        Map<String, String> form = Http.form(Http.body(ex));
        String card = form.getOrDefault("card", "").strip();
        String reference = form.getOrDefault("reference", "").strip();
        if (reference.isEmpty() || reference.length() > MAX_REFERENCE) {
            Http.text(ex, 400, "give the request's reference (1 to " + MAX_REFERENCE + " characters): it goes into the audit record");
            return null;
        }
        CardSubjects cards = subjects.get();
        if (cards == null) {
            Http.text(ex, 503, "the card readers' side of the gateway is not running");
            return null;
        }
        Instant now = Instant.now();
        try {
            // and a year ahead: a reader whose clock runs ahead stamps swipes in a period yet to come
            return new Request(form, cards.pseudonyms(card, now.minus(LOOK_BACK), now.plus(Duration.ofDays(400))), reference);
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, "not a card number: 4 to 20 digits, as printed on the card"); // never echoed back
            return null;
        }
    }
}
