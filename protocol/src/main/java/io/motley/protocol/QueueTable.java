package io.motley.protocol;

import io.motley.core.job.JobState;
import io.motley.protocol.Message.QueueRow;

/**
 * squeue's answer as it travels: a column per field, read by row index, with no object per row.
 * A text column is an index per row into its dictionary (entry 0 is null), so that a command
 * can work out once per distinct value what it prints. {@link #row} makes one row a {@link
 * QueueRow}, as {@link Message.QueueList} holds them.
 */
public final class QueueTable {
    // number columns
    public static final int ID = 0;
    public static final int ARRAY_JOB_ID = 1;
    public static final int PRIORITY = 2;
    public static final int UID = 3;
    public static final int GID = 4;
    public static final int START = 5;
    public static final int END = 6;
    public static final int LIMIT = 7;
    public static final int CPUS = 8;
    public static final int SUBMIT = 9;
    public static final int EXPECTED_START = 10;
    public static final int BEGIN = 11;
    public static final int NICE = 12;
    /** The nodes a job holds, or for one that waits the fewest it asked for (-N). */
    public static final int NODES = 13;
    /**
     * What scontrol suspend takes off a job's run time: the seconds a running or ended job spent
     * suspended; for a job suspended now, its run time so far (its clock stands still).
     */
    public static final int PAUSED = 14;
    /** Slurm's MIN_CPUS (pn_min_cpus): the CPUs a node must have for the job; 0 from a controller before it. */
    public static final int MIN_CPUS = 15;
    // text columns
    public static final int DISPLAY = 0;
    public static final int PENDING = 1;
    public static final int STATE = 2;
    public static final int PARTITION = 3;
    public static final int NAME = 4;
    public static final int USER = 5;
    public static final int NODES_OR_REASON = 6;
    public static final int NODE = 7;
    public static final int REASON = 8;
    public static final int MEMORY = 9;
    public static final int SCHED_NODES = 10;
    public static final int WORK_DIR = 11;
    public static final int ACCOUNT = 12;
    public static final int COMMENT = 13;
    public static final int QOS = 14;
    public static final int DEPENDENCY = 15;

    private final int size;
    private final long[][] nums;
    private final int[][] at;
    private final String[][] dicts;
    private final JobState[] states;

    QueueTable(int size, long[][] nums, int[][] at, String[][] dicts, JobState[] states) {
        this.size = size;
        this.nums = nums;
        this.at = at;
        this.dicts = dicts;
        this.states = states;
    }

    /** The table of squeue's answer in {@code f} (an "ok" frame); a malformed column is a {@link MalformedMessage}. */
    public static QueueTable of(Frame f) {
        return QueueFrames.table(f);
    }

    public int size() {
        return size;
    }

    /** Number column {@code column}'s value in row {@code row}. */
    public long num(int column, int row) {
        long[] c = nums[column];
        return c == null ? 0 : c[row];
    }

    /** Number column {@code column} whole, or null when it is 0 in every row. */
    public long[] numbers(int column) {
        return nums[column];
    }

    /** Text column {@code column}'s dictionary index in row {@code row} (0: null). */
    public int index(int column, int row) {
        int[] c = at[column];
        return c == null ? 0 : c[row];
    }

    /** Text column {@code column}'s indices whole, or null when it is null in every row. */
    public int[] indices(int column) {
        return at[column];
    }

    /** Text column {@code column}'s distinct values; entry 0 is null. */
    public String[] dictionary(int column) {
        return dicts[column];
    }

    /** Text column {@code column}'s value in row {@code row}. */
    public String text(int column, int row) {
        return dicts[column][index(column, row)];
    }

    /** The state in row {@code row}. */
    public JobState state(int row) {
        return states[at[STATE][row]];
    }

    /** The state a dictionary entry of the state column names (null for entry 0). */
    public JobState stateOf(int entry) {
        return states[entry];
    }

    /** Row {@code row} as one object, with {@code display} in place of its own when not null. */
    public QueueRow row(int row, String display) {
        return new QueueRow(
                num(ID, row),
                display != null ? display : text(DISPLAY, row),
                num(ARRAY_JOB_ID, row),
                display != null ? null : text(PENDING, row),
                state(row),
                num(PRIORITY, row),
                text(PARTITION, row),
                text(NAME, row),
                text(USER, row),
                num(UID, row),
                num(GID, row),
                num(START, row),
                num(END, row),
                num(LIMIT, row),
                text(NODES_OR_REASON, row),
                text(NODE, row),
                text(REASON, row),
                num(CPUS, row),
                text(MEMORY, row),
                num(SUBMIT, row),
                num(EXPECTED_START, row),
                text(SCHED_NODES, row),
                num(BEGIN, row),
                text(WORK_DIR, row),
                text(ACCOUNT, row),
                text(COMMENT, row),
                text(QOS, row),
                num(NICE, row),
                text(DEPENDENCY, row),
                num(NODES, row),
                num(PAUSED, row),
                num(MIN_CPUS, row));
    }

    /** Row {@code row} as one object. */
    public QueueRow row(int row) {
        return row(row, null);
    }
}
