package io.motley.core.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * sbatch's -C/--constraint: node features joined by '&' (and) and '|' (or), grouped with
 * parentheses or brackets, '&' binding tighter, each node of a job matching the whole expression.
 * Slurm's feature*count (so many of the job's nodes have the feature) is refused, and brackets
 * do not yet ask for the same choice on every node.
 */
public sealed interface Constraint {
    /** Deepest nesting of parentheses or brackets accepted; the parser recurses once per level. */
    int MAX_NESTING = 64;

    boolean matches(Set<String> features);

    /** Features the expression names, to check at submit that some node could ever match. */
    List<String> names();

    record Feature(String name) implements Constraint {
        public boolean matches(Set<String> features) {
            return features.contains(name);
        }

        public List<String> names() {
            return List.of(name);
        }
    }

    record All(List<Constraint> parts) implements Constraint {
        public boolean matches(Set<String> features) {
            return parts.stream().allMatch(p -> p.matches(features));
        }

        public List<String> names() {
            return parts.stream().flatMap(p -> p.names().stream()).toList();
        }
    }

    record Any(List<Constraint> parts) implements Constraint {
        public boolean matches(Set<String> features) {
            return parts.stream().anyMatch(p -> p.matches(features));
        }

        public List<String> names() {
            return parts.stream().flatMap(p -> p.names().stream()).toList();
        }
    }

    static boolean matchesAny(Constraint c, Collection<Set<String>> nodes) {
        return nodes.stream().anyMatch(c::matches);
    }

    /** Parses an expression such as {@code intel&(gpu|bigmem)}; an error names the problem. */
    static Constraint parse(String text) {
        Parser p = new Parser(text.replace('[', '(').replace(']', ')'));
        Constraint c = p.or();
        p.skipSpace();
        if (p.pos != p.s.length())
            throw new IllegalArgumentException("unexpected '" + p.s.charAt(p.pos) + "' in constraint " + text);
        return c;
    }

    /** A small recursive-descent parser over the expression. */
    final class Parser {
        final String s;
        int pos;
        int depth;

        Parser(String s) {
            this.s = s;
        }

        Constraint or() {
            List<Constraint> parts = new ArrayList<>(List.of(and()));
            while (peek('|')) {
                pos++;
                parts.add(and());
            }
            return parts.size() == 1 ? parts.get(0) : new Any(parts);
        }

        Constraint and() {
            List<Constraint> parts = new ArrayList<>(List.of(atom()));
            while (peek('&')) {
                pos++;
                parts.add(atom());
            }
            return parts.size() == 1 ? parts.get(0) : new All(parts);
        }

        Constraint atom() {
            skipSpace();
            if (peek('(')) {
                // A user's -C reaches the controller as is; without a bound, deep nesting overflows its stack.
                if (++depth > MAX_NESTING) {
                    throw new IllegalArgumentException(
                            "constraint nests parentheses deeper than " + MAX_NESTING + " levels");
                }
                pos++;
                Constraint c = or();
                if (!peek(')')) throw new IllegalArgumentException("missing ')' in constraint " + s);
                pos++;
                depth--;
                return c;
            }
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || "_-.:".indexOf(s.charAt(pos)) >= 0))
                pos++;
            if (start == pos) throw new IllegalArgumentException("a feature name is missing in constraint " + s);
            if (pos < s.length() && s.charAt(pos) == '*') {
                // a count says how many of a multi-node job's nodes must have the feature: not placed so yet
                throw new IllegalArgumentException(
                        "feature counts (" + s.substring(start) + ") are not supported by Motley yet");
            }
            return new Feature(s.substring(start, pos));
        }

        boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        void skipSpace() {
            while (pos < s.length() && s.charAt(pos) == ' ') pos++;
        }
    }
}
