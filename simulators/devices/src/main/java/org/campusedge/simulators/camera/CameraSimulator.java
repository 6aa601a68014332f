package org.campusedge.simulators.camera;

import java.net.URI;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.AckLatency;
import org.campusedge.simulators.net.Loopback;
import org.campusedge.simulators.school.SchoolClock;

/**
 * A school's cameras through a day: each sends a heartbeat (an inactive {@code videoloss}, as
 * Hikvision-style cameras do) every {@code heartbeatSeconds}; corridor and playground cameras see
 * motion often while students are about, rarely at night; perimeter cameras report line crossings
 * and field intrusions now and then, more at night; about one camera a day is covered or loses
 * video. Half the cameras post XML and half JSON, as a mixed fleet of firmware does.
 */
public final class CameraSimulator implements AutoCloseable {

    /** A camera and where it looks: "perimeter", "gate", "corridor", "playground", "lab". */
    public record Placement(String cameraId, String place) {
    }

    private final List<Camera> cameras = new ArrayList<>();
    private final List<String> places = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(11);
    private final SchoolClock clock;
    private final int heartbeatSeconds;
    private final ExecutorService senders;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "camera-sim");
        t.setDaemon(true);
        return t;
    });
    private long ticks;

    /**
     * @param clock            the school's simulated time of day (event rates scale with its speed)
     * @param heartbeatSeconds real seconds between a camera's heartbeats
     * @param keys             the cameras' secrets (a camera without one posts without credentials)
     */
    public CameraSimulator(URI gateway, List<Placement> placements, SchoolClock clock, int heartbeatSeconds,
                           org.campusedge.simulators.net.DeviceKeys keys) {
        this.clock = clock;
        this.heartbeatSeconds = heartbeatSeconds;
        this.senders = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "camera-post");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < placements.size(); i++) {
            Placement p = placements.get(i);
            cameras.add(new Camera(p.cameraId(), gateway, i % 2 == 1, Loopback.device(Loopback.CAMERAS, i)).withSecret(keys.secret(p.cameraId())));
            places.add(p.place());
        }
    }

    /** Alerts per simulated hour of a kind at a place at a time of day. */
    static double perHour(String eventType, String place, LocalTime t) {
        double h = t.getHour() + t.getMinute() / 60.0;
        boolean schoolHours = h >= 7 && h < 18;
        return switch (eventType) {
            case "VMD" -> switch (place) {
                case "corridor", "playground", "gate" -> schoolHours ? 40 : 1;
                case "lab" -> schoolHours ? 10 : 0.2;
                default -> schoolHours ? 4 : 0.5;
            };
            case "linedetection", "fielddetection" -> place.equals("perimeter") ? (schoolHours ? 0.5 : 1.5) : 0;
            case "shelteralarm" -> 1.0 / 24 / 20; // one camera in twenty a day
            default -> 0;
        };
    }

    public void start() {
        ticker.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        ticks++;
        LocalTime now = clock.get();
        for (int i = 0; i < cameras.size(); i++) {
            Camera c = cameras.get(i);
            if ((ticks + i) % (heartbeatSeconds * 10L) == 0) {
                send(c, "videoloss", false, null, "videoloss alarm");
            }
            for (String type : new String[] {"VMD", "linedetection", "fielddetection", "shelteralarm"}) {
                double expected = perHour(type, places.get(i), now) * clock.speed() / 36_000.0; // per 100 ms of real time
                if (random.nextDouble() < expected) {
                    Integer region = type.equals("VMD") || type.equals("shelteralarm") ? null : 1 + random.nextInt(4);
                    send(c, type, true, region, switch (type) {
                        case "VMD" -> "Motion alarm";
                        case "linedetection" -> "Line crossing alarm";
                        case "fielddetection" -> "Intrusion alarm";
                        default -> "Shelter alarm";
                    });
                }
            }
        }
    }

    private void send(Camera c, String type, boolean active, Integer region, String description) {
        OffsetDateTime time = OffsetDateTime.now(ZoneOffset.ofHours(8));
        String snapshot = active ? "http://" + c.id() + ".cam.local/ISAPI/Streaming/channels/101/picture" : null;
        AlertDocuments.Alert alert = new AlertDocuments.Alert(type, active, 1, region, time, c.nextPostCount(),
                "10.30.0." + (1 + Math.abs(c.id().hashCode() % 250)), snapshot, description);
        senders.execute(() -> c.post(alert));
    }

    public List<Camera> cameras() {
        return List.copyOf(cameras);
    }

    public long accepted() {
        return cameras.stream().mapToLong(Camera::accepted).sum();
    }

    /** Alerts answered 200, heartbeats not counted: what the store must hold. */
    public long alertsAccepted() {
        return cameras.stream().mapToLong(Camera::alertsAccepted).sum();
    }

    /** Sends every camera's post-to-200 times to the recorder. */
    public void measure(AckLatency latency) {
        cameras.forEach(c -> c.measure(latency));
    }

    public long refused() {
        return cameras.stream().mapToLong(Camera::refused).sum();
    }

    public long failed() {
        return cameras.stream().mapToLong(Camera::failed).sum();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        senders.shutdownNow();
    }
}
