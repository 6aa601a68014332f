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

    /**
     * The path, made absolute against the installation folder when it is relative; one that starts
     * with {@code ${app}/} names a file of the running release's program folder (system property
     * {@code campus.app}), as in the settings (a component's own default may say so too).
     */
    public static Path resolve(String path) {
        if (path.startsWith("${app}/")) {
            String app = System.getProperty("campus.app", System.getProperty("campus.home", "."));
            return Path.of(app).resolve(path.substring("${app}/".length())).toAbsolutePath().normalize();
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : Path.of(System.getProperty("campus.home", ".")).resolve(p).toAbsolutePath().normalize();
    }

    /**
     * Why this user must not edit the gateway's file, or null: a file written by another user (root,
     * say) would become unreadable to the gateway's own user, which would then keep what it had.
     *
     * @param command the command to run again as the file's owner, e.g. "bin/campus-edge credentials ..."
     */
    public static String ownerProblem(Path file, String command) {
        try {
            if (!java.nio.file.Files.exists(file)) {
                return null;
            }
            String owner = java.nio.file.Files.getOwner(file).getName();
            String me = System.getProperty("user.name");
            return owner.equals(me) ? null : file + " belongs to " + owner + ", not to " + me
                    + ": run this as the gateway's user (sudo -u " + owner + " " + command + ")";
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * A file a setting of {@code home}'s conf/gateway.properties names ({@code key}, else {@code fallback}),
     * against {@code home}: what the command-line tools use to find the file the gateway itself reads.
     */
    public static Path configuredPath(Path home, String key, String fallback) {
        String value = fallback;
        Path conf = home.resolve("conf/gateway.properties");
        if (java.nio.file.Files.exists(conf)) {
            java.util.Properties p = new java.util.Properties();
            try (var r = java.nio.file.Files.newBufferedReader(conf, java.nio.charset.StandardCharsets.UTF_8)) {
                p.load(r);
                value = p.getProperty(key, fallback).trim();
            } catch (java.io.IOException e) {
                // the fallback, then
            }
        }
        if (value.startsWith("${app}/")) { // a file of the running release's program folder
            return Path.of(System.getProperty("campus.app", home.toString())).resolve(value.substring("${app}/".length())).normalize();
        }
        Path p = Path.of(value);
        return p.isAbsolute() ? p : home.resolve(p).normalize();
    }
}
