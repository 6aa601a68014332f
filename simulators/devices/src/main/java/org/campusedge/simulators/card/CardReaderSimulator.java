package org.campusedge.simulators.card;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.simulators.AckLatency;
import org.campusedge.simulators.school.SchoolClock;
import org.campusedge.simulators.net.Loopback;

/**
 * The one-card readers of a school through a school day: a morning rush in through the gates, the
 * canteen at lunch, a steady trickle at the library, the evening rush out. The day runs on a
 * simulated clock {@code speed} times faster than real time, so the quick start shows a whole day
 * in minutes (see {@link SchoolClock}). About one swipe in a hundred is denied (an expired or lost card).
 */
public final class CardReaderSimulator implements AutoCloseable {

    /** A reader and where it stands: gate, canteen or library. */
    public record Placement(String readerId, String place) {
    }

    private final List<CardReader> readers = new ArrayList<>();
    private final List<String> places = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(7);
    private final int students;
    private final SchoolClock clock;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "card-sim");
        t.setDaemon(true);
        return t;
    });

    /** @param keys the readers' secrets: a reader with one speaks frame version 2 (proven frames) */
    public CardReaderSimulator(InetSocketAddress gateway, List<Placement> placements, int students, SchoolClock clock,
                               org.campusedge.simulators.net.DeviceKeys keys) throws IOException {
        this.students = students;
        this.clock = clock;
        for (Placement p : placements) {
            CardReader r = new CardReader(p.readerId(), gateway, Loopback.device(Loopback.CARD_READERS, readers.size()))
                    .withSecret(keys.secret(p.readerId()));
            r.connect();
            readers.add(r);
            places.add(p.place());
        }
    }

    /** Swipes per real second at a place at a time of day. */
    static double swipesPerMinute(String place, LocalTime t) {
        double h = t.getHour() + t.getMinute() / 60.0;
        return switch (place) {
            case "gate" -> 2 + 60 * bump(h, 7.4, 0.25) + 50 * bump(h, 17.0, 0.3) + 6 * bump(h, 12.0, 0.5);
            case "canteen" -> 1 + 45 * bump(h, 12.1, 0.35) + 10 * bump(h, 7.2, 0.3);
            case "library" -> h > 7 && h < 21 ? 3 : 0;
            default -> 1;
        };
    }

    private static double bump(double h, double centre, double width) {
        double x = (h - centre) / width;
        return Math.exp(-x * x);
    }

    /** Starts swiping: every 100 ms of real time each reader swipes as often as its place and the clock say. */
    public void start() {
        ticker.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        for (CardReader r : readers) {
            try {
                r.keepAlive(TimeUnit.SECONDS.toNanos(60)); // and reconnects a reader whose connection the gateway closed
            } catch (IOException e) {
                // the gateway is away; the next tick tries again
            }
        }
        LocalTime now = clock.get();
        for (int i = 0; i < readers.size(); i++) {
            double expected = swipesPerMinute(places.get(i), now) * clock.speed() / 600.0; // per 100 ms of real time
            int n = (int) expected + (random.nextDouble() < expected - (int) expected ? 1 : 0);
            for (int k = 0; k < n; k++) {
                swipe(i, now);
            }
        }
    }

    private void swipe(int i, LocalTime now) {
        CardReader r = readers.get(i);
        String card = String.format(Locale.ROOT, "31012%05d", random.nextInt(students));
        char direction = places.get(i).equals("gate") ? (now.getHour() < 13 ? 'I' : 'O') : '-';
        try {
            r.swipe(card, direction, random.nextInt(100) != 0, System.currentTimeMillis());
        } catch (IOException e) {
            try {
                r.connect(); // the gateway went away: reconnect, the pending swipes go again
            } catch (IOException again) {
                // next tick tries again
            }
        }
    }

    /** Sends every reader's swipe-to-ACK times to the recorder. */
    public void measure(AckLatency latency) {
        readers.forEach(r -> r.measure(latency));
    }

    public long sent() {
        return readers.stream().mapToLong(CardReader::sent).sum();
    }

    public long acknowledged() {
        return readers.stream().mapToLong(CardReader::acknowledged).sum();
    }

    public int pending() {
        return readers.stream().mapToInt(CardReader::pending).sum();
    }

    public List<CardReader> readers() {
        return List.copyOf(readers);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        readers.forEach(CardReader::close);
    }
}
