package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Small helpers for the console's handlers: cookies, forms, JSON and plain answers. */
final class Http {

    static final String COOKIE = "campus_session";
    static final JsonFactory JSON = new JsonFactory();
    static final int MAX_BODY = 16 * 1024;

    /** Writes JSON with a generator. */
    interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private Http() {
    }

    static String cookie(WebExchange ex, String name) {
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

    /** An application/x-www-form-urlencoded body or a query string, as a map. */
    static Map<String, String> form(String encoded) {
        Map<String, String> out = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String pair : encoded.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }

    static String body(WebExchange ex) throws IOException {
        try (InputStream in = ex.body()) {
            byte[] b = in.readNBytes(MAX_BODY + 1);
            if (b.length > MAX_BODY) {
                throw new IOException("request body over " + MAX_BODY + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static void json(WebExchange ex, int status, JsonBody body) throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            body.write(g);
        }
        send(ex, status, "application/json; charset=utf-8", w.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void text(WebExchange ex, int status, String text) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * True when the browser says the request comes from another site's page ({@code Sec-Fetch-Site}):
     * a form elsewhere that would sign this browser in as someone else. A client that sends no such
     * header (a script, an older browser) is not refused for it.
     */
    static boolean crossSite(WebExchange ex) {
        String site = ex.header("Sec-Fetch-Site");
        return site != null && !site.equals("same-origin") && !site.equals("none");
    }

    static void redirect(WebExchange ex, String to) throws IOException {
        ex.responseHeaders().put("Location", to);
        ex.send(303, new byte[0]);
    }

    /**
     * What a console page may load and run: its own scripts, styles and the API, nothing inline (a
     * device's name or an alarm's text that slipped past escaping cannot run), no frames, no forms
     * posted elsewhere. ECharts draws on a canvas and needs no more.
     */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    static void send(WebExchange ex, int status, String type, byte[] bytes) throws IOException {
        send(ex, status, type, bytes, "no-store");
    }

    static void send(WebExchange ex, int status, String type, byte[] bytes, String cacheControl) throws IOException {
        ex.responseHeaders().put("Content-Type", type);
        ex.responseHeaders().put("Cache-Control", cacheControl);
        ex.responseHeaders().put("Content-Security-Policy", CSP);
        ex.responseHeaders().put("Referrer-Policy", "no-referrer");
        ex.responseHeaders().put("X-Content-Type-Options", "nosniff");
        ex.responseHeaders().put("X-Frame-Options", "DENY");
        ex.send(status, bytes);
    }
}
