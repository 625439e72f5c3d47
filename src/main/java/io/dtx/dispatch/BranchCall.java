package io.dtx.dispatch;

import java.time.Duration;
import java.util.Map;

/**
 * One outbound call to a participant, as DTM makes it (§2.5): the registered URL with {@code gid}, {@code trans_type},
 * {@code branch_id} and {@code op} added to its query, {@code Content-Type: application/json} plus the
 * transaction's {@code branch_headers}, and the stored payload as the body.
 */
public record BranchCall(
        String url,
        String method,
        String gid,
        String transType,
        String branchId,
        String op,
        Map<String, String> headers,
        byte[] body,
        Duration timeout) {
}
