package org.campusedge.api;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Each device's credential: one secret per device, kept in an owner-only secrets file apart from the
 * inventory (which names devices, never secrets), never logged and never in the event store. A
 * device proves who it is with its secret — as the DTLS pre-shared key of a lab kit (its PSK identity
 * is its device id), and so on per family. Adding, rotating or revoking a credential takes effect
 * without a restart: the file is re-read when it changes, and listeners are told which devices changed.
 */
public interface DeviceCredentials {

    /** The device's current secret, or empty when it has none (then it cannot prove who it is). */
    Optional<Secret> secret(String deviceId);

    /** The devices that have a credential. */
    Set<String> devices();

    /**
     * Every device named in the secrets file, with the state of its credential (revoked ones too),
     * for the admin page; never the secrets.
     */
    default java.util.List<Entry> entries() {
        return devices().stream().sorted().map(id -> new Entry(id, true, secret(id).map(Secret::created).orElse(null))).toList();
    }

    /**
     * Gives the device a new secret, whether it had one, had a revoked one or none; in force at once
     * (its connections proven with the old one are dropped). Returns the new secret, to be shown once
     * to whoever configures the device.
     */
    default String issue(String deviceId) {
        throw new UnsupportedOperationException("these credentials cannot be changed here");
    }

    /** Revokes the device's credential, at once; false when it had none. */
    default boolean revoke(String deviceId) {
        throw new UnsupportedOperationException("these credentials cannot be changed here");
    }

    /** A device's line in the secrets file: whether its credential is in force, and since when. */
    record Entry(String deviceId, boolean active, Instant since) {
    }

    /** Registers a listener for changes; close the returned handle to remove it. */
    AutoCloseable addListener(Listener listener);

    /** Told after the secrets file changed, with the devices whose credential was added, rotated or revoked. */
    @FunctionalInterface
    interface Listener {
        void credentialsChanged(Set<String> devices);
    }

    /**
     * A device's secret: 24 printable characters (base64url of 18 random bytes), so that the same
     * value can be typed into a device's web page, passed to {@code coap-client -k}, or used as bytes
     * ({@link #bytes()}, the ASCII of the text) for a key.
     */
    record Secret(String value, Instant created) {

        public byte[] bytes() {
            return value.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }

        @Override
        public String toString() {
            return "Secret[created=" + created + "]"; // never the value: secrets must not reach a log
        }
    }
}
