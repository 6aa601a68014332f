package org.campusedge.notify.internal;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Sends a notification as an e-mail through the school's SMTP server, with Jakarta Mail (Eclipse
 * Angus). The channel's URL says where and to whom:
 * {@code smtps://USER@HOST:465/?from=gw@school.edu.cn&to=head@school.edu.cn,principal@school.edu.cn}
 * (TLS from the start) or {@code smtp://USER@HOST:587/?...} (STARTTLS required), the password being
 * the channel's secret; plain SMTP only to this machine's loopback (a local relay). Every step is
 * bounded (connect, read, write: {@link Channel#TIMEOUT}), and sending happens on a small pool of
 * its own, so a hanging mail server holds up no other channel.
 */
final class MailSender {

    /** Where and to whom, read from a channel's URL. */
    record Route(String host, int port, boolean implicitTls, String user, InternetAddress from, List<InternetAddress> to) {
    }

    private final ExecutorService pool;

    MailSender(ExecutorService pool) {
        this.pool = pool;
    }

    /** The route of an e-mail channel; IllegalArgumentException (without the URL: it may hold the user) when it is not one. */
    static Route route(String channelId, URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean implicit = scheme.equals("smtps");
        if (!implicit && !scheme.equals("smtp")) {
            throw new IllegalArgumentException("channel " + channelId + ": an e-mail channel's URL is smtps:// or smtp://");
        }
        String from = null;
        List<InternetAddress> to = new ArrayList<>();
        try {
            for (String kv : (url.getRawQuery() == null ? "" : url.getRawQuery()).split("&")) {
                String[] p = kv.split("=", 2);
                String v = p.length == 2 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "";
                if (p[0].equals("from")) {
                    from = v;
                } else if (p[0].equals("to")) {
                    for (String a : v.split(",")) {
                        if (!a.isBlank()) {
                            to.add(new InternetAddress(a.strip(), true));
                        }
                    }
                }
            }
            if (from == null || to.isEmpty()) {
                throw new IllegalArgumentException("channel " + channelId + ": an e-mail channel needs ?from=ADDRESS&to=ADDRESS[,ADDRESS]");
            }
            int port = url.getPort() > 0 ? url.getPort() : implicit ? 465 : 587;
            String user = url.getRawUserInfo() == null ? null : URLDecoder.decode(url.getRawUserInfo(), StandardCharsets.UTF_8);
            return new Route(url.getHost(), port, implicit, user, new InternetAddress(from, true), List.copyOf(to));
        } catch (AddressException e) {
            throw new IllegalArgumentException("channel " + channelId + ": an address is not valid (" + e.getRef() + ")");
        }
    }

    /** Sends; the future completes with null once the server accepted the message, or with what went wrong. */
    CompletableFuture<String> send(Route route, String password, boolean loopback, String subject, String text) {
        return CompletableFuture.supplyAsync(() -> {
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            // the mail session looks its providers up through the context class loader: this bundle's, where they are embedded
            t.setContextClassLoader(MailSender.class.getClassLoader());
            try {
                Session session = Session.getInstance(properties(route, password != null, loopback));
                MimeMessage m = new MimeMessage(session);
                m.setFrom(route.from());
                m.setRecipients(RecipientType.TO, route.to().toArray(InternetAddress[]::new));
                m.setSubject(subject, "UTF-8");
                m.setText(text, "UTF-8");
                m.setSentDate(new Date());
                Transport.send(m, route.user(), password);
                return null;
            } catch (MessagingException e) {
                // the class and the server's reply, never the password; the server's text is short and says why
                String why = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ");
                return "mail: " + e.getClass().getSimpleName() + (why.isEmpty() ? "" : ": " + (why.length() > 160 ? why.substring(0, 160) : why));
            } finally {
                t.setContextClassLoader(before);
            }
        }, pool);
    }

    private static Properties properties(Route r, boolean auth, boolean loopback) {
        Properties p = new Properties();
        String proto = r.implicitTls() ? "smtps" : "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail." + proto + ".host", r.host());
        p.put("mail." + proto + ".port", Integer.toString(r.port()));
        p.put("mail." + proto + ".auth", Boolean.toString(auth));
        long ms = Channel.TIMEOUT.toMillis();
        p.put("mail." + proto + ".connectiontimeout", Long.toString(ms));
        p.put("mail." + proto + ".timeout", Long.toString(ms));
        p.put("mail." + proto + ".writetimeout", Long.toString(ms));
        if (r.implicitTls()) {
            p.put("mail.smtps.ssl.checkserveridentity", "true");
        } else if (!loopback) {
            // off this machine the password and the alarm go encrypted or not at all
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.checkserveridentity", "true");
        }
        return p;
    }
}
