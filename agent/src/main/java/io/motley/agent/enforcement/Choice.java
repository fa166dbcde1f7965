package io.motley.agent.enforcement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start-up choice of a {@link Containment}, with the log lines that explain it. */
final class Choice {
    private static final Logger log = LoggerFactory.getLogger(Containment.class);
    static final List<String> MODES = List.of("auto", "cgroup2", "cgroup1", "process");

    private Choice() {}

    /** A strategy's probe: the strategy, or why it cannot work ({@code strict}: cgroup2 must have memory and cpu). */
    @FunctionalInterface
    interface Probe {
        Containment probe(boolean strict) throws Unusable;
    }

    static Containment choose(String mode, String node) {
        return choose(mode, node, strict -> CgroupV2.probe(node, strict), strict -> CgroupV1.probe(node));
    }

    static Containment choose(String mode, String node, Probe cgroup2, Probe cgroup1) {
        String m = mode == null ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
        if (!MODES.contains(m)) {
            log.warn("unknown containment type {}; choosing automatically (one of {}) node={}", mode, MODES, node);
            m = "auto";
        }
        List<String> order = new ArrayList<>(List.of("cgroup2", "cgroup1", "process"));
        if (!m.equals("auto")) {
            order.remove(m);
            order.add(0, m);
        }
        for (String candidate : order) {
            boolean forced = candidate.equals(m);
            try {
                Containment c = switch (candidate) {
                    // asked for by name, cgroup2 is worth having even without memory and cpu: it still holds and kills
                    // the job
                    case "cgroup2" -> cgroup2.probe(!forced);
                    case "cgroup1" -> cgroup1.probe(true);
                    default -> new ProcessTracking(node);
                };
                String why = forced
                        ? "configured (ContainmentType=" + m + ")"
                        : m.equals("auto") ? "best available" : "fallback for ContainmentType=" + m;
                if (c instanceof CgroupV2 v2 && !v2.controllers().contains("memory")) {
                    log.warn(
                            "cgroup2 without the memory controller: jobs are grouped and killed through cgroup2, and their memory"
                                    + " limit is held by sampling resident memory every {} ms node={} group={}",
                            JobBox.SAMPLE_MILLIS,
                            node,
                            v2.base());
                }
                log.info(
                        "containment chosen: {} ({}): {} node={} containment={}",
                        c.name(),
                        why,
                        c.summary(),
                        node,
                        c.name());
                return c;
            } catch (Unusable e) {
                if (forced) {
                    log.warn("ContainmentType={} cannot work here: {}; falling back node={}", m, e.getMessage(), node);
                } else {
                    log.info("containment {} not usable: {} node={}", candidate, e.getMessage(), node);
                }
            } catch (RuntimeException e) {
                log.warn("containment {} failed while probing: {} node={}", candidate, e.toString(), node);
            }
        }
        return new ProcessTracking(node);
    }
}
