package org.campusedge.sandbox;

import org.apache.qpid.proton.message.Message;

import io.vertx.core.Future;

/**
 * Where the device side hands what devices send, in Hono's northbound shape ({@link NorthboundMessages}):
 * Hono's AMQP messaging network ({@link NorthSide}) or its Kafka topics ({@link KafkaNorth}). Runs on the sandbox's
 * single vert.x context.
 */
interface Northbound {

    /**
     * Hands one message on.
     *
     * @param address        {@code telemetry/T}, {@code event/T} or {@code command_response/T/ID}
     * @param message        the northbound message
     * @param waitForOutcome whether to wait for the consumer's (or the broker's) outcome, else accepted once sent
     * @return the outcome; released when it could not be handed on
     */
    Future<Outcome> forward(String address, Message message, boolean waitForOutcome);

    /** Sends Hono's empty notification for a device's command link ({@code ttd} -1 opened, 0 closed). */
    void notifyTtd(String tenantId, String deviceId, int ttd);

    /** Drops every northbound connection or client, for good; completes once they are gone. */
    Future<Void> closeAll();

    /** The sandbox "goes down" (a fault switch): what applications are connected by is cut, where that applies. */
    default void goDown() {
        closeAll();
    }
}
