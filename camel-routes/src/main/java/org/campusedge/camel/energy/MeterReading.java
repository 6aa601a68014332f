package org.campusedge.camel.energy;

import java.time.Instant;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;

/**
 * One data change of one meter point as the OPC UA subscription delivered it.
 *
 * @param value      the variant's value (Double, Float, Long, Boolean, String, ...), null when absent
 * @param sourceTime the server's source timestamp, or null when it sent none
 * @param badStatus  the status code's text when the server said the value is bad, else null
 */
public record MeterReading(String deviceId, String point, Object value, Instant sourceTime, String badStatus) {

    /** A data change as the subscription delivered it. */
    static MeterReading of(String deviceId, String point, DataValue value) {
        StatusCode status = value.getStatusCode();
        Instant source = value.getSourceTime() == null ? null : value.getSourceTime().getJavaInstant();
        String bad = status != null && status.isBad() ? status.toString() : null;
        Object v = value.getValue() == null ? null : value.getValue().getValue();
        return new MeterReading(deviceId, point, v, source, bad);
    }
}
