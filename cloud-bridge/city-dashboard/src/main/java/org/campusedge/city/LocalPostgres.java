package org.campusedge.city;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server on this machine for a trial or a test: Debian's {@code postgresql} binaries (installed by
 * {@code .ci/install-test-tools}, or by {@code ./campus-edge.sh school --kafka}), a cluster in a folder, trust
 * authentication, listening on loopback only. {@link #temporary()} is a throw-away one (a temporary folder, no
 * fsync, deleted on close); {@link #in(Path)} keeps its folder and its port, so the next start serves the same
 * data. Run as the {@code postgres} user when the JVM runs as root (PostgreSQL refuses to run as root).
 * <p>
 * Not a production database: a bureau points {@code --db} at its own PostgreSQL.
 */
public final class LocalPostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;
    private final boolean temporary;

    private LocalPostgres(Path bin, Path dir, int port, boolean root, boolean temporary) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.root = root;
        this.temporary = temporary;
    }

    /** A fresh server in a temporary folder, deleted on {@link #close()}. */
    public static LocalPostgres temporary() throws Exception {
        return start(Files.createTempDirectory("city-pg"), true);
    }

    /** The server in {@code dir}: made there on the first start, started again (same port, same data) later. */
    public static LocalPostgres in(Path dir) throws Exception {
        Files.createDirectories(dir);
        return start(dir.toAbsolutePath(), false);
    }

    private static LocalPostgres start(Path dir, boolean temporary) throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElseThrow();
        } catch (IOException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("PostgreSQL is not installed (Debian package postgresql); run .ci/install-test-tools");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            run(List.of("chown", "postgres", dir.toString()), false);
        }
        Path portFile = dir.resolve("port");
        boolean made = Files.isDirectory(dir.resolve("data"));
        int port;
        if (made && Files.exists(portFile)) {
            port = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).trim());
        } else {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }
        LocalPostgres pg = new LocalPostgres(bin, dir, port, root, temporary);
        if (!made) {
            pg.as(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-sync"));
        }
        Files.writeString(portFile, Integer.toString(port), StandardCharsets.US_ASCII);
        pg.as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "30", "-l",
                dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                        + (temporary ? " -c fsync=off" : ""), "start"));
        return pg;
    }

    /** The JDBC URL of its {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private void as(List<String> command) throws Exception {
        List<String> c = new ArrayList<>();
        if (root) {
            c.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        c.addAll(command);
        run(c, true);
    }

    private static void run(List<String> command, boolean quiet) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
    }

    /** Stops the server (a fast shutdown); a temporary one's folder is deleted. */
    @Override
    public void close() throws Exception {
        try {
            as(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", temporary ? "immediate" : "fast",
                    "-w", "stop"));
        } finally {
            if (temporary) {
                try (Stream<Path> all = Files.walk(dir)) {
                    all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
