package org.campusedge.simulators.lab;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One digital-lab sensor kit as it behaves during a lesson: room temperature drifting slowly,
 * humidity following it, CO2 climbing while the class breathes, pH running a titration curve on the
 * chemistry benches, light and pressure nearly steady. Produces SenML JSON packs (RFC 8428) the way
 * such kits send them: a base name and base time, then one record per sample.
 */
public final class LabSensor {

    /** Point name and SenML unit, in the order a pack lists them; matches lab-sensor-kit.yaml. */
    static final String[][] POINTS = {
        {"temperature", "Cel"}, {"humidity", "%RH"}, {"co2", "ppm"}, {"ph", "pH"},
        {"o2", "%"}, {"light", "lx"}, {"pressure", "Pa"}};

    private final String deviceId;
    private final boolean titration;
    private final SplittableRandom random;
    private final long lessonStartMillis;

    /**
     * @param deviceId  inventory id; also the SenML base name {@code urn:dev:<id>:}
     * @param titration true for a chemistry bench whose pH runs a titration curve
     * @param seed      seed for the noise, so that a run can be repeated
     */
    public LabSensor(String deviceId, boolean titration, long seed, long lessonStartMillis) {
        this.deviceId = deviceId;
        this.titration = titration;
        this.random = new SplittableRandom(seed);
        this.lessonStartMillis = lessonStartMillis;
    }

    public String deviceId() {
        return deviceId;
    }

    /** The value of a point at a time, with measurement noise. */
    double value(int point, long millis) {
        double minutes = Math.max(0, (millis - lessonStartMillis) / 60_000.0);
        double noise = random.nextGaussian();
        return switch (point) {
            case 0 -> 22.0 + 1.5 * Math.sin(minutes / 20.0) + 0.05 * noise;             // temperature, Cel
            case 1 -> 48.0 - 3.0 * Math.sin(minutes / 20.0) + 0.3 * noise;              // humidity, %RH
            case 2 -> Math.min(2200, 450 + 18 * (minutes % 45)) + 5 * noise;            // CO2 ppm, 40 students, 45-min lesson
            case 3 -> titration ? titrationPh(minutes % 12) + 0.02 * noise : 7.0 + 0.03 * noise; // pH
            case 4 -> 20.9 - 0.002 * (minutes % 45) + 0.02 * noise;                     // O2 %
            case 5 -> 520 + 40 * Math.sin(minutes / 7.0) + 3 * noise;                   // light, lx
            default -> 101_325 + 40 * Math.sin(minutes / 30.0) + 2 * noise;             // pressure, Pa
        };
    }

    /** A strong acid titrated with a strong base: pH 2 to 12 with the steep equivalence point at 6 min. */
    private static double titrationPh(double minutes) {
        return 2.0 + 10.0 / (1.0 + Math.exp(-(minutes - 6.0) * 3.0));
    }

    private long lastPackMillis;

    /**
     * A SenML pack of {@code records} records ending at {@code nowMillis}: with 7 or fewer, one record
     * per point at one time; with more, the points repeat at 0.1 ms steps back in time (a fast-sampling
     * kit, as the benchmark plays it). Every sample is sent once: two packs of one kit are at least a
     * millisecond apart, and a pack's samples (within 1 ms for up to 70 records) never fall on another
     * pack's — the gateway stores a sample it was sent twice once.
     */
    public String pack(int records, long nowMillis) {
        synchronized (this) {
            nowMillis = Math.max(nowMillis, lastPackMillis + 1);
            lastPackMillis = nowMillis;
        }
        StringBuilder sb = new StringBuilder(64 + records * 48);
        sb.append("[{\"bn\":\"urn:dev:").append(deviceId).append(":\",\"bt\":");
        appendSeconds(sb, nowMillis);
        for (int i = 0; i < records; i++) {
            int point = i % POINTS.length;
            int step = (records - 1 - i) / POINTS.length;
            sb.append(i == 0 ? "," : "},{");
            sb.append("\"n\":\"").append(POINTS[point][0]).append("\",\"u\":\"").append(POINTS[point][1]).append('"');
            if (step > 0) {
                sb.append(",\"t\":-0.").append(String.format(Locale.ROOT, "%04d", step)); // step x 0.1 ms
            }
            sb.append(",\"v\":").append(String.format(Locale.ROOT, "%.3f", value(point, nowMillis)));
        }
        return sb.append("}]").toString();
    }

    private static void appendSeconds(StringBuilder sb, long millis) {
        sb.append(millis / 1000).append('.');
        long ms = millis % 1000;
        if (ms < 100) {
            sb.append('0');
        }
        if (ms < 10) {
            sb.append('0');
        }
        sb.append(ms);
    }
}
