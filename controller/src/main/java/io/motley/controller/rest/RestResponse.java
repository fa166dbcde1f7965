package io.motley.controller.rest;

import java.nio.charset.StandardCharsets;

/** The REST API's answer: the HTTP status, the content type and the body. */
public record RestResponse(int status, String contentType, byte[] body) {
    static RestResponse json(int status, String text) {
        return new RestResponse(status, "application/json", text.getBytes(StandardCharsets.UTF_8));
    }

    /** The body as text (tests, logs). */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
