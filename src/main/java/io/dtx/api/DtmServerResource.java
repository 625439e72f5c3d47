package io.dtx.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestQuery;

import io.dtx.domain.GlobalStatus;
import io.dtx.domain.InvalidRequestException;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionFilter;
import io.dtx.domain.TransactionSpec;
import io.dtx.domain.TransactionView;
import io.dtx.engine.SpecValidator;
import io.dtx.engine.TransactionCodec;
import io.dtx.engine.TransactionService;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;

/** DTM's coordinator HTTP API, {@code /api/dtmsvr/*} (§1.3). Thin: parse, validate, call the engine, reply. */
@Path("/api/dtmsvr")
@Produces(MediaType.APPLICATION_JSON)
public class DtmServerResource {

    /** The DTM server version whose protocol dtx speaks. */
    static final String DTM_VERSION = "v1.19.0";
    private static final int MAX_PAGE = 1000;

    private final TransactionService service;
    private final RequestParser parser;
    private final SpecValidator validator;
    private final TransactionCodec codec;

    public DtmServerResource(TransactionService service, RequestParser parser, SpecValidator validator,
            TransactionCodec codec) {
        this.service = service;
        this.parser = parser;
        this.validator = validator;
        this.codec = codec;
    }

    @GET
    @Path("version")
    @NonBlocking
    public Response version() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", DTM_VERSION);
        body.put("server", "dtx");
        body.put("server_version", DtxVersion.get());
        return ApiReplies.json(200, body);
    }

    @GET
    @Path("newGid")
    @NonBlocking
    public Response newGid() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("gid", service.newGid());
        body.put("dtm_result", "SUCCESS");
        return ApiReplies.json(200, body);
    }

    @POST
    @Path("prepare")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> prepare(byte[] body) {
        TransactionSpec spec = parser.transaction(body);
        validator.validate(spec, SpecValidator.Operation.PREPARE);
        return service.prepare(spec).map(ApiReplies::of);
    }

    @POST
    @Path("submit")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> submit(byte[] body) {
        TransactionSpec spec = parser.transaction(body);
        validator.validate(spec, SpecValidator.Operation.SUBMIT);
        return service.submit(spec).map(ApiReplies::of);
    }

    @POST
    @Path("abort")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> abort(byte[] body) {
        RequestParser.GidRequest request = parser.gidRequest(body, true);
        validator.checkRollbackReason(request.rollbackReason());
        return service.abort(request.gid(), request.type().orElseThrow(), request.rollbackReason())
                .map(ApiReplies::of);
    }

    @POST
    @Path("forceStop")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> forceStop(byte[] body) {
        return service.forceStop(parser.gidRequest(body, false).gid()).map(ApiReplies::of);
    }

    @POST
    @Path("resetNextCronTime")
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> resetNextCronTime(byte[] body) {
        return service.resetNextCronTime(parser.gidRequest(body, false).gid()).map(ApiReplies::of);
    }

    @GET
    @Path("resetCronTime")
    public Uni<Response> resetCronTime(@RestQuery String timeout, @RestQuery String limit) {
        long after = optionalLong("timeout", timeout, 0, Long.MAX_VALUE / 2).orElse(service.defaultResetCronTimeout());
        int max = optionalLong("limit", limit, 1, 100_000).orElse(100L).intValue();
        return service.resetCronTime(after, max).map(r -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("has_remaining", r.hasRemaining());
            body.put("succeed_count", r.succeedCount());
            return ApiReplies.json(200, body);
        });
    }

    @GET
    @Path("query")
    public Uni<Response> query(@RestQuery String gid) {
        if (gid == null || gid.isEmpty()) {
            throw new InvalidRequestException("gid is required (query parameter ?gid=...)");
        }
        return service.find(gid).onItem().transformToUni(tx -> service.branches(gid).map(branches -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("transaction", tx.map(this::transactionJson).orElse(null));
            body.put("branches", branches.stream().map(StoredJson::branch).toList());
            return ApiReplies.json(200, body);
        }));
    }

    @GET
    @Path("all")
    public Uni<Response> all(@RestQuery String gid, @RestQuery String position, @RestQuery String limit,
            @RestQuery String status, @RestQuery String transType, @RestQuery String createTimeStart,
            @RestQuery String createTimeEnd) {
        if (gid != null && !gid.isEmpty()) {
            return service.find(gid).map(tx -> page(tx.stream().toList(), ""));
        }
        int size = optionalLong("limit", limit, 1, MAX_PAGE).orElse(100L).intValue();
        Optional<String> statusFilter = optional(status);
        statusFilter.ifPresent(s -> GlobalStatus.fromWire(s).orElseThrow(() -> new InvalidRequestException(
                "unknown status '" + s + "' (expected prepared, submitted, aborting, succeed or failed)")));
        Optional<String> typeFilter = optional(transType);
        typeFilter.ifPresent(t -> TransType.fromWire(t).orElseThrow(() -> new InvalidRequestException(
                "unknown transType '" + t + "' (expected saga, msg, tcc, xa or workflow)")));
        TransactionFilter filter = new TransactionFilter(optionalLong("position", position, 1, Long.MAX_VALUE), size,
                statusFilter, typeFilter,
                optionalLong("createTimeStart", createTimeStart, 0, Long.MAX_VALUE).map(Instant::ofEpochMilli),
                optionalLong("createTimeEnd", createTimeEnd, 0, Long.MAX_VALUE).map(Instant::ofEpochMilli));
        return service.list(filter).map(p -> page(p.transactions(), p.nextPosition()));
    }

    private Response page(List<TransactionView> transactions, String nextPosition) {
        List<Object> list = new ArrayList<>(transactions.size());
        for (TransactionView t : transactions) {
            list.add(transactionJson(t));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transactions", list);
        body.put("next_position", nextPosition);
        return ApiReplies.json(200, body);
    }

    private Map<String, Object> transactionJson(TransactionView t) {
        return StoredJson.transaction(t, codec.options(t.options()).concurrent());
    }

    private static Optional<String> optional(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<Long> optionalLong(String name, String value, long min, long max) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a whole number, not '" + value + "'");
        }
        if (v < min || v > max) {
            throw new InvalidRequestException(name + " must be between " + min + " and " + max);
        }
        return Optional.of(v);
    }
}
