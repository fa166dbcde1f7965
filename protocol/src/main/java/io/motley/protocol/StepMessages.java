package io.motley.protocol;

import io.motley.core.step.Step;
import io.motley.core.step.StepRequest;
import io.motley.core.step.StepState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The requests about job steps and their one answer, a list of steps, with their frames. srun
 * creates a step in its job ({@link Create}), reports its end ({@link End}) and meanwhile waits on
 * it ({@link Wait}, answered when the step is no longer running or after the given seconds, so that
 * srun learns of a scancel); scancel JOB.STEP cancels one ({@link Cancel}); squeue -s, scontrol
 * show step and sacct list them ({@link ListSteps}).
 */
public final class StepMessages {
    private StepMessages() {}

    public static final String CREATE = "step_create";
    public static final String END = "step_end";
    public static final String WAIT = "step_wait";
    public static final String LIST = "steps";
    public static final String CANCEL = "step_cancel";

    /** The longest a {@link Wait} is held before it is answered with the step still running. */
    public static final int MAX_WAIT_SECONDS = 60;

    /** srun inside job {@code jobId}: a new step of it. */
    public record Create(long jobId, StepRequest request) implements Message.StepCall<Steps> {
        public Create {
            Objects.requireNonNull(request, "request");
        }
    }

    /** srun: its step's tasks have all ended so (the highest exit code and signal among them). */
    public record End(long jobId, int stepId, StepState state, int exitCode, int signal)
            implements Message.StepCall<Steps> {}

    /** srun: answer once step {@code stepId} is no longer running, or after {@code seconds}. */
    public record Wait(long jobId, int stepId, int seconds) implements Message.StepCall<Steps> {}

    /** The steps of these jobs (all of them, ended ones too), or every running step when {@code jobIds} is empty. */
    public record ListSteps(List<Long> jobIds) implements Message.StepCall<Steps> {
        public ListSteps {
            jobIds = List.copyOf(jobIds);
        }
    }

    /** scancel JOB.STEP. */
    public record Cancel(long jobId, int stepId) implements Message.StepCall<Steps> {}

    /** The steps a request is about. */
    public record Steps(List<Step> steps) implements Message.StepAnswer {
        public Steps {
            steps = List.copyOf(steps);
        }
    }

    static Frame encode(Message m) {
        return switch (m) {
            case Create x ->
                Frame.op(CREATE)
                        .put("job", x.jobId())
                        .put("tasks", x.request().tasks())
                        .put("nodes", x.request().nodes())
                        .put("tasksPerNode", x.request().tasksPerNode())
                        .put("cpusPerTask", x.request().cpusPerTask())
                        .put("mem", x.request().memMiB())
                        .put("overlap", x.request().overlap())
                        .put("name", x.request().name());
            case End x ->
                Frame.op(END)
                        .put("job", x.jobId())
                        .put("step", x.stepId())
                        .put("state", x.state().name())
                        .put("exit", x.exitCode())
                        .put("signal", x.signal());
            case Wait x ->
                Frame.op(WAIT).put("job", x.jobId()).put("step", x.stepId()).put("seconds", x.seconds());
            case ListSteps x ->
                Frame.op(LIST)
                        .put(
                                "jobs",
                                String.join(
                                        ",",
                                        x.jobIds().stream().map(String::valueOf).toList()));
            case Cancel x -> Frame.op(CANCEL).put("job", x.jobId()).put("step", x.stepId());
            case Steps x -> {
                Frame f = Frame.op(Ops.OK);
                for (Step s : x.steps()) f.add(step(s));
                yield f;
            }
            default ->
                throw new IllegalArgumentException(
                        "not a step message: " + m.getClass().getSimpleName());
        };
    }

    private static Frame step(Step s) {
        return new Frame()
                .put("job", s.jobId())
                .put("step", s.id())
                .put("name", s.name())
                .put("state", s.state().name())
                .put("nodes", String.join(",", s.nodes()))
                .put("tasks", s.tasks())
                .put("cpus", s.cpus())
                .put("mem", s.memMiB())
                .put("overlap", s.overlap())
                .put("start", s.start())
                .put("end", s.end())
                .put("exit", s.exitCode())
                .put("signal", s.signal());
    }

    static Message decode(Frame f) {
        return switch (f.op()) {
            case CREATE -> {
                try {
                    yield new Create(
                            number(f, "job"),
                            new StepRequest(
                                    count(f, "tasks"),
                                    count(f, "nodes"),
                                    count(f, "tasksPerNode"),
                                    count(f, "cpusPerTask"),
                                    number(f, "mem"),
                                    f.bool("overlap"),
                                    f.str("name", "")));
                } catch (IllegalArgumentException e) {
                    throw new MalformedMessage("step: " + e.getMessage());
                }
            }
            case END -> new End(number(f, "job"), count(f, "step"), state(f), count(f, "exit"), count(f, "signal"));
            case WAIT -> new Wait(number(f, "job"), count(f, "step"), count(f, "seconds"));
            case LIST -> {
                List<Long> ids = new ArrayList<>();
                for (String t : f.str("jobs", "").split(",")) if (!t.isBlank()) ids.add(number(t, "jobs"));
                yield new ListSteps(ids);
            }
            case CANCEL -> new Cancel(number(f, "job"), count(f, "step"));
            default -> throw new MalformedMessage("'" + f.op() + "' is not a step request");
        };
    }

    static Steps answer(Frame f) {
        List<Step> out = new ArrayList<>();
        for (Frame c : f.children()) {
            out.add(new Step(
                    number(c, "job"),
                    count(c, "step"),
                    c.str("name", ""),
                    state(c),
                    c.str("nodes", "").isEmpty()
                            ? List.of()
                            : Arrays.asList(c.str("nodes").split(",")),
                    count(c, "tasks"),
                    count(c, "cpus"),
                    number(c, "mem"),
                    c.bool("overlap"),
                    number(c, "start"),
                    number(c, "end"),
                    count(c, "exit"),
                    count(c, "signal")));
        }
        return new Steps(out);
    }

    private static StepState state(Frame f) {
        String s = f.str("state", "");
        try {
            return StepState.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("state: '" + io.motley.core.job.FreeText.quote(s, 32) + "' is no step state");
        }
    }

    private static long number(Frame f, String key) {
        return number(f.str(key, "0"), key);
    }

    private static long number(String v, String key) {
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedMessage(key + ": '" + io.motley.core.job.FreeText.quote(v, 32) + "' is not a number");
        }
    }

    private static int count(Frame f, String key) {
        long n = number(f, key);
        if (n > Integer.MAX_VALUE) throw new MalformedMessage(key + ": '" + n + "' is too large");
        return (int) n;
    }
}
