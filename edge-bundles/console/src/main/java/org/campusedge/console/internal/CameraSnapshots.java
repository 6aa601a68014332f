package org.campusedge.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventQuery;
import org.campusedge.api.EventStore;
import org.campusedge.api.Families;
import org.campusedge.net.DigestClient;

/**
 * A camera's snapshot for the guard's timeline, fetched by the gateway (the browser cannot reach the
 * camera network, and must not hold the camera's login). Only what the camera itself reported is
 * fetched: the URL must be the {@code snapshotUrl} of one of that camera's events of the last week,
 * on the camera's own address from the inventory, so the console cannot be made to fetch anything
 * else on the school network. The camera's key signs the request (HTTP Digest, as for the PA
 * controller); an answer must be a JPEG or PNG of 2 MiB at most, within 5 s; four fetches at once.
 */
final class CameraSnapshots {

    /** What became of a request for a snapshot. */
    record Answer(int status, String type, byte[] body, String why) {
    }

    static final int MAX_BYTES = 2 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DeviceRegistry registry;
    private final EventStore store;
    private final java.util.function.Supplier<DeviceCredentials> credentials;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Semaphore fetching = new Semaphore(4);
    /** Per camera, the key its Digest login was made with: a rotated key makes a new one. */
    private final org.campusedge.net.DigestLogins logins = new org.campusedge.net.DigestLogins();

    CameraSnapshots(DeviceRegistry registry, EventStore store, java.util.function.Supplier<DeviceCredentials> credentials) {
        this.registry = registry;
        this.store = store;
        this.credentials = credentials;
    }

    Answer fetch(String deviceId, String url) {
        Device camera = registry.device(deviceId).filter(d -> d.family().equals(Families.CAMERA)).orElse(null);
        if (camera == null) {
            return refused("no such camera");
        }
        URI target;
        URI home;
        try {
            target = new URI(url);
            home = new URI(camera.address() == null ? "" : camera.address());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            return refused("not a URL");
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || target.getUserInfo() != null || target.getHost() == null
                || !target.getHost().equalsIgnoreCase(home.getHost() == null ? "" : home.getHost()) || port(target) != port(home)) {
            return refused("not on the camera's own address");
        }
        if (!reported(deviceId, url)) {
            return refused("not a snapshot this camera reported in the last week");
        }
        if (!fetching.tryAcquire()) {
            return new Answer(503, null, null, "other snapshots are being fetched; try again in a moment");
        }
        try {
            DigestClient login = login(camera);
            HttpResponse<InputStream> r = DigestClient.exchange(login, () -> http.sendAsync(request(target, login),
                    HttpResponse.BodyHandlers.ofInputStream())).get(TIMEOUT.toSeconds() + 1, java.util.concurrent.TimeUnit.SECONDS);
            try (InputStream in = r.body()) {
                String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT).split(";")[0].strip();
                if (r.statusCode() != 200) {
                    return new Answer(502, null, null, "the camera answered " + r.statusCode());
                }
                if (!type.equals("image/jpeg") && !type.equals("image/png")) {
                    return new Answer(502, null, null, "the camera's answer is not a JPEG or PNG image");
                }
                byte[] body = in.readNBytes(MAX_BYTES + 1);
                if (body.length > MAX_BYTES) {
                    return new Answer(502, null, null, "the camera's image is over 2 MiB");
                }
                return new Answer(200, type, body, null);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            return new Answer(504, null, null, "the camera did not answer within 5 s");
        } catch (Exception e) {
            return new Answer(502, null, null, "the camera cannot be reached: " + e.getClass().getSimpleName());
        } finally {
            fetching.release();
        }
    }

    private static HttpRequest request(URI target, DigestClient login) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(TIMEOUT).GET();
        if (login != null) {
            String auth = login.authorization("GET", target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
            if (auth != null) {
                b.header("Authorization", auth);
            }
        }
        return b.build();
    }

    private DigestClient login(Device camera) {
        DeviceCredentials creds = credentials.get();
        boolean none = creds == null || camera.unprotected();
        return logins.of(camera.id(), none ? null : creds.secret(camera.id()).map(DeviceCredentials.Secret::value).orElse(null));
    }

    /** Whether one of the camera's events of the last week carries exactly this snapshot URL. */
    private boolean reported(String deviceId, String url) {
        Instant now = Instant.now();
        for (CampusEvent e : store.query(new EventQuery(now.minus(Duration.ofDays(7)), now.plus(Duration.ofHours(1)), deviceId, "camera.*",
                500, null, true))) {
            if (url.equals(e.attributes().get("snapshotUrl"))) {
                return true;
            }
        }
        return false;
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static Answer refused(String why) {
        return new Answer(403, null, null, why);
    }
}
