package org.campusedge.web;

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
 * One request and its answer, on a Jetty request of a {@link BoundedHttpServer} handled by a thread
 * of the application's own (the console's and the city dashboard's handlers read and write in the
 * blocking style). Headers are set before the answer starts; an answer is sent once.
 */
public final class WebExchange {

    private final Request request;
    private final Response response;
    private boolean committed;

    public WebExchange(Request request, Response response) {
        this.request = request;
        this.response = response;
    }

    public String path() {
        return Request.getPathInContext(request);
    }

    public String method() {
        return request.getMethod();
    }

    /** The query string as sent (still encoded), or null. */
    public String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    /** The client's address, for the login throttle and the audit. */
    public String remoteAddress() {
        return BoundedHttpServer.source(request).getHostAddress();
    }

    public String header(String name) {
        return request.getHeaders().get(name);
    }

    /** The request body, read in full (and bounded) by the server before this request reached a console thread. */
    public InputStream body() {
        Object read = request.getAttribute(BoundedHttpServer.BODY);
        return new java.io.ByteArrayInputStream(read instanceof byte[] b ? b : new byte[0]);
    }

    public HttpFields.Mutable responseHeaders() {
        return response.getHeaders();
    }

    public boolean committed() {
        return committed;
    }

    /** Sends a whole answer. */
    public void send(int status, byte[] bytes) throws IOException {
        committed = true;
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(bytes));
    }

    /**
     * Starts an answer of unknown length (the live feed) and returns where to write it; each flush
     * sends what was written. Closing the stream ends the answer.
     */
    public OutputStream stream(int status) {
        committed = true;
        response.setStatus(status);
        return Content.Sink.asOutputStream(response);
    }
}
