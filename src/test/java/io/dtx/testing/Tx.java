package io.dtx.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Builds DTM request bodies the way the Go client writes them. */
public final class Tx {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> body = new LinkedHashMap<>();
    private final List<Map<String, String>> steps = new ArrayList<>();
    private final List<String> payloads = new ArrayList<>();

    private Tx(String gid, String type) {
        body.put("gid", gid);
        body.put("trans_type", type);
        body.put("steps", steps);
        body.put("payloads", payloads);
        body.put("concurrent", false);
        body.put("protocol", "");
    }

    public static Tx saga(String gid) {
        return new Tx(gid, "saga");
    }

    public static Tx msg(String gid) {
        return new Tx(gid, "msg");
    }

    public Tx step(String action, String compensate, String payload) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("action", action);
        s.put("compensate", compensate);
        steps.add(s);
        payloads.add(payload);
        return this;
    }

    public Tx action(String action, String payload) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("action", action);
        steps.add(s);
        payloads.add(payload);
        return this;
    }

    public Tx set(String field, Object value) {
        body.put(field, value);
        return this;
    }

    public Tx waitResult() {
        return set("wait_result", true);
    }

    /** custom_data for a concurrent saga; orders map a 0-based step to the steps it waits for. */
    public Tx concurrent(Map<String, List<Integer>> orders) {
        Map<String, Object> cd = new LinkedHashMap<>();
        cd.put("orders", orders);
        cd.put("concurrent", true);
        return set("custom_data", json(cd));
    }

    public String gid() {
        return (String) body.get("gid");
    }

    public String json() {
        return json(body);
    }

    public static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
