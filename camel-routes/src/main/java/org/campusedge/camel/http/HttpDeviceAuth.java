package org.campusedge.camel.http;

import java.util.List;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.net.DigestServer;

/**
 * Whether a device's POST proved to come from that device: HTTP Digest (RFC 7616, SHA-256 or MD5)
 * with the device id as the user name and its secret from the secrets file as the password. Cameras
 * configured for "digest" authentication of their alarm-host notifications and PA controllers
 * send exactly this. Only a device the inventory marks {@code security: none} (an old camera) is
 * taken without it. Checked on the request line alone, before a byte of the body is read.
 */
public final class HttpDeviceAuth {

    /** The realm cameras and controllers are shown; it is part of every digest. */
    public static final String REALM = "Campus Edge devices";

    /** What to do with a request. */
    public sealed interface Outcome {
        /** Proven, or a device that needs no proof. */
        record Allowed() implements Outcome {
        }

        /**
         * 401 with fresh challenges. {@code firstStep}: the request carried no credentials at all, the
         * normal first half of a Digest exchange (not held against the device); else {@code why} it
         * was refused.
         */
        record Challenge(List<String> wwwAuthenticate, boolean firstStep, String why) implements Outcome {
        }

        /** 403: proved to be another device. */
        record Forbidden(String why) implements Outcome {
        }
    }

    private final DeviceRegistry registry;
    private final DeviceCredentials credentials;
    private final DigestServer digest = DigestServer.forDevices(REALM);

    public HttpDeviceAuth(DeviceRegistry registry, DeviceCredentials credentials) {
        this.registry = registry;
        this.credentials = credentials;
    }

    /**
     * @param device        the device whose path the request reached
     * @param target        the request target as sent (path and query)
     * @param authorization the Authorization header, or null
     */
    public Outcome check(String device, String method, String target, String authorization) {
        if (registry.device(device).map(Device::unprotected).orElse(false)) {
            return new Outcome.Allowed();
        }
        DigestServer.Verdict v = digest.verify(method, target, authorization,
                user -> credentials.secret(user).map(DeviceCredentials.Secret::value).orElse(null));
        if (v instanceof DigestServer.Verdict.Proven p) {
            return p.username().equals(device) ? new Outcome.Allowed() : new Outcome.Forbidden(p.username() + " may not post for " + device);
        }
        if (v instanceof DigestServer.Verdict.Stale) {
            return new Outcome.Challenge(digest.challenges(true), true, "stale nonce; retry with the new one");
        }
        if (v instanceof DigestServer.Verdict.Refused r) {
            return new Outcome.Challenge(digest.challenges(false), false, r.why());
        }
        return new Outcome.Challenge(digest.challenges(false), true, device + " must authenticate (HTTP Digest, user " + device + ")");
    }
}
