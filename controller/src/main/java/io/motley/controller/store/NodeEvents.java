package io.motley.controller.store;

import io.motley.core.cluster.Node;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** A node's state and reason as stored, and the {@code node_events} row written when they change. */
final class NodeEvents {
    private NodeEvents() {}

    /** The stored state and reason joined by a newline, or null for a node never saved. */
    static String storedState(Connection c, Node node) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT state, reason FROM nodes WHERE name=?")) {
            p.setString(1, node.name());
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) + "\n" + r.getString(2) : null;
            }
        }
    }

    static void record(Connection c, Node node, long time) throws SQLException {
        try (PreparedStatement p =
                c.prepareStatement("INSERT INTO node_events (node_name, event_time, state, reason) VALUES (?,?,?,?)")) {
            p.setString(1, node.name());
            p.setLong(2, time);
            p.setString(3, node.state().name());
            p.setString(4, node.reason());
            p.executeUpdate();
        }
    }
}
