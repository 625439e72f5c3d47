package io.dtx.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.dtx.engine.Reply;

/**
 * DTM's reply rules (§1.1): void success is exactly {@code 200 {"dtm_result":"SUCCESS"}}; a logical failure is 409
 * with {@code dtm_result} FAILURE; ongoing is 425 with ONGOING. Bad input is 400, an unknown transaction 404 and an
 * unexpected error 500, each with a {@code message}. Bodies are written here from plain maps, so nothing needs
 * reflection in the native image.
 */
public final class ApiReplies {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SUCCESS = "{\"dtm_result\":\"SUCCESS\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private ApiReplies() {
    }

    public static Response success() {
        return Response.ok(SUCCESS, MediaType.APPLICATION_JSON_TYPE).build();
    }

    public static Response of(Reply reply) {
        return switch (reply.kind()) {
            case SUCCESS -> success();
            case FAILURE -> result(409, "FAILURE", reply.message());
            case ONGOING -> result(425, "ONGOING", reply.message());
            case NOT_FOUND -> message(404, reply.message());
            case ERROR -> message(500, reply.message());
        };
    }

    public static Response badRequest(String message) {
        return message(400, message);
    }

    public static Response message(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        return json(status, body);
    }

    private static Response result(int status, String result, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dtm_result", result);
        body.put("message", message);
        return json(status, body);
    }

    public static Response json(int status, Object body) {
        try {
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(JSON.writeValueAsBytes(body))
                    .build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a reply", e);
        }
    }
}
