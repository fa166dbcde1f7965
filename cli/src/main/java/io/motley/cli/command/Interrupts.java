package io.motley.cli.command;

/**
 * The caller's Ctrl-C, for a command that takes it (srun): in the JVM client the process's own
 * SIGINT; when the agent runs the command for the native client, the client's SIGINT, which the
 * client then sends on instead of dying of it. Until a command asks, Ctrl-C ends it as usual.
 */
public interface Interrupts {
    /**
     * From now on Ctrl-C runs {@code handler} (on a thread of its own) instead of ending the
     * command; false where it cannot be taken (SIGINT was ignored when the JVM started, as under
     * nohup or a shell without job control).
     */
    boolean onInterrupt(Runnable handler);

    /** From now on Ctrl-C does nothing here (srun --pty, where it is the terminal task's). */
    void ignore();

    /** This JVM's own SIGINT. */
    Interrupts JVM = new Interrupts() {
        @Override
        public boolean onInterrupt(Runnable handler) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> handler.run());
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        @Override
        public void ignore() {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {});
            } catch (IllegalArgumentException e) {
                // SIGINT is ignored already
            }
        }
    };
}
