package io.dtx.dispatch;

import io.dtx.domain.BranchOutcome;
import io.smallrye.mutiny.Uni;

/** Calls participants. Never fails: whatever goes wrong becomes an {@link BranchOutcome.Kind#ERROR} outcome. */
public interface BranchDispatcher {

    Uni<BranchOutcome> call(BranchCall call);
}
