package org.campusedge.camel.energy;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.ApplicationType;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.ApplicationDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.core.util.EndpointUtil;

/**
 * Where and how the gateway connects to a meter server: the endpoint URL, the security policy (None
 * only for meters the inventory marks {@code security: none}, then anonymously), the user name and the
 * id of the credential whose secret is the password. Meters behind one server with the same target share
 * a session. It also finds the server's endpoint to use, and tells a refusal from a server that is not there.
 */
record MeterTarget(String endpointUrl, SecurityPolicy policy, String user, String credentialId) {

    private static final String UA_TCP_BINARY = "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";

    boolean secured() {
        return policy != SecurityPolicy.None;
    }

    static MeterTarget unsecured(String endpointUrl) {
        return new MeterTarget(endpointUrl, SecurityPolicy.None, null, null);
    }

    /**
     * The server's endpoint with this policy and SignAndEncrypt, asked of the server (over an unsecured
     * channel, as OPC UA does); an {@link IllegalStateException} when it offers none.
     */
    EndpointDescription secureEndpoint() throws Exception {
        List<EndpointDescription> offered = DiscoveryClient.getEndpoints(endpointUrl).get(5, TimeUnit.SECONDS);
        java.net.URI ours = java.net.URI.create(endpointUrl.replaceFirst("^opc\\.tcp:", "http:"));
        for (EndpointDescription e : offered) {
            if (policy.getUri().equals(e.getSecurityPolicyUri()) && e.getSecurityMode() == MessageSecurityMode.SignAndEncrypt
                    && UA_TCP_BINARY.equals(e.getTransportProfileUri())) {
                // the URL we were given, not the host name the server believes it has
                return EndpointUtil.updateUrl(e, ours.getHost(), ours.getPort());
            }
        }
        throw new IllegalStateException("the server offers no " + policy.name() + " SignAndEncrypt endpoint (it offers "
                + offered.stream().map(e -> SecurityPolicy.fromUriSafe(e.getSecurityPolicyUri()).map(Enum::name).orElse("?")
                        + "/" + e.getSecurityMode()).distinct().toList() + ")");
    }

    /**
     * The endpoint of an unsecured target, made up without asking the server, so that a gateway that
     * starts before the meter server keeps trying rather than failing once.
     */
    EndpointDescription unsecuredEndpoint() {
        return new EndpointDescription(endpointUrl,
                new ApplicationDescription("urn:campusedge:meter-server", null, LocalizedText.english("meter server"),
                        ApplicationType.Server, null, null, new String[] {endpointUrl}),
                ByteString.NULL_VALUE, MessageSecurityMode.None, SecurityPolicy.None.getUri(),
                new UserTokenPolicy[] {new UserTokenPolicy("anonymous", UserTokenType.Anonymous, null, null, null)},
                UA_TCP_BINARY, ubyte(0));
    }

    /** A refusal of either side's identity (as opposed to a server that is not there). */
    static boolean refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UaException ua) {
                long code = ua.getStatusCode().getValue();
                if (code == StatusCodes.Bad_UserAccessDenied || code == StatusCodes.Bad_IdentityTokenRejected
                        || code == StatusCodes.Bad_IdentityTokenInvalid || code == StatusCodes.Bad_SecurityChecksFailed
                        || code == StatusCodes.Bad_CertificateUntrusted || code == StatusCodes.Bad_SecurityPolicyRejected) {
                    return true;
                }
            }
        }
        return false;
    }
}
