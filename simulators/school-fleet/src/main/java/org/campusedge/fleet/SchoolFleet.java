package org.campusedge.fleet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.api.Outbox;
import org.campusedge.hono.uplink.SchoolUplink;
import org.campusedge.store.files.OutboxFile;

/**
 * Many schools' cloud links in one process, for the cloud benchmark: each school has the gateway's
 * own outbox (a SQLite file), drain and Hono link (Hono's device client as {@code gw-<school>}), and
 * queues what a gateway queues — five summaries per period and CRITICAL alarm events — with the
 * CloudEvent's {@code time} set to the moment it was queued, so the city's database tells how long
 * each took from the outbox to it. First a backlog is queued before any link is up (the city's
 * ingest rate when every school drains at once), then a steady load runs for a while; it ends when
 * every outbox is empty. With {@code --go-file PATH} the steady load waits until that file exists (the benchmark
 * makes it once the city has caught up with the backlog), so its latencies are those of a steady state.
 */
public final class SchoolFleet {

    private SchoolFleet() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--schools", "50", "--host", "127.0.0.1", "--port", "5672", "--tenant",
                "bench", "--password", "bench-secret", "--backlog", "100", "--duration", "60", "--period-ms", "10000",
                "--alarm-every-ms", "5000", "--dir", "run/fleet"));
        o.put("--go-file", "");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!o.containsKey(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
            }
            o.put(args[i], args[i + 1]);
        }
        int schools = Integer.parseInt(o.get("--schools"));
        Path dir = Path.of(o.get("--dir"));
        Files.createDirectories(dir);
        List<OutboxFile> outboxes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < schools; s++) {
            String id = "sch-bench-%02d".formatted(s + 1);
            ids.add(id);
            Path file = dir.resolve(id + "-outbox.db");
            Files.deleteIfExists(file);
            outboxes.add(OutboxFile.open(file, 256L * 1024 * 1024));
        }
        AtomicLong queued = new AtomicLong();
        int backlog = Integer.parseInt(o.get("--backlog"));
        for (int s = 0; s < schools; s++) {
            for (int n = 0; n < backlog; n++) {
                queue(outboxes.get(s), ids.get(s), n % 5 == 4, "b" + n, queued);
            }
        }
        System.out.printf("fleet: %d schools, backlog of %d messages queued before connecting%n", schools, queued.get());
        List<SchoolUplink> drainers = new ArrayList<>();
        for (int s = 0; s < schools; s++) {
            drainers.add(SchoolUplink.start(outboxes.get(s), new SchoolUplink.Settings(o.get("--host"), Integer.parseInt(o.get("--port")),
                    o.get("--tenant"), "gw-" + ids.get(s), o.get("--password"), false, null, Duration.ofSeconds(10)),
                    1000, Duration.ofMillis(200), Duration.ofSeconds(5)));
        }
        if (!o.get("--go-file").isEmpty()) {
            Path go = Path.of(o.get("--go-file"));
            long last = 0;
            while (!Files.exists(go)) {
                Thread.sleep(100);
                if (System.nanoTime() - last > TimeUnit.SECONDS.toNanos(5)) {
                    last = System.nanoTime();
                    System.out.printf("fleet: backlog: queued %d, accepted %d; the steady load waits for %s%n", queued.get(),
                            drainers.stream().mapToLong(SchoolUplink::accepted).sum(), go);
                }
            }
            System.out.println("fleet: steady load starts");
        }
        // each school on its own timers, their phases spread evenly over the period (gateways are not in lockstep:
        // a thousand schools summarising in the same millisecond is a burst no city sees)
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        long periodMs = Long.parseLong(o.get("--period-ms"));
        long alarmMs = Long.parseLong(o.get("--alarm-every-ms"));
        for (int s = 0; s < schools; s++) {
            int school = s;
            AtomicLong round = new AtomicLong();
            AtomicLong alarms = new AtomicLong();
            load.scheduleAtFixedRate(() -> {
                long r = round.incrementAndGet();
                for (int k = 0; k < 5; k++) {
                    queue(outboxes.get(school), ids.get(school), false, "p" + r + "-" + k, queued);
                }
                drainers.get(school).wakeUp();
            }, periodMs * (s + 1) / schools, periodMs, TimeUnit.MILLISECONDS);
            load.scheduleAtFixedRate(() -> {
                queue(outboxes.get(school), ids.get(school), true, "a" + alarms.incrementAndGet(), queued);
                drainers.get(school).wakeUp();
            }, alarmMs * (s + 1) / schools, alarmMs, TimeUnit.MILLISECONDS);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.get("--duration")));
        while (System.nanoTime() < end) {
            Thread.sleep(5000);
            System.out.printf("fleet: queued %d, accepted %d, waiting %d%n", queued.get(),
                    drainers.stream().mapToLong(SchoolUplink::accepted).sum(), waiting(outboxes));
        }
        load.shutdownNow();
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (waiting(outboxes) > 0 && System.nanoTime() < drainEnd) {
            Thread.sleep(200);
        }
        long accepted = drainers.stream().mapToLong(SchoolUplink::accepted).sum();
        long refused = drainers.stream().mapToLong(SchoolUplink::refused).sum();
        long left = waiting(outboxes);
        System.out.printf("fleet: done; queued %d, accepted %d, retried %d, still waiting %d%n", queued.get(), accepted, refused, left);
        for (int s = 0; s < schools; s++) {
            drainers.get(s).close();
            outboxes.get(s).close();
        }
        System.exit(left == 0 ? 0 : 1);
    }

    private static long waiting(List<OutboxFile> outboxes) {
        return outboxes.stream().mapToLong(x -> {
            Outbox.Stats st = x.stats();
            return st.critical() + st.telemetry();
        }).sum();
    }

    /** One summary or alarm as the gateway queues it, stamped with the time it was queued. */
    private static void queue(Outbox outbox, String school, boolean alarm, String seq, AtomicLong queued) {
        Instant now = Instant.now();
        String id = school + "/" + (alarm ? "alarm" : "summary") + "/" + seq;
        Map<String, Object> data = new LinkedHashMap<>();
        if (alarm) {
            data.put("alarmId", "bench:" + seq);
            data.put("state", "raised");
            data.put("rule", "perimeter-intrusion-night");
            data.put("severity", "CRITICAL");
            data.put("deviceId", "cam-fence-1");
            data.put("building", "北围墙 North Fence");
            data.put("message", "line crossing at the north fence");
            data.put("raisedAt", now.toString());
            outbox.enqueue(Outbox.Lane.CRITICAL, id, SchoolUplink.eventAddress(school, "cam-fence-1"), SchoolUplink.CONTENT_TYPE,
                    SchoolUplink.message(id, school, SchoolUplink.ALARM, "cam-fence-1", now, data));
        } else {
            data.put("periodStart", now.minusSeconds(300).toString());
            data.put("periodEnd", now.toString());
            data.put("school", Map.of("id", school, "name", school, "district", "江城区", "enrolment", 1200));
            data.put("buildings", List.of(Map.of("building", "教学楼 Teaching Building", "kwh", 12.5, "peakKw", 40.0, "meters", 4)));
            data.put("totalKwh", 12.5);
            outbox.enqueue(Outbox.Lane.TELEMETRY, id, SchoolUplink.TELEMETRY, SchoolUplink.CONTENT_TYPE,
                    SchoolUplink.message(id, school, SchoolUplink.SUMMARY + "energy.v1", null, now, data));
        }
        queued.incrementAndGet();
    }
}
