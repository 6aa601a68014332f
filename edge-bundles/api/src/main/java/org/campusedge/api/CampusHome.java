package org.campusedge.api;

import java.nio.file.Path;

/**
 * The gateway's installation folder (system property {@code campus.home}, set by the start script
 * and the launcher): relative paths in the gateway's settings are relative to it, never to
 * whatever folder the process happened to be started from.
 */
public final class CampusHome {

    private CampusHome() {
    }

    /** The path, made absolute against the installation folder when it is relative. */
    public static Path resolve(String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : Path.of(System.getProperty("campus.home", ".")).resolve(p).toAbsolutePath().normalize();
    }
}
