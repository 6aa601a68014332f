package org.campusedge.hono.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.campusedge.api.Outbox;

/** What {@link org.campusedge.hono.uplink.SchoolUplink} is made of: this bundle's drain, Hono link and envelope. */
public final class Uplinks {

    public static final String CONTENT_TYPE = CloudEvents.CONTENT_TYPE;
    public static final String ALARM = CloudEvents.ALARM;
    public static final String SUMMARY = CloudEvents.SUMMARY;

    private Uplinks() {
    }

    /** A running drain of one outbox through one Hono link. */
    public static final class Running implements AutoCloseable {
        private final HonoLink link;
        private final Drainer drainer;

        private Running(HonoLink link, Drainer drainer) {
            this.link = link;
            this.drainer = drainer;
        }

        public void wakeUp() {
            drainer.wakeUp();
        }

        public long accepted() {
            return drainer.accepted.get();
        }

        public long refused() {
            return drainer.refused.get();
        }

        @Override
        public void close() {
            drainer.close();
            link.close();
        }
    }

    public static Running start(Outbox outbox, String host, int port, String tenant, String gatewayId, String password, boolean tls,
                                String trustStorePath, Duration sendTimeout, int maxPerSecond, Duration minBackoff, Duration maxBackoff) {
        HonoLink link = new HonoLink(new HonoLink.Settings(host, port, tenant, gatewayId, password, tls, trustStorePath, sendTimeout),
                m -> { }, () -> { });
        Drainer drainer = new Drainer(outbox, link, maxPerSecond, minBackoff, maxBackoff);
        link.start();
        drainer.start();
        return new Running(link, drainer);
    }

    public static byte[] envelope(String id, String school, String type, String subject, Instant time, Map<String, Object> data) {
        return CloudEvents.envelope(id, school, type, subject, time, data);
    }

    public static String eventFor(String school, String deviceId) {
        return HonoAddress.eventFor(school, deviceId);
    }
}
