package org.campusedge.notify.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a notification goes and how it is worded on the wire. The group robots of the messaging
 * apps schools in China use, by their documented webhook formats, and a generic webhook:
 * <ul>
 *   <li>{@code wecom}: a WeCom (企业微信) group robot, {@code POST} {@code {"msgtype":"text","text":{"content":...}}} to
 *       its {@code webhook/send?key=} URL; accepted when it answers {@code "errcode":0};</li>
 *   <li>{@code dingtalk}: a DingTalk (钉钉) custom robot, the same body; with a signing secret ("加签") the URL gets
 *       {@code timestamp} (ms) and {@code sign} = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded;
 *       accepted on {@code "errcode":0};</li>
 *   <li>{@code webhook}: the alarm as JSON; with a secret, {@code X-Campus-Signature: sha256=HEX} of the body; accepted on 2xx;</li>
 *   <li>{@code email}: through the school's SMTP server ({@link MailSender}), the secret being the server password.</li>
 * </ul>
 * A channel's URL carries its key, so it must be https, except on this machine's loopback (a local relay).
 */
record Channel(String id, Type type, URI url, String secret) {

    enum Type { WECOM, DINGTALK, WEBHOOK, EMAIL }

    private static final JsonFactory JSON = new JsonFactory();
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    Channel {
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("channel " + id + ": the URL has no host name Java can use"); // never the URL itself
        }
        if (type == Type.EMAIL) {
            MailSender.route(id, url); // smtps://, or smtp:// with STARTTLS required off this machine; from and to given
        } else {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !(scheme.equals("http") && LOOPBACK.contains(url.getHost()))) {
                throw new IllegalArgumentException("channel " + id + ": the URL must be https (it carries the robot's key);"
                        + " plain http only to this machine's loopback");
            }
        }
    }

    /**
     * The request that delivers a message ({@code text} for the robots, {@code json} for a webhook),
     * made at {@code now} (DingTalk's signature is valid for an hour from then).
     */
    HttpRequest request(String text, String json, Instant now) {
        URI target = url;
        String body;
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(TIMEOUT).header("Content-Type", "application/json; charset=utf-8");
        switch (type) {
            case WECOM -> body = text(text);
            case DINGTALK -> {
                body = text(text);
                if (secret != null && !secret.isBlank()) {
                    long ts = now.toEpochMilli();
                    String sign = Base64.getEncoder().encodeToString(hmac(secret, ts + "\n" + secret));
                    target = URI.create(url + (url.getRawQuery() == null ? "?" : "&") + "timestamp=" + ts + "&sign="
                            + URLEncoder.encode(sign, StandardCharsets.UTF_8));
                }
            }
            default -> {
                body = json;
                if (secret != null && !secret.isBlank()) {
                    b.header("X-Campus-Signature", "sha256=" + HexFormat.of().formatHex(hmac(secret, body)));
                }
            }
        }
        return b.uri(target).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    /** An e-mail channel's server, sender and recipients. */
    MailSender.Route mailRoute() {
        return MailSender.route(id, url);
    }

    /** Whether the channel's server is this machine (a local relay): the one place plain text may go. */
    boolean loopback() {
        return LOOPBACK.contains(url.getHost());
    }

    /** Whether the answer means delivered; null if so, else what went wrong. */
    String refusal(int status, String body) {
        if (status < 200 || status > 299) {
            return "HTTP " + status;
        }
        if (type == Type.WEBHOOK) {
            return null;
        }
        // the robots answer 200 with an error code for a wrong key, a bad signature or a rate limit
        String compact = body == null ? "" : body.replace(" ", "");
        return compact.contains("\"errcode\":0,") || compact.contains("\"errcode\":0}") ? null
                : "robot answered " + (body == null ? "nothing" : body.length() > 200 ? body.substring(0, 200) : body);
    }

    static String text(String content) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("msgtype", "text");
            g.writeObjectFieldStart("text");
            g.writeStringField("content", content);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }

    static byte[] hmac(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return id + " (" + type.name().toLowerCase(Locale.ROOT) + ")"; // never the URL: it holds the key
    }
}
