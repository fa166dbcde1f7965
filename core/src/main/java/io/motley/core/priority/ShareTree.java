package io.motley.core.priority;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The fair-share tree at one moment, with Slurm's classic (pre-Fair-Tree) figures for every
 * account and user: normalized shares S (each level's share of its siblings, multiplied down the
 * tree), normalized usage U (usage over the whole cluster's), effective usage
 * UE = U + (UE_parent - U) * shares/siblings' shares (a first-level node's UE is its U), and the
 * fair-share factor F = 2^(-UE/S). Fair Tree (Slurm's default since 19.05) is not implemented.
 */
public final class ShareTree {

    /**
     * One line of sshare: an account ({@code user} null) or a user under an account. {@code depth}
     * 0 is root; {@code rawShares} is -1 for root, which has none.
     */
    public record Row(
            String account,
            String user,
            int depth,
            long rawShares,
            double normShares,
            double rawUsage,
            double normUsage,
            double effectiveUsage,
            double fairShare) {
        public boolean isUser() {
            return user != null;
        }
    }

    private final List<Row> rows;
    private final Map<Association, Row> leaves;

    private ShareTree(List<Row> rows) {
        this.rows = List.copyOf(rows);
        Map<Association, Row> m = new HashMap<>();
        for (Row r : rows) {
            if (r.isUser()) m.put(new Association(r.account().equals("root") ? null : r.account(), r.user()), r);
        }
        this.leaves = m;
    }

    /** Rows in sshare's order: depth first, users before sub-accounts, names in order. */
    public List<Row> rows() {
        return rows;
    }

    /** The fair-share factor of a user charging an account (account null: no accounts declared); 0 if unknown. */
    public double factor(String account, String user) {
        Row r = leaves.get(new Association(account, user));
        return r == null ? 0 : r.fairShare();
    }

    public java.util.Optional<Row> row(String account, String user) {
        return java.util.Optional.ofNullable(leaves.get(new Association(account, user)));
    }

    /** A node while the tree is built: shares, children and the usage below it. */
    private static final class Node {
        final String account;
        final String user;
        final long shares;
        final List<Node> children = new ArrayList<>();
        double usage;

        Node(String account, String user, long shares) {
            this.account = account;
            this.user = user;
            this.shares = shares;
        }
    }

    /**
     * Builds the tree from the declared accounts and each association's decayed usage. Without
     * declared accounts every user in {@code users} (and every user with usage) sits directly under
     * root with one share.
     */
    public static ShareTree compute(Associations assoc, Map<Association, Double> usage, Collection<String> users) {
        Node root = new Node("root", null, 1);
        if (assoc.enforced()) {
            attach(root, null, assoc, usage);
        } else {
            TreeSet<String> names = new TreeSet<>(users);
            usage.keySet().stream().filter(k -> k.account() == null).forEach(k -> names.add(k.user()));
            for (String u : names) {
                Node leaf = new Node("root", u, 1);
                leaf.usage = usage.getOrDefault(new Association(null, u), 0.0);
                root.children.add(leaf);
            }
        }
        sum(root);
        List<Row> out = new ArrayList<>();
        double total = root.usage;
        // Slurm shows root with no shares of its own (NormShares 0, and so FairShare 0); its children split 1
        out.add(new Row("root", null, 0, -1, 0.0, total, total > 0 ? 1.0 : 0.0, total > 0 ? 1.0 : 0.0, 0.0));
        walk(root, 1, 1.0, total > 0 ? 1.0 : 0.0, total, true, out);
        return new ShareTree(out);
    }

    private static void attach(Node parent, String parentName, Associations assoc, Map<Association, Double> usage) {
        for (var a : assoc.children(parentName).stream()
                .sorted(Comparator.comparing(Associations.Account::name))
                .toList()) {
            Node n = new Node(a.name(), null, a.shares());
            for (String u : new TreeSet<>(a.users())) {
                Node leaf = new Node(a.name(), u, assoc.userShares(u));
                leaf.usage = usage.getOrDefault(new Association(a.name(), u), 0.0);
                n.children.add(leaf);
            }
            attach(n, a.name(), assoc, usage);
            parent.children.add(n);
        }
    }

    private static double sum(Node n) {
        for (Node c : n.children) n.usage += sum(c);
        return n.usage;
    }

    private static void walk(
            Node parent,
            int depth,
            double parentNormShares,
            double parentEffective,
            double total,
            boolean parentIsRoot,
            List<Row> out) {
        long siblings = parent.children.stream().mapToLong(c -> c.shares).sum();
        // users first, then sub-accounts, as sshare lists them
        List<Node> ordered = new ArrayList<>(
                parent.children.stream().filter(c -> c.user != null).toList());
        ordered.addAll(parent.children.stream().filter(c -> c.user == null).toList());
        for (Node c : ordered) {
            double part = siblings == 0 ? 0 : (double) c.shares / siblings;
            double normShares = parentNormShares * part;
            double normUsage = total > 0 ? c.usage / total : 0;
            double effective = parentIsRoot ? normUsage : normUsage + (parentEffective - normUsage) * part;
            out.add(new Row(
                    c.account,
                    c.user,
                    depth,
                    c.shares,
                    normShares,
                    c.usage,
                    normUsage,
                    effective,
                    factor(effective, normShares)));
            if (c.user == null) walk(c, depth + 1, normShares, effective, total, false, out);
        }
    }

    /** F = 2^(-UE/S); an association without shares gets 0. */
    static double factor(double effectiveUsage, double normShares) {
        if (normShares <= 0) return 0;
        return Math.pow(2.0, -effectiveUsage / normShares);
    }
}
