package org.campusedge.sandbox;

import java.util.HashMap;
import java.util.Map;

import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.message.Message;

/**
 * Builds messages in the shape Hono's northbound AMQP API delivers them (as Hono's
 * {@code DownstreamAmqpMessageFactory}, {@code ProtonBasedDownstreamSender} and
 * {@code ProtonBasedCommandResponseSender} do): {@code to} = {@code ENDPOINT/TENANT},
 * {@code creation-time}, {@code content-type}, application properties and the annotations
 * {@code tenant_id}, {@code device_id}, {@code resource}.
 */
final class NorthboundMessages {

    /** Hono's adapter type name, used as {@code orig_adapter} and container id. */
    static final String ADAPTER = "hono-amqp";
    static final String EMPTY_NOTIFICATION = "application/vnd.eclipse-hono-empty-notification";
    static final String OCTET_STREAM = "application/octet-stream";

    static final String DEVICE_ID = "device_id";
    static final String TENANT_ID = "tenant_id";
    static final String RESOURCE = "resource";
    static final String QOS = "qos";
    static final String ORIG_ADAPTER = "orig_adapter";
    static final String ORIG_ADDRESS = "orig_address";
    static final String STATUS = "status";
    static final String TTD = "ttd";

    private NorthboundMessages() {
    }

    /**
     * @param endpoint   {@code telemetry} or {@code event}
     * @param tenantId   the tenant
     * @param deviceId   the device the data is from
     * @param in         the message as the device sent it
     * @param presettled whether the device sent it presettled (QoS 0)
     * @return the northbound message
     */
    static Message telemetryOrEvent(final String endpoint, final String tenantId, final String deviceId,
            final Message in, final boolean presettled) {
        final Message out = Message.Factory.create();
        out.setAddress(endpoint + "/" + tenantId);
        out.setCreationTime(System.currentTimeMillis());
        out.setBody(in.getBody());
        out.setContentType(contentType(in));
        final Map<String, Object> props = new HashMap<>();
        props.put(ORIG_ADDRESS, in.getAddress());
        props.put(QOS, presettled ? 0 : 1);
        props.put(DEVICE_ID, deviceId);
        props.put(ORIG_ADAPTER, ADAPTER);
        out.setApplicationProperties(new ApplicationProperties(props));
        annotate(out, tenantId, deviceId, endpoint + "/" + tenantId + "/" + deviceId);
        if (Address.EVENT.equals(endpoint)) {
            out.setDurable(true);
            if (in.getTtl() > 0) {
                out.setTtl(Math.max(in.getTtl(), 1000L));
            }
        }
        return out;
    }

    /**
     * The empty notification event Hono sends when a device opens ({@code ttd} -1) or closes
     * ({@code ttd} 0) a command link.
     */
    static Message emptyNotification(final String tenantId, final String deviceId, final int ttd) {
        final Message out = Message.Factory.create();
        out.setAddress(Address.EVENT + "/" + tenantId);
        out.setCreationTime(System.currentTimeMillis());
        out.setContentType(EMPTY_NOTIFICATION);
        out.setDurable(true);
        final Map<String, Object> props = new HashMap<>();
        props.put(ORIG_ADAPTER, ADAPTER);
        props.put(QOS, 1);
        props.put(TTD, ttd);
        props.put(DEVICE_ID, deviceId);
        out.setApplicationProperties(new ApplicationProperties(props));
        annotate(out, tenantId, deviceId, Address.EVENT + "/" + tenantId + "/" + deviceId);
        return out;
    }

    /**
     * @param tenantId      the tenant
     * @param deviceId      the device that answered
     * @param replyToId     the application's reply id (the part after {@code command_response/TENANT/})
     * @param correlationId the command's correlation id
     * @param status        the device's status code
     * @param in            the response as the device sent it
     * @return the northbound command response
     */
    static Message commandResponse(final String tenantId, final String deviceId, final String replyToId,
            final String correlationId, final int status, final Message in) {
        final String target = Address.COMMAND_RESPONSE + "/" + tenantId + "/" + replyToId;
        final Message out = Message.Factory.create();
        out.setAddress(target);
        out.setCreationTime(System.currentTimeMillis());
        out.setBody(in.getBody());
        out.setContentType(contentType(in));
        out.setCorrelationId(correlationId);
        final Map<String, Object> props = new HashMap<>();
        props.put(STATUS, status);
        props.put(TENANT_ID, tenantId);
        props.put(DEVICE_ID, deviceId);
        out.setApplicationProperties(new ApplicationProperties(props));
        // Hono annotates with the response target: its "resource id" is the whole reply id
        annotate(out, tenantId, replyToId, target);
        return out;
    }

    private static String contentType(final Message in) {
        final String ct = in.getContentType();
        if (ct != null && !ct.isEmpty()) {
            return ct;
        }
        return in.getBody() != null ? OCTET_STREAM : null;
    }

    private static void annotate(final Message out, final String tenantId, final String deviceId, final String resource) {
        final Map<Symbol, Object> annotations = new HashMap<>();
        annotations.put(Symbol.valueOf(TENANT_ID), tenantId);
        annotations.put(Symbol.valueOf(DEVICE_ID), deviceId);
        annotations.put(Symbol.valueOf(RESOURCE), resource);
        out.setMessageAnnotations(new MessageAnnotations(annotations));
    }
}
