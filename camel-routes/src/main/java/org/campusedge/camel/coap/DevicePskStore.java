package org.campusedge.camel.coap;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.SecretKey;
import org.campusedge.api.DeviceCredentials;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * DTLS pre-shared keys from the devices' credentials: a PSK identity is a device id, its key the
 * ASCII bytes of the device's current secret. Looked up at every handshake, so an added, rotated or
 * revoked credential counts from the next handshake on (and the server drops the connections of a
 * device whose credential changed). An identity without a credential gets no key: the handshake
 * fails and the peer learns nothing more than that.
 */
final class DevicePskStore implements AdvancedPskStore {

    private final DeviceCredentials credentials;
    private final LongAdder unknownIdentities = new LongAdder();

    DevicePskStore(DeviceCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName, PskPublicInformation identity,
                                                  String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
                                                  boolean useExtendedMasterSecret) {
        Optional<DeviceCredentials.Secret> secret = credentials.secret(identity.getPublicInfoAsString());
        if (secret.isEmpty()) {
            unknownIdentities.increment();
            return new PskSecretResult(cid, identity, null);
        }
        return new PskSecretResult(cid, identity, SecretUtil.create(secret.get().bytes(), PskSecretResult.ALGORITHM_PSK));
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null; // the gateway is the server here: it never opens a handshake
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers are synchronous
    }

    /** Handshakes that named an identity with no credential. */
    long unknownIdentities() {
        return unknownIdentities.sum();
    }
}
