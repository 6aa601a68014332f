package org.campusedge.registry.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.campusedge.api.DeviceCredentials.Secret;

/**
 * The devices' secrets file: a line per device, {@code device-id TAB secret TAB created}, lines
 * starting with {@code #} are comments. A revoked credential stays as a line whose secret is
 * {@value #REVOKED} (so that the gateway does not issue the device a new one by itself). Owner-only (0600): it is created so, written through a
 * temporary file of the same mode and moved into place atomically, and a file found readable by
 * others is made owner-only again. Writers (the command line, the console) take a lock file beside it,
 * so two edits at once cannot lose one.
 */
public final class SecretsFile {

    /** The secret of a revoked credential. */
    public static final String REVOKED = "-";
    static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Pattern DEVICE_ID = Pattern.compile("^[a-z0-9][a-z0-9-]*$");
    private static final Pattern SECRET = Pattern.compile("^[A-Za-z0-9_-]{16,128}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HEADER = """
            # Campus Edge device credentials: device-id TAB secret TAB created (UTC).
            # Owner-only; never copy it into a ticket, a chat or a backup of the event store.
            # Edit with: bin/campus-edge credentials add|rotate|revoke|show|list (the gateway picks changes up).
            # A secret '-' is a revoked credential; every other device of the inventory gets one when it appears.
            """;

    /**
     * What a read found: the secrets by device, lines that could not be read (by number, with why), and
     * those lines themselves, which a write keeps as they are (a typo must not lose a device's key).
     */
    public record Content(Map<String, Secret> secrets, List<String> problems, List<String> unreadable) {
    }

    /** Writers in this JVM (the console, the issuing of new devices' keys) take this before the file lock. */
    private static final Map<Path, Object> JVM_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;

    public SecretsFile(Path file) {
        this.file = file;
    }

    public Path path() {
        return file;
    }

    /** A new random secret: 18 bytes from a {@link SecureRandom}, as 24 base64url characters. */
    public static String newSecret() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static boolean validDeviceId(String id) {
        return id != null && DEVICE_ID.matcher(id).matches();
    }

    /** Reads the file; a missing file has no secrets. A bad line is reported and skipped (never echoed: it may hold a secret). */
    public Content read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Content(Map.of(), List.of(), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, Secret> out = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            String where = file.getFileName() + ": line " + (i + 1) + ": ";
            if (f.length < 2 || !validDeviceId(f[0].strip()) || !(SECRET.matcher(f[1].strip()).matches() || f[1].strip().equals(REVOKED))) {
                problems.add(where + "expected 'device-id TAB secret [TAB created]' with a secret of 16-128 characters A-Z a-z 0-9 - _"
                        + " (the line is kept as it is)");
                unreadable.add(lines.get(i));
                continue;
            }
            Instant created = Instant.EPOCH;
            if (f.length > 2) {
                try {
                    created = Instant.parse(f[2].strip());
                } catch (DateTimeParseException e) {
                    problems.add(where + "the created time is not an ISO instant; taken as unknown");
                }
            }
            if (out.put(f[0].strip(), new Secret(f[1].strip(), created)) != null) {
                problems.add(where + "device " + f[0].strip() + " appears twice; the last line is in force");
            }
        }
        return new Content(Collections.unmodifiableMap(out), List.copyOf(problems), List.copyOf(unreadable));
    }

    /** Makes the file owner-only if it is not; true when it had to. */
    public boolean ensureOwnerOnly() {
        try {
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                return true;
            }
            return false;
        } catch (UnsupportedOperationException e) {
            return false; // not a POSIX file system
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + file + " owner-only", e);
        }
    }

    /**
     * Changes the secrets under the lock: {@code change} gets the current secrets (modifiable) and
     * returns its result; the file is written only if the map changed.
     */
    public <T> T update(Function<Map<String, Secret>, T> change) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            // a FileLock is per process: two threads of one JVM would collide on it, so they queue here first
            synchronized (JVM_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new Object())) {
                try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = ch.lock()) {
                    Content c = read();
                    Map<String, Secret> secrets = new TreeMap<>(c.secrets());
                    T result = change.apply(secrets);
                    if (!secrets.equals(c.secrets())) {
                        write(secrets, c.unreadable());
                    }
                    return result;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private void write(Map<String, Secret> secrets, List<String> unreadable) throws IOException {
        StringBuilder b = new StringBuilder(HEADER);
        secrets.forEach((id, s) -> b.append(id).append('\t').append(s.value()).append('\t').append(s.created()).append('\n'));
        unreadable.forEach(line -> b.append(line).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another writer's " + tmp + " is in the way", e);
        }
        Files.writeString(tmp, b, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
