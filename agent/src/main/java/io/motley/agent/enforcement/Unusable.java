package io.motley.agent.enforcement;

/** A containment strategy cannot work on this host; the message says why, for the agent's log. */
final class Unusable extends Exception {
    Unusable(String why) {
        super(why);
    }
}
