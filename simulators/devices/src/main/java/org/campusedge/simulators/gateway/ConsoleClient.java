package org.campusedge.simulators.gateway;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The school console's HTTPS API as its first admin uses it (the password the gateway printed at its
 * first start), trusting the console's own certificate only.
 */
public final class ConsoleClient {

    private static final Pattern ADMIN = Pattern.compile("user 'admin', password (\\S+)");

    private final HttpClient http;
    /** No call waits longer than this: a console that does not answer is a failure to report, not a hang. */
    private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(15);
    private final String base;
    private final String cookie;
    private final String csrf;

    private ConsoleClient(HttpClient http, String base, String cookie, String csrf) {
        this.http = http;
        this.base = base;
        this.cookie = cookie;
        this.csrf = csrf;
    }

    /** Logs in as the first admin, with the password the gateway printed at its first start. */
    public static ConsoleClient admin(GatewayProcess gw) throws Exception {
        Matcher m = ADMIN.matcher(gw.console());
        if (!m.find()) {
            throw new IllegalStateException("no admin password in the gateway's output");
        }
        String base = gw.consoleUrl();
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10));
        if (base.startsWith("https:")) {
            b.sslContext(gw.consoleTrust()); // the gateway's own certificate, nothing else
        }
        HttpClient http = b.build();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String me = http.send(HttpRequest.newBuilder(URI.create(base + "/api/me")).timeout(TIMEOUT).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(me);
        if (!csrf.find()) {
            throw new IllegalStateException("no CSRF token in " + me);
        }
        return new ConsoleClient(http, base, cookie, csrf.group(1));
    }

    public String get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Posts a form with the session's CSRF token; returns the status code. */
    public int post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** Posts a form with the session's CSRF token; the whole response. */
    public HttpResponse<String> send(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header("Cookie", cookie).header("X-CSRF-Token", csrf)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Reads a stream (the live feed, Server-Sent Events) line by line on the client's threads until the server ends it. */
    public void stream(String path, java.util.function.Consumer<String> line) {
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(line));
    }
}
