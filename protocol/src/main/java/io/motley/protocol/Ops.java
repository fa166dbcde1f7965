package io.motley.protocol;

/** The operations on Motley's wire, in one list so both ends agree on the names. */
public final class Ops {
    private Ops() {}

    // handshake (every TCP connection to the controller starts with it)
    public static final String HELLO = "hello";
    public static final String AUTH = "auth";
    public static final String OK = "ok";

    /** Fields the agent stamps on every relayed request from the socket's peer credentials. */
    public static final String CALLER_UID = "caller.uid";

    public static final String CALLER_GID = "caller.gid";
    public static final String CALLER_USER = "caller.user";
    public static final String CALLER_GROUPS = "caller.groups";

    // user requests: CLI -> agent (unix socket) -> controller
    public static final String PING = "ping";
    /** scontrol listpids: answered by the local agent itself. */
    public static final String LIST_PIDS = "list_pids";

    public static final String SUBMIT = "submit";
    /** sbatch --test-only: when a job would start, without submitting it. */
    public static final String WILL_RUN = "will_run";

    public static final String JOBS = "jobs";
    /** squeue: the jobs its filters select, only the fields it prints, in columns. */
    public static final String QUEUE = "queue";

    public static final String CANCEL = "cancel";
    /**
     * srun's allocation is done with: its job ends with srun's exit code (COMPLETED or FAILED), not
     * CANCELLED, as Slurm's srun completes the job it made.
     */
    public static final String COMPLETE = "complete";
    /** scancel -s: a signal to running jobs (command -> controller -> the jobs' agents as signal_run). */
    public static final String SIGNAL = "signal";

    public static final String SIGNAL_RUN = "signal_run";
    /** scontrol suspend / resume (command -> controller -> the jobs' agents as suspend_run). */
    public static final String SUSPEND = "suspend";

    public static final String RESUME = "resume";
    /** Stop (or, with resume, continue) one run's processes on a node. */
    public static final String SUSPEND_RUN = "suspend_run";
    /** A running job's new time limit (scontrol update TimeLimit=), for one run on a node. */
    public static final String LIMIT_RUN = "limit_run";

    public static final String HOLD = "hold";
    public static final String RELEASE = "release";
    public static final String NODES = "nodes";
    public static final String PARTITIONS = "partitions";
    public static final String ACCOUNTING = "accounting";
    public static final String CONFIG = "config";
    public static final String UPDATE_NODE = "update_node";
    public static final String UPDATE_JOB = "update_job";
    /** sdiag: the controller's statistics. */
    public static final String DIAGNOSTICS = "diagnostics";
    /** scontrol write batch_script: a job's batch script. */
    public static final String BATCH_SCRIPT = "batch_script";
    /** sacct -B / --env-vars: the batch scripts or environments of the jobs a query selects. */
    public static final String JOB_TEXTS = "job_texts";
    /** scontrol update PartitionName=... State=...: root's change of a partition's state. */
    public static final String UPDATE_PARTITION = "update_partition";

    public static final String TOP = "top";
    /** sprio: pending jobs' priority factors and the weights (or the plugin's name under priority/basic). */
    public static final String PRIORITY_FACTORS = "priority_factors";
    /** sshare: the fair-share tree. */
    public static final String SHARES = "shares";

    /** sacctmgr list, sreport: the accounts database (accounts, users, associations, QOS). */
    public static final String ACCOUNTS = "accounts";
    /** sacctmgr add, modify, delete: one change, previewed or committed. */
    public static final String ACCOUNTS_CHANGE = "accounts_change";

    /** scontrol token: a JWT for the REST API. */
    public static final String TOKEN = "token";

    public static final String REQUEUE = "requeue";
    public static final String REQUEUE_HOLD = "requeue_hold";

    // agent link: agent <-> controller, one long-lived connection per agent
    public static final String REGISTER = "register";
    public static final String HEARTBEAT = "heartbeat";
    public static final String JOB_STARTED = "job_started";
    public static final String JOB_ENDED = "job_ended";
    public static final String ACK_ENDED = "ack_ended";
    public static final String LAUNCH = "launch";
    public static final String KILL = "kill";
    /** A run's output, node -> controller, and routed to the submit node's agent as "deliver". */
    public static final String OUTPUT = "output";

    public static final String DELIVER = "deliver";
    /** How far a stream has been written on the submit host: submit agent -> controller -> running node. */
    public static final String DELIVERED = "delivered";
    /** motley logs: a job's output from wherever it is (command -> controller -> the node holding it). */
    public static final String LOGS = "logs";

    public static final String READ_OUTPUT = "read_output";
    public static final String OUTPUT_READ = "output_read";
    /** motley logs --controller|--node: a daemon's own log (command -> controller -> the node's agent as read_log). */
    public static final String DAEMON_LOG = "daemon_log";

    public static final String HOST_CHECKS = "host_checks";

    /** sbatch --stage-in: one chunk of a job's archive, from sbatch (relayed by its agent) to the controller. */
    public static final String STAGE_IN_CHUNK = "stage_in_chunk";
    /** A node's agent reads a job's stage-in archive from the controller at launch, a chunk at a time. */
    public static final String STAGE_IN_READ = "stage_in_read";

    public static final String READ_LOG = "read_log";
    /** A node whose certificate is due asks for a new one on its link (a PKCS#10 request), and gets it. */
    public static final String RENEW = "renew_certificate";

    public static final String RENEWED = "certificate_renewed";
    /** A node that renewed its own certificate (the CA at hand) names it on the link its old one opened. */
    public static final String CERTIFICATE_IN_USE = "certificate_in_use";
}
