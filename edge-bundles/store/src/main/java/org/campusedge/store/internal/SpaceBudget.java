package org.campusedge.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps disk space for the alarm path. Readings can fill any disk; when they do, SQLite fails
 * every commit alike, and an alarm's acknowledgement is lost with the readings. So the store
 * refuses bulk events once less than {@code reserve} is left (of the database's cap, or of the
 * file system), urgent events (intrusions) once less than half of it is left, and writes alarm
 * transitions and audit records until the disk is truly full.
 *
 * <p>The writer thread calls {@link #check} before each commit (two header reads and, at most every
 * 100 ms, a statvfs); appenders read the outcome without locking.
 */
final class SpaceBudget {

    private final Path file;
    /** The database's own cap in bytes (its max_page_count), or 0 for the file system only. */
    private final long capBytes;
    private final long reserveBytes;
    private volatile long freeBytes = Long.MAX_VALUE;
    private long fsFree = Long.MAX_VALUE;
    private long fsCheckedAt;

    SpaceBudget(Path file, long capBytes, long reserveBytes) {
        this.file = file;
        this.capBytes = capBytes;
        this.reserveBytes = reserveBytes;
    }

    /** Measures what is left; called by the writer thread on its own connection. */
    void check(Connection c) throws SQLException {
        long free = Long.MAX_VALUE;
        if (capBytes > 0) {
            long pageSize = pragma(c, "page_size");
            long used = (pragma(c, "page_count") - pragma(c, "freelist_count")) * pageSize;
            free = capBytes - used;
        }
        long now = System.nanoTime();
        if (now - fsCheckedAt > 100_000_000L || fsCheckedAt == 0) {
            fsCheckedAt = now;
            try {
                Path dir = file.toAbsolutePath().getParent();
                fsFree = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException | RuntimeException e) {
                fsFree = Long.MAX_VALUE; // cannot tell: SQLite will say when it is full
            }
        }
        freeBytes = Math.min(free, fsFree);
    }

    private static long pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Whether the lane may still write; null if so, else why not. */
    String refusal(GroupCommitWriter.Lane lane) {
        long free = freeBytes;
        boolean refused = switch (lane) {
            case BULK -> free < reserveBytes;
            case URGENT -> free < reserveBytes / 2;
            case SAFETY -> false;
        };
        return refused ? "the disk is nearly full (" + Math.max(0, free) / (1024 * 1024) + " MiB left, "
                + reserveBytes / (1024 * 1024) + " MiB kept for alarms); " + lane.name().toLowerCase() + " events are refused" : null;
    }

    long freeBytes() {
        return freeBytes;
    }
}
