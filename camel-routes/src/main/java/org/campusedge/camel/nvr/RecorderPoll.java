package org.campusedge.camel.nvr;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.RejectedInputException;
import org.campusedge.camel.ingest.IngestHeaders;
import org.campusedge.camel.ingest.IngressCounters;
import org.campusedge.camel.ingest.Text;
import org.campusedge.net.DigestClient;
import org.campusedge.net.DigestLogins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step of a recorder's route that asks it how it is, over its ISAPI (HTTP Digest with the
 * recorder's key, its id as user name, unless the inventory marks it {@code security: none}),
 * without holding a thread while it waits: the disks ({@code GET /ISAPI/ContentMgmt/Storage/hdd}),
 * the channels' recording ({@code GET /ISAPI/System/workingstatus?format=json}) and, every
 * {@code retentionEvery} polls, each channel's oldest recording (a {@code POST
 * /ISAPI/ContentMgmt/search} for its main track, one match). It leaves the events as the body. A
 * recorder that does not answer leaves none (so it goes offline); one that refuses the gateway's
 * key, or answers what cannot be read, is counted against it and leaves none.
 */
final class RecorderPoll extends AsyncProcessorSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RecorderPoll.class);
    /** Header set true when a poll read the recorder and left its events to be stored. */
    static final String READ = "CampusRecorderRead";
    /** Header with the recorder's base URL, from the inventory's address. */
    static final String ADDRESS = "CampusDeviceAddress";

    private final DeviceRegistry registry;
    private final IngressCounters counters;
    private final DeviceCredentials credentials;
    private final HttpClient http;
    private final Duration timeout;
    private final Duration retention;
    private final int retentionEvery;
    private final IsapiStatusParser parser = new IsapiStatusParser();
    private final RecorderEvents events;
    private final DigestLogins logins = new DigestLogins();
    private final Map<String, Map<Integer, Instant>> oldest = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> polls = new ConcurrentHashMap<>();
    private final Map<String, String> lastProblem = new ConcurrentHashMap<>();
    /** The recorders being polled now: a poll still in flight when the next is due is not doubled. */
    private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();

    RecorderPoll(DeviceRegistry registry, IngressCounters counters, DeviceCredentials credentials, HttpClient http, Duration timeout,
                 Duration retention, int retentionEvery) {
        this.registry = registry;
        this.counters = counters;
        this.credentials = credentials;
        this.http = http;
        this.timeout = timeout;
        this.retention = retention;
        this.retentionEvery = Math.max(1, retentionEvery);
        this.events = new RecorderEvents(registry);
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        String deviceId = exchange.getIn().getHeader(IngestHeaders.DEVICE_ID, String.class);
        Device nvr = registry.device(deviceId).orElse(null);
        if (nvr == null) {
            exchange.getIn().setBody(List.of());
            callback.done(true);
            return true;
        }
        URI base;
        try {
            base = URI.create(exchange.getIn().getHeader(ADDRESS, String.class));
            if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null) {
                throw new IllegalArgumentException("'" + base + "' is not http://HOST[:PORT]");
            }
        } catch (RuntimeException e) {
            problem(nvr, new Refused("the inventory's address is not the recorder's URL: " + e.getMessage()));
            exchange.getIn().setBody(List.of());
            callback.done(true);
            return true;
        }
        if (!inFlight.add(nvr.id())) { // the poll before is still running (and will be cut off at its deadline): not doubled
            LOG.debug("Recorder {}: the previous poll had not ended when the next was due", nvr.id());
            exchange.getIn().setBody(List.of());
            callback.done(true);
            return true;
        }
        CompletableFuture<RecorderStatus> poll;
        try {
            DigestClient digest = digestFor(nvr);
            boolean search = polls.computeIfAbsent(nvr.id(), k -> new AtomicLong()).getAndIncrement() % retentionEvery == 0;
            // one request after the other: the first is challenged, the second goes out on the recorder's nonce (two in
            // parallel would both be challenged, and a recorder giving both the same nonce would refuse the second retry)
            poll = get(base, "/ISAPI/ContentMgmt/Storage/hdd", digest, nvr)
                    .thenCompose(hdd -> get(base, "/ISAPI/System/workingstatus?format=json", digest, nvr)
                            .thenApply(working -> new RecorderStatus(parser.disks(hdd), parser.channels(working), null)))
                    .thenCompose(s -> search ? oldest(base, digest, nvr, s) : CompletableFuture.completedFuture(s));
        } catch (RuntimeException e) {
            poll = CompletableFuture.failedFuture(e);
        }
        poll.whenComplete((status, failure) -> {
            inFlight.remove(nvr.id());
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            if (failure != null) {
                problem(nvr, failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
                exchange.getIn().setBody(List.of());
            } else {
                if (lastProblem.remove(nvr.id()) != null) {
                    LOG.info("Recorder {} answers again", nvr.id());
                }
                if (status.oldest() != null) {
                    oldest.merge(nvr.id(), status.oldest(), (before, found) -> {
                        Map<Integer, Instant> m = new HashMap<>(before);
                        m.putAll(found);
                        return m;
                    });
                }
                exchange.getIn().setBody(events.of(nvr, status, retentionOf(nvr), oldest.get(nvr.id()), now));
                exchange.getIn().setHeader(READ, Boolean.TRUE);
            }
            callback.done(false);
        });
        return false;
    }

    /** The school's retention, or the recorder's own where the inventory gives it ({@code retentionDays}). */
    private Duration retentionOf(Device nvr) {
        String days = nvr.properties().get("retentionDays");
        try {
            return days == null ? retention : Duration.ofDays(Long.parseLong(days.trim()));
        } catch (NumberFormatException e) {
            return retention;
        }
    }

    private void problem(Device nvr, Throwable failure) {
        String why;
        if (failure instanceof RejectedInputException r) {
            why = Text.answer(r.getMessage());
            counters.rejected(nvr.id(), why);
        } else if (failure instanceof Refused r) {
            why = r.getMessage();
            counters.rejected(nvr.id(), why);
        } else if (failure instanceof java.util.concurrent.CancellationException) {
            why = "the recorder did not finish its answer within " + 2 * timeout.toSeconds() + " s";
            counters.rejected(nvr.id(), why);
        } else {
            why = "unreachable: " + failure;
        }
        why = Text.answer(why); // a device's words: one line, short
        if (!why.equals(lastProblem.put(nvr.id(), why))) {
            LOG.warn("Recorder {}: {}", nvr.id(), why);
        }
    }

    /**
     * Each channel's oldest recording, one search per channel the inventory maps to a camera (every channel when it maps
     * none), one after the other (a recorder's search is slow). A search that fails or cannot be read leaves that
     * channel unknown until the next round: the disks and channels of this poll are reported all the same.
     */
    private CompletableFuture<RecorderStatus> oldest(URI base, DigestClient digest, Device nvr, RecorderStatus s) {
        Map<Integer, Instant> found = new HashMap<>();
        java.util.Set<Integer> mapped = RecorderEvents.cameras(nvr).keySet();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (RecorderStatus.Channel c : s.channels()) {
            if (!mapped.isEmpty() && !mapped.contains(c.number())) {
                continue;
            }
            chain = chain.thenCompose(v -> send(base, "/ISAPI/ContentMgmt/search", "POST", searchFor(c.number()), digest, nvr)
                    .thenAccept(body -> found.put(c.number(), parser.firstMatchStart(body)))
                    .exceptionally(e -> {
                        problem(nvr, e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
                        return null;
                    }));
        }
        return chain.thenApply(v -> new RecorderStatus(s.disks(), s.channels(), found));
    }

    private CompletableFuture<byte[]> get(URI base, String target, DigestClient digest, Device nvr) {
        return send(base, target, "GET", null, digest, nvr);
    }

    private CompletableFuture<byte[]> send(URI base, String target, String method, String body, DigestClient digest, Device nvr) {
        URI uri = base.resolve(target);
        return DigestClient.exchange(digest, () -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                b.header("Content-Type", "application/xml");
            }
            String authorization = digest == null ? null : digest.authorization(method, target);
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(b.build(), BoundedBody.upTo(IsapiStatusParser.MAX_BYTES));
            // the request's timeout covers the headers only: a body trickled a byte at a time would hold the poll (and a
            // connection) for ever, so the whole answer gets twice that, then the exchange is cancelled
            CompletableFuture.delayedExecutor(2 * timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> answer.cancel(true));
            return answer;
        }).thenApply(r -> {
            counters.seen(nvr.id());
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new Refused("the recorder did not accept the gateway's credentials (HTTP " + r.statusCode()
                        + " on " + target + "); is it set up with its key from the secrets file?");
            }
            if (r.statusCode() != 200) {
                throw new Refused("the recorder answered " + r.statusCode() + " on " + target);
            }
            return r.body();
        });
    }

    static String searchFor(int channel) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CMSearchDescription><searchID>" + UUID.randomUUID() + "</searchID>"
                + "<trackIDList><trackID>" + (channel * 100 + 1) + "</trackID></trackIDList>"
                + "<timeSpanList><timeSpan><startTime>2000-01-01T00:00:00Z</startTime><endTime>" + now + "</endTime></timeSpan></timeSpanList>"
                + "<maxResults>1</maxResults><searchResultPostion>0</searchResultPostion>"
                + "<metadataList><metadataDescriptor>//recordType.meta.std-cgi.com</metadataDescriptor></metadataList>"
                + "</CMSearchDescription>";
    }

    /** The Digest client for a recorder's current key, or null when the inventory says it takes none (or it has none: refused, on record). */
    private DigestClient digestFor(Device nvr) {
        boolean none = credentials == null || nvr.unprotected();
        return logins.of(nvr.id(), none ? null : credentials.secret(nvr.id()).map(DeviceCredentials.Secret::value).orElse(null));
    }

    /** The recorder answered, but not what a poll can use. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
