package io.dtx.api;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.dtx.domain.InvalidRequestException;
import io.quarkus.logging.Log;

/** Turns exceptions into DTM-shaped JSON replies: bad input 400, unknown routes 404, anything else 500. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return ApiReplies.badRequest(e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ApiReplies.message(404, "no such route");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return ApiReplies.message(status, e.getMessage() == null ? "HTTP " + status : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Log.errorf(e, "unexpected error");
        return ApiReplies.message(500, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
}
