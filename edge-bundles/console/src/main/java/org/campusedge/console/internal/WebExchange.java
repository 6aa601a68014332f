package org.campusedge.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.campusedge.net.BoundedHttpServer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * One console request and its answer, on a Jetty request handled by a thread of the console's own
 * (the console's handlers read and write in the blocking style). Headers are set before the answer
 * starts; an answer is sent once.
 */
final class WebExchange {

    private final Request request;
    private final Response response;
    private boolean committed;

    WebExchange(Request request, Response response) {
        this.request = request;
        this.response = response;
    }

    String path() {
        return Request.getPathInContext(request);
    }

    String method() {
        return request.getMethod();
    }

    /** The query string as sent (still encoded), or null. */
    String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** The client's address, for the login throttle and the audit. */
    String remoteAddress() {
        return BoundedHttpServer.source(request).getHostAddress();
    }

    String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The request body, read in full (and bounded) by the server before this request reached a console thread. */
    InputStream body() {
        Object read = request.getAttribute(BoundedHttpServer.BODY);
        return new java.io.ByteArrayInputStream(read instanceof byte[] b ? b : new byte[0]);
    }

    HttpFields.Mutable responseHeaders() {
        return response.getHeaders();
    }

    boolean committed() {
        return committed;
    }

    /** Sends a whole answer. */
    void send(int status, byte[] bytes) throws IOException {
        committed = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
    }

    /**
     * Starts an answer of unknown length (the live feed) and returns where to write it; each flush
     * sends what was written. Closing the stream ends the answer.
     */
    OutputStream stream(int status) {
        committed = true;
        response.setStatus(status);
        return Content.Sink.asOutputStream(response);
    }
}
