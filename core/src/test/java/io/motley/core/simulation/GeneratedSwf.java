package io.motley.core.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded generator of SWF traces for tests and timing: Poisson arrivals (with occasional bursts
 * submitted together) at a chosen offered load, half the jobs serial and the rest powers of two,
 * log-uniform run times from seconds to a day, requested times mostly above the run time, some
 * below it (those jobs are killed), some unknown, and a few records a simulation must skip.
 *
 * <p>{@code main} prints a trace: {@code GeneratedSwf JOBS [MAXPROCS [LOAD [SEED]]]}.
 */
public final class GeneratedSwf {

    private GeneratedSwf() {}

    public static void main(String[] args) {
        int jobs = Integer.parseInt(args[0]);
        int maxProcs = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        double load = args.length > 2 ? Double.parseDouble(args[2]) : 0.9;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        System.out.print(generate(seed, jobs, maxProcs, load));
    }

    public static String generate(long seed, int jobs, int maxProcs, double load) {
        Random rnd = new Random(seed);
        long[] procs = new long[jobs];
        long[] run = new long[jobs];
        double work = 0;
        for (int i = 0; i < jobs; i++) {
            procs[i] = rnd.nextBoolean() ? 1 : 1L << (1 + rnd.nextInt(Math.max(1, log2(maxProcs) - 1)));
            run[i] = Math.round(Math.exp(Math.log(5) + rnd.nextDouble() * (Math.log(86_400) - Math.log(5))));
            work += procs[i] * run[i];
        }
        // Gaps in units of the mean gap; a burst's jobs after its first share its submit time.
        double[] gap = new double[jobs];
        double units = 0;
        int burst = 0;
        for (int i = 0; i < jobs; i++) {
            if (burst > 0) {
                burst--;
                continue;
            }
            gap[i] = -Math.log(1 - rnd.nextDouble());
            units += gap[i];
            if (rnd.nextInt(50) == 0) burst = 5 + rnd.nextInt(20);
        }
        // Scaled so that the work offered per second is load * maxProcs over the arrival span.
        double scale = work / (load * maxProcs * Math.max(units, 1e-9));
        StringBuilder sb = new StringBuilder();
        sb.append("; Version: 2.2\n");
        sb.append("; Computer: Motley generated workload\n");
        sb.append(String.format(Locale.ROOT, "; Note: GeneratedSwf seed %d, offered load %.2f\n", seed, load));
        sb.append("; MaxJobs: ").append(jobs).append('\n');
        sb.append("; MaxRecords: ").append(jobs).append('\n');
        sb.append("; MaxNodes: ").append(maxProcs).append('\n');
        sb.append("; MaxProcs: ").append(maxProcs).append('\n');
        sb.append(";\n");
        double clock = 0;
        for (int i = 0; i < jobs; i++) {
            clock += gap[i] * scale;
            long t = Math.round(clock);
            long runTime = run[i];
            long requested = Math.max(60, (long) Math.ceil(runTime * (1 + 3 * rnd.nextDouble()) / 300) * 300);
            int kind = rnd.nextInt(100);
            if (kind < 8) requested = Math.max(1, runTime / 2); // underestimated: killed at the limit
            else if (kind < 12) requested = -1;
            long allocated = procs[i];
            long requestedProcs = procs[i];
            if (kind >= 12 && kind < 16) requestedProcs = -1; // only the allocated count is known
            if (kind == 99) runTime = -1; // no run time: skipped
            int status = kind < 8 ? 0 : kind < 10 ? 5 : 1;
            List<Long> f = new ArrayList<>(List.of(
                    (long) i + 1,
                    t,
                    -1L,
                    runTime,
                    allocated,
                    -1L,
                    -1L,
                    requestedProcs,
                    requested,
                    -1L,
                    (long) status,
                    1L + rnd.nextInt(50),
                    1L + rnd.nextInt(5),
                    -1L,
                    1L,
                    1L,
                    -1L,
                    -1L));
            for (int k = 0; k < f.size(); k++) {
                if (k > 0) sb.append(' ');
                sb.append(f.get(k));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static int log2(int n) {
        return 31 - Integer.numberOfLeadingZeros(n);
    }
}
