package io.dtx.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.dtx.config.DtxConfig;
import io.dtx.domain.InvalidRequestException;
import io.dtx.domain.TransType;
import io.dtx.domain.TransactionOptions;
import io.dtx.domain.TransactionSpec;

/**
 * Reads DTM's request bodies (§1.2) into validated values. Unknown fields are ignored and {@code null} is accepted
 * for every field, as the Java and Python clients send them; anything of the wrong shape is refused with a message
 * naming the field.
 */
@ApplicationScoped
public class RequestParser {

    /** Largest number of seconds accepted in a duration field (ten years). */
    private static final long MAX_SECONDS = 315_360_000L;

    private final ObjectMapper mapper;
    private final DtxConfig.Limits limits;

    public RequestParser(ObjectMapper mapper, DtxConfig config) {
        this.mapper = mapper;
        this.limits = config.limits();
    }

    /** gid, trans_type and rollback_reason of a body that names one transaction (abort, forceStop, …). */
    public record GidRequest(String gid, Optional<TransType> type, String rollbackReason) {
    }

    public TransactionSpec transaction(byte[] body) {
        JsonNode root = object(body);
        String gid = string(root, "gid");
        TransType type = type(root, true).orElseThrow();
        List<Map<String, String>> steps = steps(root);
        List<byte[]> payloads = payloads(root, steps);
        if (payloads.size() != steps.size()) {
            throw new InvalidRequestException("payloads has " + payloads.size() + " entries but steps has "
                    + steps.size() + "; each step needs exactly one payload");
        }
        List<TransactionSpec.Step> specSteps = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            Map<String, String> urls = new LinkedHashMap<>(steps.get(i));
            urls.remove("data");
            specSteps.add(new TransactionSpec.Step(urls, payloads.get(i)));
        }
        String protocol = string(root, "protocol");
        TransactionOptions options = new TransactionOptions(bool(root, "wait_result"), seconds(root, "timeout_to_fail"),
                seconds(root, "request_timeout"), seconds(root, "retry_interval"), headers(root),
                bool(root, "concurrent"), count(root, "retry_limit"));
        return new TransactionSpec(gid, type, specSteps, customData(root), string(root, "query_prepared"),
                protocol.isEmpty() ? "http" : protocol, string(root, "rollback_reason"), options);
    }

    public GidRequest gidRequest(byte[] body, boolean typeRequired) {
        JsonNode root = object(body);
        String gid = string(root, "gid");
        if (gid.isEmpty()) {
            throw new InvalidRequestException("gid is required");
        }
        return new GidRequest(gid, type(root, typeRequired), string(root, "rollback_reason"));
    }

    private JsonNode object(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidRequestException("request body is empty; expected a JSON object");
        }
        if (body.length > limits.maxRequestBytes()) {
            throw new InvalidRequestException("request body is " + body.length + " bytes; the limit is "
                    + limits.maxRequestBytes() + " (dtx.limits.max-request-bytes)");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidRequestException("malformed JSON" + (at == null ? ""
                    : " at line " + at.getLineNr()
                            + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new InvalidRequestException("unreadable request body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("request body must be a JSON object, not " + describe(root));
        }
        return root;
    }

    private static Optional<TransType> type(JsonNode root, boolean required) {
        String type = string(root, "trans_type");
        if (type.isEmpty()) {
            if (required) {
                throw new InvalidRequestException("trans_type is required (one of saga, msg, tcc, xa, workflow)");
            }
            return Optional.empty();
        }
        return Optional.of(TransType.fromWire(type).orElseThrow(() -> new InvalidRequestException(
                "unknown trans_type '" + type + "' (expected one of saga, msg, tcc, xa, workflow)")));
    }

    private static List<Map<String, String>> steps(JsonNode root) {
        JsonNode steps = root.get("steps");
        List<Map<String, String>> out = new ArrayList<>();
        if (steps == null || steps.isNull()) {
            return out;
        }
        if (!steps.isArray()) {
            throw new InvalidRequestException("steps must be a list of objects such as {\"action\":url,\"compensate\":url}");
        }
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            if (!step.isObject()) {
                throw new InvalidRequestException("steps[" + i + "] must be an object such as {\"action\":url}");
            }
            Map<String, String> urls = new LinkedHashMap<>();
            var fields = step.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (f.getValue().isNull()) {
                    continue;
                }
                if (!f.getValue().isTextual()) {
                    throw new InvalidRequestException("steps[" + i + "]." + f.getKey() + " must be a string");
                }
                urls.put(f.getKey(), f.getValue().asText());
            }
            out.add(urls);
        }
        return out;
    }

    /** payloads, or, for the legacy body without it, the {@code data} of each step. */
    private static List<byte[]> payloads(JsonNode root, List<Map<String, String>> steps) {
        JsonNode payloads = root.get("payloads");
        List<byte[]> out = new ArrayList<>();
        if (payloads == null || payloads.isNull() || (payloads.isArray() && payloads.isEmpty() && legacy(steps))) {
            if (legacy(steps)) {
                for (Map<String, String> step : steps) {
                    out.add(step.getOrDefault("data", "").getBytes(StandardCharsets.UTF_8));
                }
            }
            return out;
        }
        if (!payloads.isArray()) {
            throw new InvalidRequestException("payloads must be a list of strings, one request body per step");
        }
        for (int i = 0; i < payloads.size(); i++) {
            JsonNode p = payloads.get(i);
            if (p.isNull()) {
                out.add(new byte[0]);
            } else if (p.isTextual()) {
                out.add(p.asText().getBytes(StandardCharsets.UTF_8));
            } else {
                throw new InvalidRequestException(
                        "payloads[" + i + "] must be a string (the JSON-encoded request body), not " + describe(p));
            }
        }
        return out;
    }

    private static boolean legacy(List<Map<String, String>> steps) {
        return !steps.isEmpty() && steps.stream().anyMatch(s -> s.containsKey("data"));
    }

    /** custom_data is a JSON-encoded string; an object is accepted as its own encoding. */
    private static String customData(JsonNode root) {
        JsonNode n = root.get("custom_data");
        if (n == null || n.isNull()) {
            return "";
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject()) {
            return n.toString();
        }
        throw new InvalidRequestException("custom_data must be a string holding JSON, not " + describe(n));
    }

    private static Map<String, String> headers(JsonNode root) {
        JsonNode n = root.get("branch_headers");
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new InvalidRequestException("branch_headers must be an object of header name to value");
        }
        var fields = n.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getValue().isNull()) {
                continue;
            }
            if (!f.getValue().isTextual()) {
                throw new InvalidRequestException("branch_headers." + f.getKey() + " must be a string");
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    static String string(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw new InvalidRequestException(field + " must be a string, not " + describe(n));
        }
        return n.asText();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new InvalidRequestException(field + " must be true or false, not " + describe(n));
        }
        return n.asBoolean();
    }

    private static long seconds(JsonNode root, String field) {
        long v = count(root, field);
        if (v > MAX_SECONDS) {
            throw new InvalidRequestException(field + " is " + v + " seconds; the most accepted is " + MAX_SECONDS);
        }
        return v;
    }

    private static long count(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidRequestException(field + " must be a whole number, not " + describe(n));
        }
        if (n.asLong() < 0) {
            throw new InvalidRequestException(field + " must not be negative");
        }
        return n.asLong();
    }

    private static String describe(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "a string";
        }
        if (n.isNumber()) {
            return "the number " + n.asText();
        }
        if (n.isBoolean()) {
            return n.asText();
        }
        if (n.isArray()) {
            return "a list";
        }
        return "an object";
    }
}
