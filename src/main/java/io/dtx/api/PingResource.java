package io.dtx.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.smallrye.common.annotation.NonBlocking;

/** {@code /api/ping}: answers {@code {"msg":"pong"}} to any method, as DTM. */
@Path("/api/ping")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class PingResource {
    private static final byte[] PONG = "{\"msg\":\"pong\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @GET
    public Response get() {
        return pong();
    }

    @POST
    public Response post() {
        return pong();
    }

    @PUT
    public Response put() {
        return pong();
    }

    @DELETE
    public Response delete() {
        return pong();
    }

    @PATCH
    public Response patch() {
        return pong();
    }

    private static Response pong() {
        return Response.ok(PONG, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
