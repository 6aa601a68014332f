package org.campusedge.camel.energy;

import java.time.Instant;

/**
 * One data change of one meter point as the OPC UA subscription delivered it.
 *
 * @param value      the variant's value (Double, Float, Long, Boolean, String, ...), null when absent
 * @param sourceTime the server's source timestamp, or null when it sent none
 * @param badStatus  the status code's text when the server said the value is bad, else null
 */
public record MeterReading(String deviceId, String point, Object value, Instant sourceTime, String badStatus) {
}
