package org.campusedge.health.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.campusedge.api.CampusHome;
import org.campusedge.net.SourceGuard;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network's side of the device report: every server on the school network registers its
 * {@link SourceGuard} as a service (the device ports, the console), and this writes
 * {@code run/sources.tsv} with each one's totals (open connections, connections refused) and its
 * worst source addresses (what they sent, what was limited, refused as bad input, ignored in their
 * penalty), so that the school's IT staff see which machine is misbehaving.
 */
@Component(immediate = true, service = {}, configurationPid = DevicePresence.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class SourceReport {

    private static final Logger LOG = LoggerFactory.getLogger(SourceReport.class);
    static final String HEADER = "connector\tsource\tmessages\tlimited\trejected\tpenalised\tconnections_refused\topen\tin_penalty";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private final List<SourceGuard> guards = new CopyOnWriteArrayList<>();

    private final Path file;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "source-report");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public SourceReport(DevicePresence.Config config) {
        this.file = config.sourcesFile().isBlank() ? null : CampusHome.resolve(config.sourcesFile());
        if (file != null) {
            long every = Math.max(1, config.checkIntervalSeconds());
            timer.scheduleWithFixedDelay(this::write, every, every, TimeUnit.SECONDS);
        }
    }

    void write() {
        try {
            StringBuilder sb = new StringBuilder(HEADER).append('\n');
            for (SourceGuard g : guards) {
                sb.append(g.connector()).append("\tTOTAL\t\t\t\t\t").append(g.connectionsRefused()).append('\t')
                        .append(g.openConnections()).append("\t\n");
                for (SourceGuard.Counts c : g.offenders(20)) {
                    sb.append(g.connector()).append('\t').append(c.source()).append('\t').append(c.messages()).append('\t')
                            .append(c.limited()).append('\t').append(c.rejected()).append('\t').append(c.penalised()).append('\t')
                            .append(c.connectionsRefused()).append('\t').append(c.openConnections()).append('\t')
                            .append(c.inPenalty() ? "yes" : "").append('\n');
                }
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.debug("sources report not written: {}", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}
