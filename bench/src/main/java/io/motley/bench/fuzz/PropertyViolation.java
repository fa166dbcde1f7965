package io.motley.bench.fuzz;

/** A parser accepted an input but its result is wrong (a round trip that does not come back, a bound not kept). */
public final class PropertyViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String rule;

    public PropertyViolation(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** The property broken, without the values that broke it: what makes two violations the same crash. */
    public String rule() {
        return rule;
    }

    /** Throws unless {@code holds}; {@code rule} is a format for {@code args} and names the property. */
    public static void check(boolean holds, String rule, Object... args) {
        if (!holds) throw new PropertyViolation(rule, String.format(rule, args));
    }
}
