package org.campusedge.camel.coap;

import java.security.Principal;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/**
 * Whether a CoAP request may speak for the device whose resource it reached. Over DTLS the peer
 * proved an identity with that identity's key; it may post for that device only (its own identity),
 * and only while the credential is in force (a revoked one is refused even on a connection made
 * before). Over plain CoAP nobody has proved anything: only a device the inventory marks
 * {@code security: none} (an old kit) is taken so. Refusals are 4.01 (prove who you are, on coaps)
 * and 4.03 (you proved to be another device); both are counted against the device and the source.
 */
public final class CoapDeviceAuth {

    private final DeviceRegistry registry;
    private final DeviceCredentials credentials;
    private final int securePort;

    /** @param credentials null: no coaps at all, and every device is taken over plain CoAP (tests of route logic only) */
    public CoapDeviceAuth(DeviceRegistry registry, DeviceCredentials credentials, int securePort) {
        this.registry = registry;
        this.credentials = credentials;
        this.securePort = securePort;
    }

    /**
     * Whether the gateway takes the device's data over plain CoAP, where nothing proves who sent it:
     * only a device the inventory marks {@code security: none} (or any, without credentials at all).
     * The same rule for a posted pack and for an observed resource.
     */
    public boolean plainAllowed(String deviceId) {
        return credentials == null || registry.device(deviceId).map(Device::unprotected).orElse(false);
    }

    /** Null when the request may speak for the device; else why not. */
    RejectedInputException refusal(String deviceId, Request request) {
        if (credentials == null) {
            return null;
        }
        Principal peer = request.getSourceContext() == null ? null : request.getSourceContext().getPeerIdentity();
        if (peer instanceof PreSharedKeyIdentity psk) {
            String identity = psk.getIdentity();
            if (!deviceId.equals(identity)) {
                return new RejectedInputException(Reason.FORBIDDEN, "identity " + identity + " may not post for " + deviceId);
            }
            if (credentials.secret(deviceId).isEmpty()) {
                return new RejectedInputException(Reason.UNAUTHENTICATED, deviceId + ": credential revoked");
            }
            return null;
        }
        if (plainAllowed(deviceId)) {
            return null;
        }
        return new RejectedInputException(Reason.UNAUTHENTICATED, deviceId + " must use coaps (DTLS with its key"
                + (securePort > 0 ? ", port " + securePort : "") + ")");
    }
}
