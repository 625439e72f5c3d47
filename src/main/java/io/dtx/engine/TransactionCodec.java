package io.dtx.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.dtx.domain.SagaLayout;
import io.dtx.domain.TransactionOptions;

/**
 * The JSON stored in {@code options} and {@code custom_data}, in DTM's field names. Options keep DTM's omit-empty
 * shape, except {@code concurrent}, which DTM always writes.
 */
@ApplicationScoped
public class TransactionCodec {

    private final ObjectMapper mapper;

    public TransactionCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public String optionsJson(TransactionOptions o) {
        ObjectNode n = mapper.createObjectNode();
        if (o.waitResult()) {
            n.put("wait_result", true);
        }
        putPositive(n, "timeout_to_fail", o.timeoutToFail());
        putPositive(n, "request_timeout", o.requestTimeout());
        putPositive(n, "retry_interval", o.retryInterval());
        if (!o.branchHeaders().isEmpty()) {
            ObjectNode h = n.putObject("branch_headers");
            o.branchHeaders().forEach(h::put);
        }
        n.put("concurrent", o.concurrent());
        putPositive(n, "retry_limit", o.retryLimit());
        return n.toString();
    }

    private static void putPositive(ObjectNode n, String field, long value) {
        if (value > 0) {
            n.put(field, value);
        }
    }

    /** Reads stored options; a row written by an older or foreign writer falls back to defaults field by field. */
    public TransactionOptions options(String json) {
        if (json == null || json.isBlank()) {
            return TransactionOptions.DEFAULTS;
        }
        JsonNode n;
        try {
            n = mapper.readTree(json);
        } catch (JsonProcessingException e) {
            return TransactionOptions.DEFAULTS;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        JsonNode h = n.path("branch_headers");
        if (h.isObject()) {
            h.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        }
        return new TransactionOptions(n.path("wait_result").asBoolean(false), n.path("timeout_to_fail").asLong(0),
                n.path("request_timeout").asLong(0), n.path("retry_interval").asLong(0), headers,
                n.path("concurrent").asBoolean(false), n.path("retry_limit").asLong(0));
    }

    /**
     * Reads a saga's custom_data ({@code {"concurrent":true,"orders":{"1":[0]}}}).
     *
     * @throws IllegalArgumentException with a message for the client when it is not usable
     */
    public SagaLayout sagaLayout(String customData) {
        if (customData == null || customData.isBlank()) {
            return SagaLayout.SEQUENTIAL;
        }
        JsonNode n = parseObject(customData);
        JsonNode concurrent = n.path("concurrent");
        if (!concurrent.isMissingNode() && !concurrent.isNull() && !concurrent.isBoolean()) {
            throw new IllegalArgumentException("custom_data.concurrent must be true or false");
        }
        Map<Integer, List<Integer>> orders = new LinkedHashMap<>();
        JsonNode o = n.path("orders");
        if (!o.isMissingNode() && !o.isNull()) {
            if (!o.isObject()) {
                throw new IllegalArgumentException(
                        "custom_data.orders must be an object of step index to a list of step indexes");
            }
            var fields = o.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                int step = index(e.getKey(), "custom_data.orders key '" + e.getKey() + "'");
                JsonNode list = e.getValue();
                if (list.isNull()) {
                    continue;
                }
                if (!list.isArray()) {
                    throw new IllegalArgumentException("custom_data.orders." + e.getKey() + " must be a list of step indexes");
                }
                List<Integer> before = new java.util.ArrayList<>();
                for (JsonNode x : list) {
                    if (!x.canConvertToInt() || !x.isIntegralNumber()) {
                        throw new IllegalArgumentException("custom_data.orders." + e.getKey() + " must list step indexes");
                    }
                    before.add(x.asInt());
                }
                orders.put(step, before);
            }
        }
        return new SagaLayout(concurrent.asBoolean(false), orders);
    }

    /**
     * Reads a msg's custom_data delay in seconds ({@code {"delay":10}}); 0 when absent.
     *
     * @throws IllegalArgumentException with a message for the client when it is not usable
     */
    public long msgDelay(String customData) {
        if (customData == null || customData.isBlank()) {
            return 0;
        }
        JsonNode d = parseObject(customData).path("delay");
        if (d.isMissingNode() || d.isNull()) {
            return 0;
        }
        if (!d.isIntegralNumber() || d.asLong() < 0) {
            throw new IllegalArgumentException("custom_data.delay must be a whole number of seconds, 0 or more");
        }
        return d.asLong();
    }

    private JsonNode parseObject(String customData) {
        JsonNode n;
        try {
            n = mapper.readTree(customData);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("custom_data is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("custom_data must be a JSON object");
        }
        return n;
    }

    private static int index(String text, String what) {
        try {
            int i = Integer.parseInt(text.trim());
            if (i < 0) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a step index (0, 1, 2, ...)");
        }
    }
}
