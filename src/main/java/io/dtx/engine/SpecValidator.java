package io.dtx.engine;

import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.config.DtxConfig;
import io.dtx.dispatch.BranchTarget;
import io.dtx.dispatch.HttpBranchDispatcher;
import io.dtx.dispatch.OutboundGuard;
import io.dtx.domain.InvalidRequestException;
import io.dtx.domain.SagaLayout;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionSpec;

/**
 * The checks a transaction must pass before it is stored: types dtx runs, URLs it may call, sizes within the
 * configured limits, custom_data it understands. DTM accepts most of these and then fails at run time or never
 * finishes; dtx answers 400 up front.
 */
@ApplicationScoped
public class SpecValidator {

    public enum Operation {
        PREPARE,
        SUBMIT
    }

    private final DtxConfig.Limits limits;
    private final TransactionCodec codec;
    private final OutboundGuard guard;

    public SpecValidator(DtxConfig config, TransactionCodec codec, HttpBranchDispatcher dispatcher) {
        this.limits = config.limits();
        this.codec = codec;
        this.guard = dispatcher.guard();
    }

    public void validate(TransactionSpec spec, Operation operation) {
        checkGid(spec.gid(), limits);
        checkType(spec.type(), operation);
        if (!"http".equals(spec.protocol())) {
            throw new InvalidRequestException("protocol '" + spec.protocol()
                    + "' is not supported over HTTP; use \"http\" (or leave it empty)");
        }
        if (spec.steps().size() > limits.maxSteps()) {
            throw new InvalidRequestException("steps has " + spec.steps().size() + " entries; the limit is "
                    + limits.maxSteps() + " (dtx.limits.max-steps)");
        }
        checkLength("custom_data", spec.customData(), limits.maxFieldLength());
        checkLength("rollback_reason", spec.rollbackReason(), limits.maxFieldLength());
        checkHeaders(spec.options().branchHeaders());
        for (int i = 0; i < spec.steps().size(); i++) {
            for (Map.Entry<String, String> e : spec.steps().get(i).urls().entrySet()) {
                checkUrl("steps[" + i + "]." + e.getKey(), e.getValue(), spec.type() == TransType.MSG);
            }
        }
        if (spec.type() == TransType.SAGA) {
            SagaLayout layout = customData(() -> codec.sagaLayout(spec.customData()));
            layout.problemFor(spec.steps().size()).ifPresent(p -> {
                throw new InvalidRequestException(p);
            });
        } else if (spec.type() == TransType.MSG) {
            customData(() -> codec.msgDelay(spec.customData()));
            if (operation == Operation.PREPARE && spec.queryPrepared().isEmpty()) {
                throw new InvalidRequestException(
                        "query_prepared is required to prepare a msg: dtx calls it to learn the outcome of a msg that"
                                + " is prepared but never submitted");
            }
            if (!spec.queryPrepared().isEmpty()) {
                checkUrl("query_prepared", spec.queryPrepared(), false);
            }
        }
    }

    private static <T> T customData(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    public static void checkGid(String gid, DtxConfig.Limits limits) {
        if (gid == null || gid.isEmpty()) {
            throw new InvalidRequestException("gid is required");
        }
        if (gid.length() > limits.maxGidLength()) {
            throw new InvalidRequestException("gid is " + gid.length() + " characters long; the limit is "
                    + limits.maxGidLength() + " (dtx.limits.max-gid-length)");
        }
        for (int i = 0; i < gid.length(); i++) {
            if (Character.isISOControl(gid.charAt(i))) {
                throw new InvalidRequestException("gid must not contain control characters (found one at index " + i + ")");
            }
        }
    }

    private static void checkType(TransType type, Operation operation) {
        if (type == TransType.SAGA && operation == Operation.PREPARE) {
            throw new InvalidRequestException("a saga is not prepared: submit it directly");
        }
        if (type != TransType.SAGA && type != TransType.MSG) {
            throw new InvalidRequestException(
                    "trans_type '" + type + "' is not supported by this dtx version yet (supported: saga, msg)");
        }
    }

    static void checkLength(String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            throw new InvalidRequestException(field + " is " + value.length() + " characters long; the limit is " + max
                    + " (dtx.limits.max-field-length)");
        }
        if (value.indexOf('\u0000') >= 0) {
            throw new InvalidRequestException(field + " must not contain NUL characters");
        }
    }

    /** A rollback reason given to abort: same limits as in a transaction. */
    public void checkRollbackReason(String reason) {
        checkLength("rollback_reason", reason, limits.maxFieldLength());
    }

    private void checkHeaders(Map<String, String> headers) {
        if (headers.size() > limits.maxBranchHeaders()) {
            throw new InvalidRequestException("branch_headers has " + headers.size() + " entries; the limit is "
                    + limits.maxBranchHeaders() + " (dtx.limits.max-branch-headers)");
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().isEmpty() || !h.getKey().chars().allMatch(SpecValidator::isTokenChar)) {
                throw new InvalidRequestException("branch_headers: '" + h.getKey() + "' is not a valid header name");
            }
            String v = h.getValue();
            if (v.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new InvalidRequestException("branch_headers." + h.getKey() + " contains a line break or NUL");
            }
            checkLength("branch_headers." + h.getKey(), v, limits.maxFieldLength());
        }
    }

    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    private void checkUrl(String field, String url, boolean msgAction) {
        if (url.isEmpty()) {
            return; // DTM: an empty URL is a success without a call
        }
        if (url.length() > limits.maxUrlLength()) {
            throw new InvalidRequestException(field + " is " + url.length() + " characters long; the limit is "
                    + limits.maxUrlLength() + " (dtx.limits.max-url-length)");
        }
        if (msgAction && url.startsWith("topic://")) {
            throw new InvalidRequestException(field + ": topic '" + url.substring("topic://".length())
                    + "' not found (this dtx version has no topics yet)");
        }
        BranchTarget target;
        try {
            target = BranchTarget.of(url);
        } catch (URISyntaxException e) {
            String message = switch (e.getReason()) {
                case BranchTarget.NOT_HTTP -> "URL '" + url + "' must start with http:// or https://";
                case BranchTarget.NO_HOST -> "URL '" + url + "' has no host";
                default -> "malformed URL '" + url + "': " + e.getReason();
            };
            throw new InvalidRequestException(field + ": " + message);
        }
        if (OutboundGuard.isIpLiteral(target.host())) {
            Optional<String> refused;
            try {
                refused = guard.refusal(target.host(), OutboundGuard.literal(target.host()));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(field + ": URL '" + url + "' has a malformed address");
            }
            refused.ifPresent(r -> {
                throw new InvalidRequestException(field + ": " + r);
            });
        }
    }
}
