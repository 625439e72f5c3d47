package io.dtx.engine;

import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.dtx.config.DtxConfig;
import io.dtx.domain.RetryPolicy;
import io.dtx.store.LeaseTerms;

/** The engine's view of the configuration, in the whole seconds DTM counts in. */
@ApplicationScoped
public class EngineSettings {

    /** DTM's round budget is the request timeout plus this. */
    static final long ROUND_EXTRA_SECONDS = 2;

    private final String instanceId;
    private final long timeoutToFail;
    private final long requestTimeout;
    private final RetryPolicy retryPolicy;
    private final LeaseTerms leaseTerms;
    private final int maxActiveRounds;

    public EngineSettings(DtxConfig config) {
        this.instanceId = config.instanceId().filter(s -> !s.isBlank()).orElseGet(EngineSettings::defaultInstanceId);
        this.timeoutToFail = seconds(config.timeoutToFail());
        this.requestTimeout = Math.max(1, seconds(config.requestTimeout()));
        this.retryPolicy = new RetryPolicy(Math.max(1, seconds(config.retry().interval())),
                Math.max(1, seconds(config.retry().maxInterval())), timeoutToFail);
        this.leaseTerms = new LeaseTerms(instanceId,
                ROUND_EXTRA_SECONDS + config.recovery().leaseMargin().toMillis() / 1000.0, (int) requestTimeout);
        this.maxActiveRounds = Math.max(1, config.maxActiveRounds());
    }

    private static long seconds(Duration d) {
        return d.toSeconds();
    }

    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "dtx";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String instanceId() {
        return instanceId;
    }

    /** Server default timeout of msg, tcc and xa, in seconds. */
    public long timeoutToFail() {
        return timeoutToFail;
    }

    /** Server default branch call timeout, in seconds. */
    public long requestTimeout() {
        return requestTimeout;
    }

    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public LeaseTerms leaseTerms() {
        return leaseTerms;
    }

    /** Most request-started rounds running at once; see {@link DtxConfig#maxActiveRounds()}. */
    public int maxActiveRounds() {
        return maxActiveRounds;
    }
}
