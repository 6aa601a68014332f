package org.campusedge.simulators.notify;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderListener;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Flags;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The school's mail server, as the gateway's e-mail notifications meet it: GreenMail, a real SMTP
 * server, on a free port of this machine, with the gateway's login and the security office's
 * mailbox. Each mail is kept with the moment it was delivered to the mailbox, for the benchmark.
 */
public final class MailServer implements AutoCloseable {

    /** A mail delivered to the mailbox: its subject and text, and when (System.nanoTime). */
    public record Received(String subject, String text, Instant at, long nanos) {
    }

    public static final String GATEWAY_ADDRESS = "gateway@school.example.cn";
    public static final String OFFICE_ADDRESS = "security-office@school.example.cn";

    private final GreenMail mail;
    private final String password;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public MailServer(String password) throws Exception {
        this.password = password;
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort()).withConfiguration(GreenMailConfiguration.aConfig()
                .withUser(GATEWAY_ADDRESS, "gateway", password));
        mail.start();
        GreenMailUser office = mail.setUser(OFFICE_ADDRESS, "security-office", "office-" + password);
        MailFolder inbox = mail.getManagers().getImapHostManager().getInbox(office);
        inbox.addListener(new FolderListener() {
            @Override
            public void added(int msn) {
                long nanos = System.nanoTime();
                try {
                    jakarta.mail.internet.MimeMessage m = inbox.getMessages().get(msn - 1).getMimeMessage();
                    received.add(new Received(m.getSubject(), String.valueOf(m.getContent()), Instant.now(), nanos));
                } catch (Exception e) {
                    received.add(new Received("(unreadable: " + e + ")", "", Instant.now(), nanos));
                }
            }

            @Override
            public void expunged(int msn) {
            }

            @Override
            public void flagsUpdated(int msn, Flags flags, Long uid) {
            }

            @Override
            public void mailboxDeleted() {
            }
        });
    }

    public int port() {
        return mail.getSmtp().getPort();
    }

    /** The e-mail channel for conf/notifications.yaml: plain SMTP to this machine's loopback, with the gateway's login. */
    public String channelYaml(String id) {
        return """
                  %s:
                    type: email
                    url: "smtp://gateway@127.0.0.1:%d/?from=%s&to=%s"
                    secret: "%s"
                """.formatted(id, port(), GATEWAY_ADDRESS.replace("@", "%40"), OFFICE_ADDRESS.replace("@", "%40"), password);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits for a mail whose text ends with {@code end}, delivered after {@code afterNanos}; its delivery time, or -1. */
    public long awaitEndingWith(String end, long afterNanos, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            for (Received r : received) {
                if (r.nanos() >= afterNanos && r.text().strip().endsWith(end)) {
                    return r.nanos();
                }
            }
            Thread.sleep(1);
        }
        return -1;
    }

    @Override
    public void close() {
        mail.stop();
    }
}
