package io.motley.controller.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The REST API's answer: the HTTP status, the content type and the body, either whole ({@code
 * body}) or, for a listing that may run to many megabytes, {@code streamed}: written to the
 * connection as it is made, with {@code body} empty.
 */
public record RestResponse(int status, String contentType, byte[] body, Body streamed) {
    /** A body written out as it is made; a failure partway cuts the answer short. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    public RestResponse {
        body = body == null ? new byte[0] : body;
    }

    public RestResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, null);
    }

    static RestResponse json(int status, String text) {
        return new RestResponse(status, "application/json", text.getBytes(StandardCharsets.UTF_8));
    }

    /** The whole body, written out from the stream when it is streamed (tests, small callers). */
    public byte[] bytes() {
        if (streamed == null) return body;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            streamed.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The body as text (tests, logs). */
    public String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }
}
