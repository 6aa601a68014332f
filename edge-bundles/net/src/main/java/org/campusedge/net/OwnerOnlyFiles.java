package org.campusedge.net;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writing the files that hold secrets (keys, password hashes, a first password): owner-only from the
 * moment they exist, never readable by others even for an instant, and replaced atomically, so a
 * reader sees the old file or the new one, never half of one.
 */
public final class OwnerOnlyFiles {

    private OwnerOnlyFiles() {
    }

    /** Writes {@code bytes} to {@code file} (its folders made as needed) through an owner-only temporary file and an atomic move. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system: the folder's permissions are what protects it
        }
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(bytes);
        }
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
