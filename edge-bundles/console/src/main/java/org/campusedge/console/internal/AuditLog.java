package org.campusedge.console.internal;

import java.util.Map;
import java.util.function.Consumer;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Severity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What people did on the console, as {@code audit.*} events in the store (the alarm lane: a flood
 * of readings cannot hold them back) and a log line: logins, passwords, users, device keys, trusted
 * certificates. Never a password or a key.
 */
final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Consumer<CampusEvent> sink;
    private final String schoolId;

    AuditLog(Consumer<CampusEvent> sink, String schoolId) {
        this.sink = sink;
        this.schoolId = schoolId;
    }

    void record(String kind, Severity severity, Map<String, String> attributes) {
        LOG.info("Console {}: {}", kind, attributes);
        sink.accept(CampusEvent.builder().schoolId(schoolId).deviceId("console").profileId("gateway").kind(kind).severity(severity)
                .attributes(attributes).build());
    }
}
