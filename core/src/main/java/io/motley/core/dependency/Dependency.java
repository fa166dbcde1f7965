package io.motley.core.dependency;

import io.motley.core.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * sbatch's --dependency: terms such as {@code afterok:12:13}, {@code after:12+5}, {@code singleton},
 * joined by ',' (all must hold) or '?' (any may hold), and their evaluation against the jobs they
 * name. Pure: the caller supplies what it knows of those jobs and the time.
 */
public record Dependency(List<Term> terms, boolean anyOf) {

    /** One condition on one job (none for singleton). {@code delaySeconds} is after's +time. */
    public record Term(Kind kind, long jobId, long delaySeconds) {}

    public enum Kind {
        AFTER,
        AFTERANY,
        AFTEROK,
        AFTERNOTOK,
        AFTERCORR,
        SINGLETON;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What evaluation found. */
    public enum Status {
        SATISFIED,
        WAITING,
        NEVER
    }

    /** What the evaluator needs to know of a job a dependency names. */
    public record Target(JobState state, long startTime) {}

    public Dependency {
        terms = List.copyOf(terms);
    }

    /** Parses Slurm's syntax; an error names what is wrong. */
    public static Dependency parse(String spec) {
        String s = spec.trim();
        if (s.isEmpty()) throw new IllegalArgumentException("empty dependency");
        boolean any = s.contains("?");
        if (any && s.contains(","))
            throw new IllegalArgumentException("a dependency uses either ',' or '?', not both: " + spec);
        List<Term> terms = new ArrayList<>();
        for (String part : s.split(any ? "\\?" : ",")) {
            String p = part.trim();
            if (p.equalsIgnoreCase("singleton")) {
                terms.add(new Term(Kind.SINGLETON, 0, 0));
                continue;
            }
            if (!p.isEmpty() && p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                // a bare job id is afterany, as Slurm reads it
                p = Kind.AFTERANY.word() + ":" + p;
            }
            int colon = p.indexOf(':');
            if (colon < 0)
                throw new IllegalArgumentException("invalid dependency '" + p + "': expected TYPE:JOBID[:JOBID...]");
            Kind kind = kind(p.substring(0, colon));
            if (kind == Kind.SINGLETON) throw new IllegalArgumentException("singleton takes no job ids");
            String[] ids = p.substring(colon + 1).split(":");
            if (ids.length == 0)
                throw new IllegalArgumentException("invalid dependency '" + p + "': expected TYPE:JOBID[:JOBID...]");
            for (String id : ids) {
                long delay = 0;
                String idText = id;
                int plus = id.indexOf('+');
                if (plus >= 0) {
                    if (kind != Kind.AFTER)
                        throw new IllegalArgumentException("+time is only allowed with after: " + p);
                    delay = parseMinutes(id.substring(plus + 1)) * 60;
                    idText = id.substring(0, plus);
                }
                try {
                    long jobId = Long.parseLong(idText.trim());
                    if (jobId <= 0) throw new NumberFormatException();
                    terms.add(new Term(kind, jobId, delay));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid job id '" + idText + "' in dependency " + p);
                }
            }
        }
        // "," and "?" alone split into nothing: an empty dependency, which sbatch would send on as "".
        if (terms.isEmpty()) throw new IllegalArgumentException("empty dependency: " + spec);
        return new Dependency(terms, any);
    }

    /**
     * The kind a type word names, in any case. Compared rather than upper-cased: String.toUpperCase reallocates its result
     * for each character that upper-cases to two ('\u00df'), so a type of 60,000 of them took the controller a second.
     */
    private static Kind kind(String word) {
        for (Kind k : Kind.values()) {
            if (k.word().equalsIgnoreCase(word)) return k;
        }
        throw new IllegalArgumentException("invalid dependency type '" + word + "'");
    }

    /** Largest after +time, in minutes (about 4,000 years), so that start time plus delay cannot overflow. */
    public static final long MAX_DELAY_MINUTES = Integer.MAX_VALUE;

    private static long parseMinutes(String s) {
        try {
            long m = Long.parseLong(s.trim());
            if (m < 0 || m > MAX_DELAY_MINUTES) throw new NumberFormatException();
            return m;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid +time '" + s + "' (minutes, 0 to " + MAX_DELAY_MINUTES + ")");
        }
    }

    /** The job ids this dependency names (to check at submit that they exist). */
    public List<Long> jobIds() {
        return terms.stream()
                .filter(t -> t.kind() != Kind.SINGLETON)
                .map(Term::jobId)
                .distinct()
                .toList();
    }

    /**
     * Evaluates at {@code now}. {@code lookup} gives what is known of a named job (empty: unknown,
     * which can never be satisfied); {@code singletonBlocked} whether an earlier job of the same
     * name and user is still pending or running.
     */
    public Status evaluate(LongFunction<Optional<Target>> lookup, long now, boolean singletonBlocked) {
        return evaluate(lookup, null, now, singletonBlocked);
    }

    /**
     * Evaluates for one task of a dependent array: {@code corresponding} gives the task of a named
     * array with the same index (empty when that array has no such task, which leaves nothing to
     * wait for), and aftercorr terms look at it alone; null evaluates for the whole job, where
     * aftercorr is afterok on the named job.
     */
    public Status evaluate(
            LongFunction<Optional<Target>> lookup,
            LongFunction<Optional<Target>> corresponding,
            long now,
            boolean singletonBlocked) {
        boolean anyWaiting = false;
        boolean anySatisfied = false;
        boolean anyNever = false;
        for (Term t : terms) {
            Status s;
            if (t.kind() == Kind.AFTERCORR && corresponding != null) {
                s = corresponding
                        .apply(t.jobId())
                        .map(task -> afterOk(task.state()))
                        .orElse(Status.SATISFIED);
            } else {
                s = term(t, lookup, now, singletonBlocked);
            }
            switch (s) {
                case SATISFIED -> anySatisfied = true;
                case WAITING -> anyWaiting = true;
                case NEVER -> anyNever = true;
            }
        }
        if (anyOf) {
            if (anySatisfied) return Status.SATISFIED;
            return anyWaiting ? Status.WAITING : Status.NEVER;
        }
        if (anyNever) return Status.NEVER;
        return anyWaiting ? Status.WAITING : Status.SATISFIED;
    }

    /** Whether any term is aftercorr: an array depending so is evaluated task by task. */
    public boolean corresponding() {
        return terms.stream().anyMatch(t -> t.kind() == Kind.AFTERCORR);
    }

    private static Status afterOk(JobState state) {
        return !state.isTerminal() ? Status.WAITING : state == JobState.COMPLETED ? Status.SATISFIED : Status.NEVER;
    }

    private static Status term(Term t, LongFunction<Optional<Target>> lookup, long now, boolean singletonBlocked) {
        if (t.kind() == Kind.SINGLETON) return singletonBlocked ? Status.WAITING : Status.SATISFIED;
        Optional<Target> found = lookup.apply(t.jobId());
        if (found.isEmpty()) return Status.NEVER;
        Target j = found.get();
        boolean ended = j.state().isTerminal();
        boolean ok = j.state() == JobState.COMPLETED;
        return switch (t.kind()) {
            case AFTER -> {
                if (j.startTime() > 0)
                    yield now >= j.startTime() + t.delaySeconds() ? Status.SATISFIED : Status.WAITING;
                // cancelled before it started: after is satisfied, as Slurm has it
                yield ended ? Status.SATISFIED : Status.WAITING;
            }
            case AFTERANY -> ended ? Status.SATISFIED : Status.WAITING;
            // evaluated for the whole job, aftercorr is afterok on the named one
            case AFTEROK, AFTERCORR -> afterOk(j.state());
            case AFTERNOTOK -> !ended ? Status.WAITING : ok ? Status.NEVER : Status.SATISFIED;
            case SINGLETON -> Status.SATISFIED;
        };
    }

    /** Slurm's text for scontrol's Dependency= and squeue's %E. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Term t : terms) {
            parts.add(
                    t.kind() == Kind.SINGLETON
                            ? "singleton"
                            : t.kind().word() + ":" + t.jobId()
                                    + (t.delaySeconds() > 0 ? "+" + t.delaySeconds() / 60 : ""));
        }
        return String.join(anyOf ? "?" : ",", parts);
    }
}
