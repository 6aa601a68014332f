package org.campusedge.camel.observe;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 * The gateway's keys as a DTLS client of the kits it observes: towards a kit's address it presents
 * the kit's device id as PSK identity and the kit's secret as key, so that the handshake succeeds only
 * with a kit that holds that secret — whoever else answers at the address learns nothing and sends
 * nothing the gateway takes. Looked up at every handshake (a rotated key counts from the next one).
 */
final class ObserverPskStore implements AdvancedPskStore {

    private final DeviceCredentials credentials;
    private final Map<InetSocketAddress, String> kitByAddress = new ConcurrentHashMap<>();

    ObserverPskStore(DeviceCredentials credentials) {
        this.credentials = credentials;
    }

    /** The kit observed at this address; false when another kit is observed there (one kit per address). */
    boolean observe(InetSocketAddress address, String deviceId) {
        String before = kitByAddress.putIfAbsent(address, deviceId);
        return before == null || before.equals(deviceId);
    }

    void forget(InetSocketAddress address, String deviceId) {
        kitByAddress.remove(address, deviceId);
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        String kit = kitByAddress.get(peerAddress);
        return kit == null ? null : new PskPublicInformation(kit);
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName, PskPublicInformation identity,
                                                  String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
                                                  boolean useExtendedMasterSecret) {
        Optional<DeviceCredentials.Secret> secret = credentials.secret(identity.getPublicInfoAsString());
        return new PskSecretResult(cid, identity,
                secret.map(s -> SecretUtil.create(s.bytes(), PskSecretResult.ALGORITHM_PSK)).orElse(null));
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // answers are synchronous
    }

    String kitAt(InetSocketAddress address) {
        return kitByAddress.get(address);
    }

    /**
     * Tells refused handshakes from absent kits: the gateway's last flight (ClientKeyExchange and Finished,
     * flight 5) reached a device that answered its hello but never took the Finished — it does not hold the
     * kit's key. A handshake that fails before (nothing answers the hello) is a kit that is not there, which
     * device health reports, not a refusal.
     */
    org.eclipse.californium.scandium.dtls.SessionListener refusals(java.util.function.BiConsumer<String, String> refused) {
        Map<org.eclipse.californium.scandium.dtls.Handshaker, Integer> flights = new ConcurrentHashMap<>();
        return new org.eclipse.californium.scandium.dtls.SessionListener() {
            @Override
            public void handshakeStarted(org.eclipse.californium.scandium.dtls.Handshaker h) {
            }

            @Override
            public void contextEstablished(org.eclipse.californium.scandium.dtls.Handshaker h,
                                           org.eclipse.californium.scandium.dtls.DTLSContext context) {
            }

            @Override
            public void handshakeCompleted(org.eclipse.californium.scandium.dtls.Handshaker h) {
                flights.remove(h);
            }

            @Override
            public void handshakeFailed(org.eclipse.californium.scandium.dtls.Handshaker h, Throwable cause) {
                Integer flight = flights.remove(h);
                String kit = kitAt(h.getPeerAddress());
                if (kit != null && flight != null && flight >= 5) {
                    refused.accept(kit, "the device at " + h.getPeerAddress() + " did not complete the DTLS handshake with the"
                            + " kit's key (not the kit, or not set up with its key)");
                }
            }

            @Override
            public void handshakeFlightRetransmitted(org.eclipse.californium.scandium.dtls.Handshaker h, int flight) {
                flights.merge(h, flight, Math::max);
            }
        };
    }
}
