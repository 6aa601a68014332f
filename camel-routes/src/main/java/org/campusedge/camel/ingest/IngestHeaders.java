package org.campusedge.camel.ingest;

/** Exchange headers the connectors set and the normalisers read. */
public final class IngestHeaders {

    /** Inventory id of the device a route serves; set by the route template. */
    public static final String DEVICE_ID = "CampusDeviceId";
    /** The CoAP content-format number of a request or notification, absent when it had none. */
    public static final String COAP_CONTENT_FORMAT = "CampusCoapContentFormat";
    /** The CoAP peer as host:port. */
    public static final String COAP_SOURCE = "CampusCoapSource";

    /** The Content-Type of an HTTP request from a device, absent when it had none. */
    public static final String CONTENT_TYPE = "CampusContentType";
    /** The sender of an HTTP request as host:port. */
    public static final String SOURCE = "CampusSource";

    private IngestHeaders() {
    }
}
