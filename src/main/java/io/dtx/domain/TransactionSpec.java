package io.dtx.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A validated prepare/submit request: what a client asked for, before anything is stored.
 *
 * @param steps saga or msg steps in order; each maps an op ({@code action}, {@code compensate}) to its URL
 */
public record TransactionSpec(
        String gid,
        TransType type,
        List<Step> steps,
        String customData,
        String queryPrepared,
        String protocol,
        String rollbackReason,
        TransactionOptions options) {

    public record Step(Map<String, String> urls, byte[] payload) {
        public String url(String op) {
            return urls.getOrDefault(op, "");
        }
    }

    /** A branch row to insert. */
    public record NewBranch(String branchId, String op, String url, byte[] data) {
    }

    /** The branch rows DTM creates for this transaction, in DTM's order (§3). */
    public List<NewBranch> branchRows() {
        List<NewBranch> rows = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            String id = BranchOps.stepBranchId(i);
            if (type == TransType.SAGA) {
                rows.add(new NewBranch(id, BranchOps.COMPENSATE, step.url(BranchOps.COMPENSATE), step.payload()));
                rows.add(new NewBranch(id, BranchOps.ACTION, step.url(BranchOps.ACTION), step.payload()));
            } else if (type == TransType.MSG) {
                rows.add(new NewBranch(id, BranchOps.ACTION, step.url(BranchOps.ACTION), step.payload()));
            }
        }
        return rows;
    }
}
