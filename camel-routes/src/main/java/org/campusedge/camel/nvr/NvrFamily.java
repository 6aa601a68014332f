package org.campusedge.camel.nvr;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.Device;
import org.campusedge.api.Families;
import org.campusedge.camel.command.CommandSender;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network video recorders (NVR, 硬盘录像机): the gateway asks each, every {@code nvr.pollSeconds},
 * whether its disks are sound, whether each channel records and (every {@code nvr.retentionEvery}
 * polls) how old its oldest recording is, against the days the school must keep
 * ({@code nvr.retentionDays}; GB/T 29315 asks for at least 30). Its own configuration:
 * {@code org.campusedge.nvr} ({@code OSGI-INF/metatype/org.campusedge.nvr.xml}).
 */
public final class NvrFamily implements DeviceFamily {

    private static final Logger LOG = LoggerFactory.getLogger(NvrFamily.class);

    /** Every poll: channels, channels recording, disks, disks sound, days of recording kept. */
    public static final String STATUS = "nvr.status";
    /** A channel that does not record, at every poll while it does not. */
    public static final String NOT_RECORDING = "nvr.not-recording";
    /** A disk the recorder cannot write (error, unformatted, SMART failed, ...), at every poll while so. */
    public static final String DISK_FAULT = "nvr.disk-fault";
    /** A channel whose oldest recording is younger than the school must keep, at every search. */
    public static final String RETENTION_SHORT = "nvr.retention-short";

    /** The family's PID; its settings are {@code nvr.*}. */
    public static final String PID = "org.campusedge.nvr";

    /** The defaults of its settings, as its Metatype gives them (a test holds the two together). */
    static final java.util.Map<String, String> DEFAULTS = java.util.Map.of("pollSeconds", "60", "retentionDays", "30",
            "retentionEvery", "10", "timeoutSeconds", "5");

    private ScheduledFuture<?> poll;

    @Override
    public String name() {
        return Families.NVR;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.POLL);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("http-isapi-poll");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(STATUS, NOT_RECORDING, DISK_FAULT, RETENTION_SHORT);
    }

    @Override
    public List<String> templates() {
        return List.of("nvr.yaml");
    }

    @Override
    public String configurationPid() {
        return PID;
    }

    @Override
    public void bind(FamilyContext c) {
        int timeout = setting(c, "timeoutSeconds");
        c.bind("nvrPoll", new RecorderPoll(c.registry(), c.counters(), c.credentials(),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeout)).build(), Duration.ofSeconds(timeout),
                Duration.ofDays(setting(c, "retentionDays")), setting(c, "retentionEvery")));
    }

    @Override
    public void started(FamilyContext c) {
        int seconds = setting(c, "pollSeconds");
        poll = c.timer().scheduleWithFixedDelay(() -> pollRecorders(c), 1, seconds, TimeUnit.SECONDS);
    }

    /** A setting, at least 1 (a zero timeout or period would make no sense and a zero timeout is refused by the HTTP client). */
    private static int setting(FamilyContext c, String key) {
        int v = c.setting(key, Integer.class, Integer.valueOf(DEFAULTS.get(key)));
        if (v < 1) {
            throw new IllegalArgumentException("nvr." + key + " must be 1 or more, was " + v);
        }
        return v;
    }

    /** Each recorder with a route is asked; its route stores what it said. */
    private void pollRecorders(FamilyContext c) {
        CommandSender commands = c.commands();
        try {
            for (Device d : c.devicesWithRoute(name(), "nvr-")) {
                // a poll that read the recorder and whose events were stored counts as one message taken from it
                commands.send("direct:nvr-" + d.id(), d.id(), "CampusRecorderStored", Boolean.class, () -> false, e -> {
                    if (e != null) {
                        c.counters().record(d.id(), e);
                    }
                    return false;
                }).thenAccept(read -> {
                    if (Boolean.TRUE.equals(read)) {
                        c.counters().accepted(d.id());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("Polling the video recorders failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (poll != null) {
            poll.cancel(false);
        }
    }
}
