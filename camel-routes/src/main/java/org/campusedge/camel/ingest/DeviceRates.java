package org.campusedge.camel.ingest;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.campusedge.api.BackpressureException;

/**
 * How many events a second each device may have stored: a token bucket per device, so that one
 * device stuck in a loop (a lab kit posting hundreds of packs a second) is told "busy" (CoAP 5.03,
 * HTTP 503, the card NAK BUSY) and counted, while every other device keeps its share of the store.
 * The default is far above what any real device sends: a lab kit sends seven readings a second.
 */
public final class DeviceRates {

    private final double perSecond;
    private final double burst;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long refilled = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }
    }

    /**
     * @param perSecond events a device may have stored per second, on average
     * @param burst     events it may send at once after a quiet spell
     */
    public DeviceRates(double perSecond, double burst) {
        this.perSecond = perSecond;
        this.burst = burst;
    }

    /** Takes {@code events} from the device's allowance, or throws the "busy" that its connector answers. */
    public void take(String deviceId, int events) {
        if (perSecond <= 0) {
            return;
        }
        Bucket b = buckets.computeIfAbsent(deviceId, d -> new Bucket(burst));
        synchronized (b) {
            long now = System.nanoTime();
            b.tokens = Math.min(burst, b.tokens + (now - b.refilled) * perSecond / 1e9);
            b.refilled = now;
            if (b.tokens < events && b.tokens < burst) {
                throw new BackpressureException("device " + deviceId + " is sending more than " + (long) perSecond
                        + " events a second; retry later");
            }
            b.tokens -= events; // a message larger than the burst may pass once the bucket is full; the debt slows what follows
        }
    }

    public double perSecond() {
        return perSecond;
    }
}
