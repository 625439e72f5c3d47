package io.dtx.api;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.dtx.domain.BranchView;
import io.dtx.domain.TransactionView;

/**
 * Stored objects in DTM's JSON shape (§1.3): DTM's field names, integer ids, RFC 3339 times with an offset in the
 * server's zone, base64 {@code bin_data}. Unset times are left out as DTM does; dtx's extra fields follow DTM's.
 */
final class StoredJson {
    private static final DateTimeFormatter RFC3339 = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendOffset("+HH:MM", "+00:00")
            .toFormatter();
    private static final ZoneId ZONE = ZoneId.systemDefault();

    private StoredJson() {
    }

    static Map<String, Object> transaction(TransactionView t, boolean concurrent) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        time(m, "create_time", t.createTime());
        time(m, "update_time", t.updateTime());
        m.put("gid", t.gid());
        m.put("trans_type", t.transType());
        m.put("status", t.status());
        m.put("query_prepared", t.queryPrepared());
        m.put("protocol", t.protocol());
        time(m, "finish_time", t.finishTime());
        time(m, "rollback_time", t.rollbackTime());
        m.put("result", t.result());
        m.put("rollback_reason", t.rollbackReason());
        m.put("options", t.options());
        m.put("custom_data", t.customData());
        m.put("next_cron_interval", t.nextCronInterval());
        time(m, "next_cron_time", t.nextCronTime());
        m.put("owner", t.owner());
        m.put("ext_data", t.extData());
        m.put("concurrent", concurrent);
        m.put("retry_count", t.retryCount());
        return m;
    }

    static Map<String, Object> branch(BranchView b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        time(m, "create_time", b.createTime());
        time(m, "update_time", b.updateTime());
        m.put("gid", b.gid());
        m.put("url", b.url());
        m.put("bin_data", Base64.getEncoder().encodeToString(b.binData() == null ? new byte[0] : b.binData()));
        m.put("branch_id", b.branchId());
        m.put("op", b.op());
        m.put("status", b.status());
        time(m, "finish_time", b.finishTime());
        time(m, "rollback_time", b.rollbackTime());
        m.put("attempts", b.attempts());
        m.put("last_error", b.lastError());
        return m;
    }

    static String time(OffsetDateTime t) {
        return t.atZoneSameInstant(ZONE).toOffsetDateTime().format(RFC3339);
    }

    private static void time(Map<String, Object> m, String field, OffsetDateTime t) {
        if (t != null) {
            m.put(field, time(t));
        }
    }
}
