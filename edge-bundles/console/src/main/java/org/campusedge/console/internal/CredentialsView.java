package org.campusedge.console.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceCredentials;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.ServerCertificates;
import java.util.function.Supplier;
import org.campusedge.web.Http;
import org.campusedge.web.WebExchange;

/**
 * The admin page's view of how devices and servers prove who they are: every device of the inventory
 * with its credential (its key and since when, revoked, or unprotected: {@code security: none}; a
 * meter behind a shared OPC UA server uses the server's, listed as a row of its own), devices that
 * have a line in the secrets file but left the inventory, and the OPC UA trust list (the meter
 * servers' certificates, trusted or refused, and the gateway's own). Issuing a new key, revoking one,
 * trusting a certificate go through the services; a new key is shown once, in the answer. Never a
 * secret in a listing.
 */
final class CredentialsView {

    private final DeviceCredentials credentials;
    private final DeviceRegistry registry;
    private final Supplier<ServerCertificates> certificates;

    CredentialsView(DeviceCredentials credentials, DeviceRegistry registry, Supplier<ServerCertificates> certificates) {
        this.credentials = credentials;
        this.registry = registry;
        this.certificates = certificates;
    }

    /** The devices' credentials (the console signs its requests to a camera with the camera's key). */
    DeviceCredentials credentials() {
        return credentials;
    }

    void write(JsonGenerator g) throws IOException {
        Map<String, DeviceCredentials.Entry> entries = new TreeMap<>();
        credentials.entries().forEach(e -> entries.put(e.deviceId(), e));
        Map<String, Device> devices = new TreeMap<>();
        registry.devices().forEach(d -> devices.put(d.id(), d));
        Map<String, Integer> shared = sharedCredentials();
        g.writeStartArray();
        for (Device d : devices.values()) {
            String id = d.credentialId();
            DeviceCredentials.Entry e = entries.get(id);
            String state = d.unprotected() ? "unprotected" : e == null ? "none" : !e.active() ? "revoked" : "key";
            row(g, d.id(), d.family(), state, e, id.equals(d.id()) ? null : id);
        }
        for (DeviceCredentials.Entry e : entries.values()) {
            if (devices.containsKey(e.deviceId())) {
                continue;
            }
            if (shared.containsKey(e.deviceId())) {
                row(g, e.deviceId(), "opcua-server", e.active() ? "server" : "revoked", e, null);
            } else {
                row(g, e.deviceId(), "", e.active() ? "key, not in the inventory" : "revoked, not in the inventory", e, null);
            }
        }
        g.writeEndArray();
    }

    /** Credential ids that meters name instead of their own (a shared OPC UA server's login), with how many meters use each. */
    private Map<String, Integer> sharedCredentials() {
        Map<String, Integer> out = new TreeMap<>();
        for (Device d : registry.devices()) {
            if (!d.credentialId().equals(d.id()) && !d.unprotected()) {
                out.merge(d.credentialId(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static void row(JsonGenerator g, String device, String family, String state, DeviceCredentials.Entry e,
                            String uses) throws IOException {
        g.writeStartObject();
        g.writeStringField("device", device);
        g.writeStringField("family", family);
        g.writeStringField("state", state);
        g.writeStringField("since", e == null || e.since() == null ? "" : e.since().toString());
        if (uses != null) {
            g.writeStringField("uses", uses); // the meter logs in with this (shared) credential
        }
        g.writeEndObject();
    }

    /**
     * A new key for a device of the inventory that proves who it is, or for an OPC UA server's credential
     * that meters share; the secret, to be shown once.
     */
    String issue(String deviceId) {
        if (sharedCredentials().containsKey(deviceId) && registry.device(deviceId).isEmpty()) {
            return credentials.issue(deviceId);
        }
        Device d = registry.device(deviceId).orElseThrow(() -> new IllegalArgumentException("no device " + deviceId + " in the inventory"));
        if (d.unprotected()) {
            throw new IllegalArgumentException(deviceId + " is marked security: none in the inventory; it cannot use a key");
        }
        if (!d.credentialId().equals(deviceId)) {
            throw new IllegalArgumentException(deviceId + " logs in with the credential " + d.credentialId() + "; issue that one");
        }
        return credentials.issue(deviceId);
    }

    /** The OPC UA trust list: {@code {own: {thumbprint, pem}, certificates: [...]}}; an empty list when the meters are not secured. */
    void writeCertificates(JsonGenerator g) throws IOException {
        ServerCertificates c = certificates.get();
        g.writeStartObject();
        if (c != null) {
            g.writeObjectFieldStart("own");
            g.writeStringField("thumbprint", c.ownThumbprint());
            g.writeStringField("pem", c.ownCertificatePem());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("certificates");
        for (ServerCertificates.Entry e : c == null ? java.util.List.<ServerCertificates.Entry>of() : c.list()) {
            g.writeStartObject();
            g.writeStringField("thumbprint", e.thumbprint());
            g.writeStringField("subject", e.subject());
            g.writeStringField("applicationUri", e.applicationUri());
            g.writeStringField("notAfter", e.notAfter().toString());
            g.writeBooleanField("trusted", e.trusted());
            g.writeStringField("endpoint", e.endpoint()); // bound to (trusted) or refused at
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Trusts a refused server certificate; its subject, or null when no refused certificate has the thumbprint. */
    String trust(String thumbprint) {
        return change(thumbprint, false);
    }

    /** Stops trusting a server certificate; its subject, or null when no trusted certificate has the thumbprint. */
    String distrust(String thumbprint) {
        return change(thumbprint, true);
    }

    private String change(String thumbprint, boolean trusted) {
        if (!thumbprint.matches("[0-9a-fA-F]{40}")) {
            throw new IllegalArgumentException("a thumbprint is 40 hex digits");
        }
        ServerCertificates c = certificates.get();
        if (c == null) {
            throw new IllegalArgumentException("the meters are not read securely here; there is no trust list");
        }
        ServerCertificates.Entry e = c.list().stream().filter(x -> x.thumbprint().equalsIgnoreCase(thumbprint) && x.trusted() == trusted)
                .findFirst().orElse(null);
        if (e == null) {
            return null;
        }
        boolean done = trusted ? c.distrust(thumbprint) : c.trust(thumbprint);
        return done ? e.subject() : null;
    }

    boolean revoke(String deviceId) {
        return credentials.revoke(deviceId);
    }

    /** {@code POST /api/credentials/issue|revoke} (device): a new key, shown once, or the key revoked; audited, never the key. */
    void issueOrRevoke(WebExchange ex, boolean issue, String by, AuditLog audit) throws IOException {
        String device = Http.form(Http.body(ex)).getOrDefault("device", "");
        try {
            if (issue) {
                String secret = issue(device);
                audit.record("audit.key-issued", org.campusedge.api.Severity.NOTICE, Map.of("device", device, "by", by)); // never the key
                ex.responseHeaders().put("Cache-Control", "no-store");
                Http.text(ex, 200, secret);
            } else {
                boolean done = revoke(device);
                if (done) {
                    audit.record("audit.key-revoked", org.campusedge.api.Severity.NOTICE, Map.of("device", device, "by", by));
                }
                Http.text(ex, done ? 200 : 409, done ? "revoked" : "no credential in force to revoke");
            }
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
        }
    }

    /** {@code POST /api/certificates/trust|distrust} (thumbprint): an OPC UA server's certificate trusted or no longer; audited. */
    void trustOrDistrust(WebExchange ex, boolean trust, String by, AuditLog audit) throws IOException {
        String thumbprint = Http.form(Http.body(ex)).getOrDefault("thumbprint", "");
        try {
            String subject = trust ? trust(thumbprint) : distrust(thumbprint);
            if (subject == null) {
                Http.text(ex, 409, trust ? "no rejected certificate has that thumbprint" : "no trusted certificate has that thumbprint");
                return;
            }
            audit.record(trust ? "audit.certificate-trusted" : "audit.certificate-distrusted", org.campusedge.api.Severity.WARNING,
                    Map.of("thumbprint", thumbprint.toLowerCase(), "subject", subject, "by", by));
            Http.text(ex, 200, trust ? "trusted" : "no longer trusted");
        } catch (IllegalArgumentException e) {
            Http.text(ex, 400, e.getMessage());
        }
    }
}
