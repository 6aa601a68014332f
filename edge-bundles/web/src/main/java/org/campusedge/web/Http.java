package org.campusedge.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * Answers as the console and the city dashboard give them: every one with the strict headers
 * (no inline script, no framing, no sniffing, no referrer), JSON, text, redirects and class-path
 * files; and what a request carries: cookies, forms, its body, its CSRF token.
 */
public final class Http {

    /** The header every state-changing request carries its session's CSRF token in. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final JsonFactory JSON = new JsonFactory();

    /**
     * What a page may load and run: its own scripts, styles and API, nothing inline (a device's
     * name or an alarm's text that slipped past escaping cannot run), no frames, no forms posted
     * elsewhere. ECharts draws on a canvas and needs no more.
     */
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    /** How long a browser keeps a file named by its version (the charting library): a year. */
    public static final String IMMUTABLE = "public, max-age=31536000, immutable";

    /** Writes JSON with a generator. */
    public interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private Http() {
    }

    /**
     * A session cookie's attributes: never readable by a script, never sent along with another
     * site's request, and over HTTPS never sent in clear.
     */
    public static String cookieAttributes(boolean secure) {
        return "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** A cookie's value, or null. */
    public static String cookie(WebExchange ex, String name) {
        String header = ex.header("Cookie");
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return kv[1];
            }
        }
        return null;
    }

    /** True when the request carries this CSRF token in {@link #CSRF_HEADER}; compared in constant time. */
    public static boolean csrfMatches(WebExchange ex, String token) {
        String given = ex.header(CSRF_HEADER);
        return given != null && token != null
                && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** An application/x-www-form-urlencoded body or a query string, as a map (the last of a name wins). */
    public static Map<String, String> form(String encoded) {
        Map<String, String> out = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String pair : encoded.split("&")) {
            String[] kv = pair.split("=", 2);
            try {
                out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a broken %-escape: that pair is not there
            }
        }
        return out;
    }

    /** The request's body (read and bounded by the server before the request reached the application). */
    public static byte[] bodyBytes(WebExchange ex) throws IOException {
        try (InputStream in = ex.body()) {
            return in.readAllBytes();
        }
    }

    public static String body(WebExchange ex) throws IOException {
        return new String(bodyBytes(ex), StandardCharsets.UTF_8);
    }

    public static void json(WebExchange ex, int status, JsonBody body) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            body.write(g);
        }
        json(ex, status, w.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static void json(WebExchange ex, int status, byte[] json) throws IOException {
        send(ex, status, "application/json; charset=utf-8", json);
    }

    public static void text(WebExchange ex, int status, String text) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * True when the browser says the request comes from another site's page ({@code Sec-Fetch-Site}):
     * a form elsewhere that would sign this browser in as someone else. A client that sends no such
     * header (a script, an older browser) is not refused for it.
     */
    public static boolean crossSite(WebExchange ex) {
        String site = ex.header("Sec-Fetch-Site");
        return site != null && !site.equals("same-origin") && !site.equals("none");
    }

    public static void redirect(WebExchange ex, String to) throws IOException {
        ex.responseHeaders().put("Location", to);
        ex.send(303, new byte[0]);
    }

    /**
     * A file from the class path ({@code folder + path}), typed by its name; one under {@code /vendor/}
     * (named by its version) is kept by the browser for a year. 404 when there is none.
     */
    public static void resource(WebExchange ex, int status, ClassLoader loader, String folder, String path) throws IOException {
        if (!path.matches("(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}){1,4}") || path.contains("..")) {
            text(ex, 404, "not found"); // only plain names under the folder: never a way out of it
            return;
        }
        try (InputStream in = loader.getResourceAsStream(folder + path)) {
            if (in == null) {
                text(ex, 404, "not found");
                return;
            }
            String type = path.endsWith(".html") ? "text/html; charset=utf-8" : path.endsWith(".js")
                    ? "text/javascript; charset=utf-8" : path.endsWith(".css") ? "text/css; charset=utf-8" : "text/plain; charset=utf-8";
            send(ex, status, type, in.readAllBytes(), path.startsWith("/vendor/") ? IMMUTABLE : "no-store");
        }
    }

    public static void send(WebExchange ex, int status, String type, byte[] bytes) throws IOException {
        send(ex, status, type, bytes, "no-store");
    }

    public static void send(WebExchange ex, int status, String type, byte[] bytes, String cacheControl) throws IOException {
        ex.responseHeaders().put("Content-Type", type);
        ex.responseHeaders().put("Cache-Control", cacheControl);
        ex.responseHeaders().put("Content-Security-Policy", CSP);
        ex.responseHeaders().put("Referrer-Policy", "no-referrer");
        ex.responseHeaders().put("X-Content-Type-Options", "nosniff");
        ex.responseHeaders().put("X-Frame-Options", "DENY");
        ex.send(status, bytes);
    }
}
