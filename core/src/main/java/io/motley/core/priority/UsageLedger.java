package io.motley.core.priority;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decayed usage per association, fed with jobs as they end and asked for usage at any time
 * {@code now} together with the jobs still running. The decay is exact: a job running from s to e
 * at rate c is worth c * integral over [s,e] of 2^-((now-t)/H) dt at {@code now}, whatever order the
 * jobs are fed in, so the live controller and the simulator get the same figures. Holds no clock.
 */
public final class UsageLedger {
    private final long halfLife;
    /** Per association: usage decayed to {@link Entry#asOf}. */
    private final Map<Association, Entry> ended = new HashMap<>();

    private record Entry(double value, long asOf) {}

    /** @param halfLifeSeconds PriorityDecayHalfLife; 0 means usage never decays */
    public UsageLedger(long halfLifeSeconds) {
        if (halfLifeSeconds < 0) throw new IllegalArgumentException("half-life must not be negative");
        this.halfLife = halfLifeSeconds;
    }

    /** Records a job that ended; a charge without an end or with no time run is ignored. */
    public void add(Charge c) {
        if (c.end() <= 0 || c.end() <= c.start() || c.rate() == 0) return;
        Association key = new Association(c.account(), c.user());
        double worth = worthAt(c, c.end(), c.end());
        Entry old = ended.get(key);
        if (old == null) {
            ended.put(key, new Entry(worth, c.end()));
            return;
        }
        long asOf = Math.max(old.asOf(), c.end());
        ended.put(key, new Entry(old.value() * decay(asOf - old.asOf()) + worth * decay(asOf - c.end()), asOf));
    }

    /** Decayed usage of every association at {@code now}: ended jobs plus what {@code running} jobs used so far. */
    public Map<Association, Double> usageAt(long now, List<Charge> running) {
        Map<Association, Double> out = new HashMap<>();
        ended.forEach((k, e) -> out.put(k, e.value() * decay(now - e.asOf())));
        for (Charge c : running) {
            if (now <= c.start() || c.rate() == 0) continue;
            out.merge(
                    new Association(c.account(), c.user()),
                    worthAt(c, Math.min(now, c.end() > 0 ? c.end() : now), now),
                    Double::sum);
        }
        return out;
    }

    /** What a charge's time from start to {@code until} is worth at {@code now}. */
    private double worthAt(Charge c, long until, long now) {
        if (until <= c.start()) return 0;
        if (halfLife == 0) return c.rate() * (until - c.start());
        double lambda = Math.log(2) / halfLife;
        return c.rate() / lambda * (decay(now - until) - decay(now - c.start()));
    }

    /** 2^-(dt/H): what a unit of usage is worth dt seconds later. */
    private double decay(long dt) {
        return halfLife == 0 ? 1.0 : Math.pow(2.0, -(double) dt / halfLife);
    }
}
